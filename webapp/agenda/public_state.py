"""What the public is told of an event now: one state, decided here for every page, the
embed, the API, the feeds and the registration form (registrations/rules.refusal_reason).

The state depends on the event's status, its registration window, its places and the
clock; a page that shows it is keyed on the content generation and the minute
(webapp/pagecache.py), so a state that changes with time alone is at most a minute late.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from webapp.agenda.occurrences import occurrences
from webapp.agenda.states import EventStatus, RegistrationMode
from webapp.timezones import utcnow


class PublicState(StrEnum):
    OPEN = "open"  # upcoming, registration open with places left (or no limit)
    WAITLIST = "waitlist"  # full, the waitlist takes registrations
    FULL = "full"  # full, no waitlist
    NOT_YET_OPEN = "not-yet-open"
    CLOSED = "closed"  # registration deadline passed, or the event has begun
    NO_REGISTRATION = "no-registration"  # upcoming, free access without registration
    PAST = "past"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"  # its date is void until it gets a new one


# The short words of a state (badges, the embed, the API's `public_state_label`).
LABELS = {
    PublicState.OPEN: _l("Inscription ouverte"),
    PublicState.WAITLIST: _l("Complet – liste d'attente ouverte"),
    PublicState.FULL: _l("Complet"),
    PublicState.NOT_YET_OPEN: _l("Inscriptions pas encore ouvertes"),
    PublicState.CLOSED: _l("Inscriptions closes"),
    PublicState.NO_REGISTRATION: _l("Accès libre, sans inscription"),
    PublicState.PAST: _l("Activité passée"),
    PublicState.CANCELLED: _l("Annulé"),
    PublicState.POSTPONED: _l("Reporté – date à confirmer"),
}

# States in which a calendar entry is still worth adding.
ON_CALENDAR = frozenset(PublicState) - {
    PublicState.PAST,
    PublicState.CANCELLED,
    PublicState.POSTPONED,
}
# States in which the registration form takes someone (confirmed, waitlisted or pending).
REGISTERING = frozenset({PublicState.OPEN, PublicState.WAITLIST})


@dataclass(frozen=True)
class EventState:
    """An event's public state and what a page shows with it."""

    state: PublicState
    # Places still free, only when the state is OPEN and the event has a capacity.
    places_left: int | None = None
    capacity: int | None = None

    @property
    def label(self):
        return LABELS[self.state]

    @property
    def offers_registration(self):
        return self.state in REGISTERING

    @property
    def offers_calendar(self):
        return self.state in ON_CALENDAR

    @property
    def date_void(self):
        return self.state is PublicState.POSTPONED


def public_state(
    event,
    now: datetime | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    cancelled: bool = False,
) -> EventState:
    """The event's public state at `now`.

    `start`, `end`, `cancelled` name one date of it (an agenda card's occurrence); without
    them a repeating event is judged on its next date, a plain event on its own.
    """
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED or cancelled:
        return EventState(PublicState.CANCELLED)
    if event.status == EventStatus.POSTPONED:
        return EventState(PublicState.POSTPONED)
    if start is None:
        start, end = _next_date(event, now)
    if end <= now:
        return EventState(PublicState.PAST)
    mode = RegistrationMode(event.registration_mode)
    if not mode.takes_registrations:
        return EventState(PublicState.NO_REGISTRATION)
    if start <= now:
        return EventState(PublicState.CLOSED)
    if event.registration_opens_at and now < event.registration_opens_at:
        return EventState(PublicState.NOT_YET_OPEN)
    if event.registration_closes_at and now >= event.registration_closes_at:
        return EventState(PublicState.CLOSED)
    left = event.places_left
    if left == 0 and mode is not RegistrationMode.APPROVAL:
        return EventState(PublicState.WAITLIST if event.waitlist_enabled else PublicState.FULL)
    return EventState(PublicState.OPEN, places_left=left, capacity=event.total_capacity)


def _next_date(event, now):
    """(start, end) of the event, or of a repeating event's next date that is not cancelled."""
    if not event.is_recurring:
        return event.start_at, event.end_at
    for date in occurrences(event, now):
        if not date.cancelled:
            return date.start, date.end
    return event.start_at, event.end_at
