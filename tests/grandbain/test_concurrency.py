"""The last place of a slot under 50 people booking at once (threads, PostgreSQL)."""

from sqlalchemy import select

from tests.conftest import make_config, postgresql_only
from tests.grandbain.conftest import rules
from tests.registrations.test_concurrency import run_at_once
from webapp import create_app
from webapp.extensions import db
from webapp.grandbain.models import Booking, Slot


@postgresql_only
def test_fifty_people_for_the_last_place_one_wins_the_others_wait_or_are_refused(
    edition, make_offer, person, database_url
):
    offer = make_offer(
        "Hôpital Molière", [(1, "09:00", "10:00", 2), (2, "09:00", "10:00", 50)], email="h@m.be"
    )
    last, roomy = (s.id for s in offer.slots)
    edition_id = edition.id  # read here: the threads do not share the test's session
    rules.book(edition.id, [last], person(0))  # one place of two left
    app = create_app(
        make_config(
            database_url,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25, "max_overflow": 0, "pool_timeout": 120},
        )
    )

    def attempt(n):
        try:
            rules.book(edition_id, [last, roomy], person(n), waitlist=n % 2 == 0)
        except rules.BookingRefused as refused:
            assert refused.problems[last].code == "full"

    errors = run_at_once(app, [lambda n=n: attempt(n) for n in range(1, 51)])
    assert errors == []
    with app.app_context():
        rows = db.session.scalars(
            select(Booking).where(Booking.slot_id == last).order_by(Booking.id)
        ).all()
        confirmed = [b for b in rows if b.status == "confirmed"]
        assert len(confirmed) == 2  # the one before, and exactly one of the fifty
        waiting = [b for b in rows if b.status == "waitlisted"]
        winner = int(confirmed[1].visitor.email.split(".")[1].split("@")[0])
        # Those who asked for the waitlist (even numbers), but the winner, wait.
        assert len(waiting) == 25 - (winner % 2 == 0)
        assert db.session.get(Slot, last).booked_count == 2
        roomy_count = db.session.get(Slot, roomy).booked_count
        # The winner and those who waited for the last slot hold a place on the roomy one.
        assert roomy_count == 1 + len(waiting)
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
