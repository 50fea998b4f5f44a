"""A visitor's visits as calendar entries: the mails' .ics and her own feed say the same."""

from flask_babel import gettext as _

from webapp.feeds.entries import CalendarEntry, EntryStatus
from webapp.grandbain.states import BookingStatus
from webapp.urls import absolute_url, base_host

STATUSES = {
    BookingStatus.CONFIRMED: EntryStatus.CONFIRMED,
    BookingStatus.WAITLISTED: EntryStatus.TENTATIVE,
    BookingStatus.CANCELLED: EntryStatus.CANCELLED,
}


def visit_uid(booking_id):
    """The UID of a visit, stable for the life of the booking."""
    return f"grand-bain-visit-{booking_id}@{base_host()}"


def visit_entries(bookings, language):
    """One entry per booking (called in the visitor's language): the host, the place, what
    the visit shows, how to get in; a waiting booking is TENTATIVE and says so."""
    entries = []
    for booking in bookings:
        slot, offer = booking.slot, booking.slot.offer
        summary = _("Grand Bain : visite – %(name)s", name=offer.name)
        if booking.status == BookingStatus.WAITLISTED:
            summary += " (" + _("liste d'attente") + ")"
        description = "\n\n".join(
            part
            for part in (
                offer.localized("discover", language),
                offer.localized("access_notes", language),
            )
            if part
        )
        entries.append(
            CalendarEntry(
                uid=visit_uid(booking.id),
                url=absolute_url(
                    "grandbain.offer", year=offer.edition.year, offer_id=offer.id, lang=language
                ),
                summary=summary,
                start_at=slot.start_at,
                end_at=slot.end_at,
                updated_at=booking.updated_at or booking.created_at,
                # A cancelled visit replaces the entry it cancels (RFC 5546: a later SEQUENCE).
                sequence=1 if booking.status == BookingStatus.CANCELLED else 0,
                status=STATUSES[BookingStatus(booking.status)],
                description=description or None,
                location=offer.full_address,
                categories=("Grand Bain",),
                created_at=booking.created_at,
            )
        )
    return entries
