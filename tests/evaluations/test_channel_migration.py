"""0028: answers stored before the channel was go to the open link's group wherever some of
them may have come by it, so that no invited group is padded by them."""

from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import make_config
from tests.test_migrations import empty_database  # noqa: F401  (a fixture)
from webapp import create_app
from webapp.extensions import db

NOW = "2027-03-01 08:00:00"


def _insert(connection, table, **values):
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)


def _event_with_answers(connection, number, invited_answers, answers):
    """Event `number`, a form, `invited_answers` answered invitations and `answers` rows."""
    _insert(
        connection,
        "events",
        id=number,
        kind="concertation",
        audience="professionals",
        title_fr="Concertation",
        start_at=NOW,
        end_at="2027-03-01 11:00:00",
        registration_mode="open",
        waitlist_enabled=True,
        status="published",
        sequence=0,
        created_at=NOW,
        updated_at=NOW,
    )
    _insert(
        connection,
        "evaluation_forms",
        id=number,
        event_id=number,
        questions="[]",
        open_token=f"open-{number}",
        opened_at=NOW,
        closes_at=NOW,
    )
    for n in range(invited_answers):
        person = number * 100 + n
        _insert(
            connection,
            "registrations",
            id=person,
            event_id=number,
            token=f"t{person}",
            calendar_token=f"c{person}",
            mailbox_token=f"m{person}",
            status="confirmed",
            language="fr",
            created_at=NOW,
            updated_at=NOW,
        )
        _insert(
            connection,
            "evaluation_invitations",
            registration_id=person,
            form_id=number,
            token=f"i{person}",
            language="fr",
            answered=True,
            sent_at=NOW,
        )
    for n in range(answers):
        _insert(
            connection,
            "evaluation_answers",
            id=f"{number}-{n}",
            event_id=number,
            day="2027-03-01",
            values="{}",
        )


def test_answers_of_an_event_with_more_answers_than_answered_invitations_go_to_the_open_link(
    empty_database,  # noqa: F811
):
    app = create_app(make_config(empty_database))
    with app.app_context():
        upgrade(revision="0027_offer_contacts_purge")
        with db.engine.begin() as connection:
            _event_with_answers(connection, 1, invited_answers=2, answers=2)  # all invited
            _event_with_answers(connection, 2, invited_answers=2, answers=5)  # 3 walk-ins
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT event_id, channel, count(*) FROM evaluation_answers "
                    "GROUP BY event_id, channel ORDER BY event_id"
                )
            ).all()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "invited", 2), (2, "open_link", 5)]
