"""What an agenda card says of an event: its public state (agenda/public_state.py) and, coarse,
its places, so that most registrations change no card and leave every cached list page valid
(registrations/rules.py compares `card_places` before and after taking or giving back a
place; templates/macros/agenda.html shows `card_state`).

The event's own page shows the exact count; its cache key carries that count instead.
"""

from dataclasses import dataclass

from webapp.agenda.public_state import EventState, PublicState, public_state
from webapp.agenda.states import EventStatus

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


def card_places(event) -> CardPlaces | None:
    """What the event's card says of its places; None when it says nothing (no limit)."""
    if event.status != PUBLISHED:
        return None
    left = event.places_left
    if left is None:
        return None
    if left == 0:
        return CardPlaces(full=True, waitlist=bool(event.waitlist_enabled))
    return CardPlaces(few=left if left <= FEW_PLACES else None)


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
