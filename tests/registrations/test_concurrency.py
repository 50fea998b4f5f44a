"""200 people register at once for 20 places, then 10 cancel at once (threads, real database)."""

import threading

from sqlalchemy import select

from tests.conftest import make_config
from tests.edge import rules
from webapp import create_app
from webapp.agenda.models import Event
from webapp.content_state import current_generation
from webapp.extensions import db
from webapp.registrations.models import Registration


def run_at_once(app, jobs):
    """Run each job in its own thread and app context, released together; returns errors."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        with app.app_context():
            try:
                barrier.wait()
                job()
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def test_two_hundred_at_once_fill_twenty_places_and_ten_cancellations_promote_ten(
    make_event, person, database_url
):
    event_id = make_event(capacity=20).id
    # Thirty connections for two hundred requests: requests queue for a connection, as they
    # would behind a few gunicorn workers; PostgreSQL allows 100 clients in all.
    app = create_app(
        make_config(
            database_url,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 30, "max_overflow": 0, "pool_timeout": 120},
        )
    )

    with app.app_context():
        generation = current_generation()
    errors = run_at_once(app, [lambda n=n: rules.register(event_id, person(n)) for n in range(200)])
    assert errors == []

    with app.app_context():
        rows = db.session.scalars(
            select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
        ).all()
        assert len(rows) == 200
        # The first twenty to get in hold the places: nobody who came later is ahead of them.
        assert [r.status for r in rows[:20]] == ["confirmed"] * 20
        waitlisted = [r for r in rows if r.status == "waitlisted"]
        assert len(waitlisted) == 180
        # Arrival order: the waitlist positions follow the order in which people got in.
        assert [rules.waitlist_position(r) for r in waitlisted] == list(range(1, 181))
        assert db.session.get(Event, event_id).confirmed_count == 20
        # The content generation moved once each time the agenda card's text changed (5, 4,
        # 3, 2, 1 places left, then full): no increment lost to another, none for the rest.
        assert current_generation() == generation + 6
        confirmed_ids = [r.id for r in rows if r.status == "confirmed"][:10]
        next_ten = [r.id for r in waitlisted[:10]]
        db.session.remove()

    errors = run_at_once(app, [lambda i=i: rules.cancel(i) for i in confirmed_ids])
    assert errors == []

    with app.app_context():
        rows = {
            r.id: r
            for r in db.session.scalars(
                select(Registration).where(Registration.event_id == event_id)
            )
        }
        assert [rows[i].status for i in next_ten] == ["confirmed"] * 10
        assert sum(r.status == "confirmed" for r in rows.values()) == 20
        assert sum(r.status == "waitlisted" for r in rows.values()) == 170
        assert db.session.get(Event, event_id).confirmed_count == 20
        # A cancellation and its promotion leave the card full: no more.
        assert current_generation() == generation + 6
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


def test_two_people_at_once_for_the_last_online_place_never_overbook_it(
    make_event, person, database_url
):
    """A hybrid event with one online place left: one gets it, the other waits (or, without
    a waitlist, is refused); the places on site are untouched."""
    event_id = make_event(mode="hybrid", capacity=5, online_capacity=1).id
    no_waitlist_id = make_event(
        mode="hybrid", capacity=5, online_capacity=1, waitlist_enabled=False
    ).id
    app = create_app(make_config(database_url))
    errors = run_at_once(
        app,
        [lambda n=n: rules.register(event_id, person(n), mode="online") for n in range(2)]
        + [
            lambda n=n: rules.register(no_waitlist_id, person(n), mode="online")
            for n in range(2, 4)
        ],
    )
    # Without a waitlist, the one who came second is refused: the place was taken.
    assert errors == ["RegistrationRefused('full')"]
    with app.app_context():
        for an_event_id, expected in (
            (event_id, ["confirmed", "waitlisted"]),
            (no_waitlist_id, ["confirmed"]),
        ):
            rows = db.session.scalars(
                select(Registration)
                .where(Registration.event_id == an_event_id)
                .order_by(Registration.id)
            ).all()
            assert sorted(r.status for r in rows) == expected
            assert {r.mode for r in rows} == {"online"}
            event = db.session.get(Event, an_event_id)
            assert (event.confirmed_count, event.online_confirmed_count) == (0, 1)
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
