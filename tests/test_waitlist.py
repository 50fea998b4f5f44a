"""One waitlist for registrations and Grand Bain bookings (webapp/waitlist.py): both areas
keep their waiting entries, positions and promotions in the same shape."""

from webapp import waitlist
from webapp.grandbain import rules as grand_bain
from webapp.registrations import rules as registrations


def test_both_areas_wait_in_the_shared_shape():
    lines = [*registrations.WAITLISTS.values(), grand_bain.WAITLIST]
    for line in lines:
        assert isinstance(line, waitlist.Waitlist)
        assert line.places.model.__tablename__ != line.model.__tablename__
        assert (line.waiting, line.confirmed, line.cancelled) == (
            "waitlisted",
            "confirmed",
            "cancelled",
        )
    # An event's places on site and online: one waitlist each, on their own counter.
    assert registrations.WAITLISTS["onsite"].places is registrations.SEATS
    assert registrations.WAITLISTS["online"].places is registrations.ONLINE_SEATS
    assert registrations.WAITLISTS["online"].among == ("mode", "online")
    assert grand_bain.WAITLIST.places is grand_bain.SLOT_PLACES
