"""What an agenda card says of an event: its public state (agenda/public_state.py) and, coarse,
its places, so that most registrations change no card and leave every cached list page valid
(registrations/rules.py compares `card_places` before and after taking or giving back a
place; templates/macros/agenda.html shows `card_state`).

The event's own page shows the exact count; its cache key carries that count instead.
"""

from dataclasses import dataclass

from webapp.agenda.public_state import EventState, PublicState, public_state
from webapp.agenda.states import EventStatus, MeetingMode

# The card names the exact number from this many places left down to one.
FEW_PLACES = 5
# The only status whose cards show places (a cancelled or postponed event takes no one).
PUBLISHED = EventStatus.PUBLISHED


@dataclass(frozen=True)
class CardPlaces:
    """'Places disponibles', 'Plus que N places' (few: N), 'Complet' (full) or 'Complet –
    liste d'attente ouverte' (full, waitlist): every part of a card that places change."""

    few: int | None = None
    full: bool = False
    waitlist: bool = False


def card_places(event):
    """What the event's card says of its places; None when it says nothing (no limit).
    A hybrid event's card speaks of each way to attend: ((mode, CardPlaces or None), ...)."""
    if event.status != PUBLISHED:
        return None
    if by_mode(event):
        return tuple(
            (mode, _coarse(event.places_left_for(mode), event)) for mode in event.place_modes
        )
    return _coarse(event.places_left, event)


def _coarse(left, event):
    if left is None:
        return None
    if left == 0:
        return CardPlaces(full=True, waitlist=bool(event.waitlist_enabled))
    return CardPlaces(few=left if left <= FEW_PLACES else None)


def by_mode(event):
    """Whether the event's places are said per way to attend (a hybrid event taking
    registrations): "Sur place : complet · En ligne : places disponibles"."""
    return event.meeting_mode is MeetingMode.HYBRID and event.takes_registrations


def mode_places(event):
    """[(PlaceMode, places left or None, capacity or None)] of a hybrid event, for its page
    and form (exact counts); [] for an event with one way to attend."""
    if not by_mode(event):
        return []
    return [
        (mode, event.places_left_for(mode), event.capacity_for(mode)) for mode in event.place_modes
    ]


@dataclass(frozen=True)
class CardState:
    """The state a card shows, and the few places left when it names them."""

    state: PublicState
    few: int | None = None

    @property
    def label(self):
        return EventState(self.state).label


def card_state(occurrence, now=None) -> CardState:
    """The state of one date of an event (an agenda row: start_at, end_at, cancelled)."""
    event = occurrence.event
    found = public_state(
        event,
        now,
        start=occurrence.start_at,
        end=occurrence.end_at,
        cancelled=bool(occurrence.cancelled),
    )
    few = None
    if found.places_left is not None and found.places_left <= FEW_PLACES:
        few = found.places_left
    return CardState(found.state, few)
