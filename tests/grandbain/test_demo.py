"""demo-data holds a believable coming Grand Bain, and running it twice adds nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.grandbain.conftest import rules
from webapp.extensions import db
from webapp.grandbain.demo import coming_year
from webapp.grandbain.demo_held import HOSTS, PARTNER, held_year
from webapp.grandbain.models import Booking, Edition, Offer, Slot
from webapp.grandbain.states import OfferStatus
from webapp.timezones import local_today, utcnow


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_DIR": str(tmp_path / "uploads")}  # demo-data stores the ADC's slides


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
    assert 35 <= accepted <= 45
    coming_slots = select(Slot.id).join(Offer).where(Offer.edition_id == edition.id)
    assert db.session.scalar(select(func.count()).select_from(coming_slots.subquery())) >= 130
    assert db.session.scalar(select(func.count()).where(Booking.slot_id.in_(coming_slots))) >= 40
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


def test_demo_data_holds_last_years_edition_with_who_came_and_the_partners_offers(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    held = db.session.scalar(select(Edition).where(Edition.year == held_year(local_today())))
    offers = db.session.scalars(select(Offer).where(Offer.edition_id == held.id)).all()
    assert len(offers) == len(HOSTS) and all(o.status == OfferStatus.ACCEPTED for o in offers)
    slot_ids = [slot.id for offer in offers for slot in offer.slots]
    bookings = db.session.scalars(select(Booking).where(Booking.slot_id.in_(slot_ids))).all()
    ended = [b for b in bookings if b.slot.end_at <= utcnow()]
    assert ended and all(b.attended is not None for b in ended)
    assert sum(b.attended for b in ended) > len(ended) // 2
    # The partner's offers, both editions, belong to its organisation (its account's scope).
    partner = db.session.scalars(select(Offer).where(Offer.name == PARTNER)).all()
    assert len(partner) == 2
    assert {o.organisation.name for o in partner} == {PARTNER}
