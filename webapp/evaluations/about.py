"""What a form or an invitation is about, as its mail and its page name it: an event (its
title and time), or a Grand Bain visit (the host's name and the visit's slot)."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _


@dataclass(frozen=True)
class About:
    title: str
    start_at: datetime
    end_at: datetime
    # A line above the title ("Grand Bain 2027 : votre visite"), or None for an event.
    context: str | None
    # Where the thank-you page leads back: (endpoint, its arguments).
    page: tuple[str, dict]


def of_event(event, language):
    return About(
        title=event.localized("title", language),
        start_at=event.start_at,
        end_at=event.end_at,
        context=None,
        page=("agenda.event", {"event_id": event.id}),
    )


def of_visit(offer, start_at, end_at, language):
    with force_locale(language):
        context = _("Grand Bain %(year)d : votre visite", year=offer.edition.year)
    return About(
        title=offer.name,
        start_at=start_at,
        end_at=end_at,
        context=context,
        page=("grandbain.offer", {"year": offer.edition.year, "offer_id": offer.id}),
    )


def of_invitation(invitation, language):
    """An event's invitation names the event; a visit's names its host and its slot."""
    if invitation.booking_id is not None:
        slot = invitation.booking.slot
        return of_visit(slot.offer, slot.start_at, slot.end_at, language)
    return of_event(invitation.form.event, language)
