"""What an agenda card says of an event's places: coarse, so that most registrations change
no card and leave every cached list page valid (registrations/rules.py compares this before
and after taking or giving back a place; templates/macros/agenda.html shows it).

The event's own page shows the exact count; its cache key carries that count instead.
"""

from dataclasses import dataclass

from webapp.agenda.states import EventStatus

# The card names the exact number from this many places left down to one.
FEW_PLACES = 5
# The only status whose cards show places (a cancelled or postponed event takes no one).
PUBLISHED = EventStatus.PUBLISHED


@dataclass(frozen=True)
class CardPlaces:
    """'Places disponibles', 'Plus que N places' (few: N) or 'Complet' (full)."""

    few: int | None = None
    full: bool = False


def card_places(event) -> CardPlaces | None:
    """What the event's card says of its places; None when it says nothing (no limit)."""
    if event.status != PUBLISHED:
        return None
    left = event.places_left
    if left is None:
        return None
    if left == 0:
        return CardPlaces(full=True)
    return CardPlaces(few=left if left <= FEW_PLACES else None)
