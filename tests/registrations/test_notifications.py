"""Messages to registrants: they always fit the outbox, and never undo the person's action."""

import logging

import pytest
from sqlalchemy import select

from tests.edge import personal_data, rules
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.registrations import notifications
from webapp.registrations.models import Registration

LONG_TITLE_FR = "Concertation " + "é" * 237  # 250 characters, the longest title an event takes
LONG_TITLE_NL = "Overleg " + "ë" * 242


def statuses(event_id):
    return list(
        db.session.scalars(
            select(Registration.status)
            .where(Registration.event_id == event_id)
            .order_by(Registration.id)
        )
    )


def test_cancel_and_erase_succeed_when_the_dutch_subject_is_longer_than_its_column(
    make_event, person
):
    event = make_event(title=LONG_TITLE_FR, title_nl=LONG_TITLE_NL, capacity=1)
    first = rules.register(event.id, person(1)).registration
    second = rules.register(event.id, person(2), language="nl").registration
    rules.register(event.id, person(3), language="nl")
    rules.cancel(first.id)  # promotes the second: "Er is een plaats vrijgekomen: ..."
    assert statuses(event.id) == ["cancelled", "confirmed", "waitlisted"]
    personal_data.erase(second.id)  # promotes the third
    assert statuses(event.id) == ["cancelled", "cancelled", "confirmed"]
    (promoted,) = db.session.scalars(
        select(OutboxMessage.subject)
        .where(OutboxMessage.recipient == "anne.3@example.org")
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    assert promoted.startswith("Er is een plaats vrijgekomen: inschrijving bevestigd: Overleg ë")
    assert len(promoted) == 300 and promoted.endswith("ë…")


def _render_fails(*args, **kwargs):
    raise RuntimeError("a template error")


def _database_refuses(recipient, *args, **kwargs):
    message = OutboxMessage(recipient=None, subject="x", body_text="x")  # NOT NULL
    db.session.add(message)
    return message


@pytest.mark.parametrize(
    "target, broken",
    [("render_template", _render_fails), ("queue_message", _database_refuses)],
    ids=["template", "database"],
)
def test_a_message_that_cannot_be_queued_never_undoes_the_cancellation(
    make_event, person, monkeypatch, caplog, target, broken
):
    event = make_event(capacity=1)
    first = rules.register(event.id, person(1)).registration
    rules.register(event.id, person(2))
    before = db.session.scalars(select(OutboxMessage.id)).all()
    monkeypatch.setattr(notifications, target, broken)
    with caplog.at_level(logging.ERROR, logger="webapp.registrations"):
        promoted = rules.cancel(first.id)
    db.session.rollback()
    assert promoted is not None
    assert statuses(event.id) == ["cancelled", "confirmed"]
    assert db.session.scalars(select(OutboxMessage.id)).all() == before
    assert f"registration {first.id}: the cancelled message could not be queued" in caplog.text
    assert "@" not in caplog.text
