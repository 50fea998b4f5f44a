"""demo-data holds a believable coming Grand Bain, and running it twice adds nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.grandbain.conftest import rules
from webapp.extensions import db
from webapp.grandbain.demo import coming_year
from webapp.grandbain.models import Booking, Edition, Offer, Slot
from webapp.grandbain.states import OfferStatus
from webapp.timezones import local_today


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_data_holds_a_coming_edition_whose_bookings_keep_the_rules(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    before = {m: count(m) for m in (Edition, Offer, Slot, Booking)}
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    assert {m: count(m) for m in (Edition, Offer, Slot, Booking)} == before

    edition = db.session.scalar(select(Edition).where(Edition.year == coming_year(local_today())))
    assert edition.event is not None and edition.event.kind == "grand-bain"
    accepted = db.session.scalar(
        select(func.count()).where(
            Offer.status == OfferStatus.ACCEPTED, Offer.edition_id == edition.id
        )
    )
    assert 35 <= accepted <= 45 and before[Slot] >= 130 and before[Booking] >= 40
    assert db.session.scalar(select(func.count()).where(Slot.booked_count > Slot.capacity)) == 0
    for slot in db.session.scalars(select(Slot)):
        active = [b for b in db.session.scalars(select(Booking).where(Booking.slot_id == slot.id))]
        assert slot.booked_count == len(active)
    for booking in db.session.scalars(select(Booking)):
        others = [b.slot for b in booking.visitor.bookings if b.id != booking.id]
        assert not rules.collisions([booking.slot], others, timedelta(minutes=30))
    reported = db.session.scalar(select(Edition).where(Edition.year == 2025))
    assert (reported.reported_services, reported.reported_visitors) == (34, 86)
    assert client.get(f"/grand-bain/{edition.year}/").status_code == 200
