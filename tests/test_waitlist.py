"""One waitlist for registrations and Grand Bain bookings (webapp/waitlist.py): both areas
keep their waiting entries, positions and promotions in the same shape."""

from webapp import waitlist
from webapp.grandbain import rules as grand_bain
from webapp.registrations import rules as registrations


def test_both_areas_wait_in_the_shared_shape():
    for area in (registrations, grand_bain):
        assert isinstance(area.WAITLIST, waitlist.Waitlist)
        assert area.WAITLIST.places.model.__tablename__ != area.WAITLIST.model.__tablename__
        assert (area.WAITLIST.waiting, area.WAITLIST.confirmed, area.WAITLIST.cancelled) == (
            "waitlisted",
            "confirmed",
            "cancelled",
        )
    assert registrations.WAITLIST.places is registrations.SEATS
    assert grand_bain.WAITLIST.places is grand_bain.SLOT_PLACES
