"""The agenda's states and controlled words as enums (labels live in webapp/vocabulary.py)."""

from enum import StrEnum


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"

    @property
    def is_public(self):
        """Shown to the public: a cancelled or postponed event stays listed, marked so."""
        return self is not EventStatus.DRAFT


# What each action on an event does in each status: None when the status allows it, else the
# reason it is refused. The operations (agenda/operations.py) refuse by it and the back office
# shows its buttons by it (admin/event_actions.py): one table, read by both.
_D, _P, _C, _X = "draft", "published", "cancelled", "postponed"
STATUS_ACTIONS = {
    "publish": {_D: None, _P: "already-published", _C: "event-cancelled", _X: "event-postponed"},
    "unpublish": {_D: "already-draft", _P: None, _C: "event-cancelled", _X: "event-postponed"},
    "cancel": {_D: "event-draft", _P: None, _C: "already-cancelled", _X: None},
    "postpone": {_D: "event-draft", _P: None, _C: "event-cancelled", _X: "already-postponed"},
    "move": {_D: None, _P: None, _C: "event-cancelled", _X: None},
    "delete": {_D: None, _P: "not-draft", _C: "not-draft", _X: "not-draft"},
}


def action_refusal(action, status):
    """Why the status refuses the action ("event-cancelled"...), or None when it allows it."""
    return STATUS_ACTIONS[action][EventStatus(status)]


def allowed_actions(status):
    """The actions the status allows."""
    return {action for action, by_status in STATUS_ACTIONS.items() if by_status[status] is None}


class RegistrationMode(StrEnum):
    OPEN = "open"
    APPROVAL = "approval"
    NONE = "none"

    @property
    def takes_registrations(self):
        return self is not RegistrationMode.NONE


class MeetingMode(StrEnum):
    """Where people meet: in a room, online (a video link), or both (places for each)."""

    ONSITE = "onsite"
    ONLINE = "online"
    HYBRID = "hybrid"

    @property
    def place_modes(self):
        """The ways a person may attend, each with its own places and waitlist."""
        if self is MeetingMode.HYBRID:
            return (PlaceMode.ONSITE, PlaceMode.ONLINE)
        return (PlaceMode(self.value),)


class PlaceMode(StrEnum):
    """How one registrant attends: a place on site or a place online."""

    ONSITE = "onsite"
    ONLINE = "online"


class Kind(StrEnum):
    CONCERTATION = "concertation"
    ATELIER_DU_CHANGEMENT = "atelier-du-changement"
    GRAND_BAIN = "grand-bain"
    RDV_PREVENTION = "rdv-prevention"
    FORMATION = "formation"
    RENCONTRE = "rencontre"
    WEBINAIRE = "webinaire"
    AUTRE = "autre"


class Audience(StrEnum):
    PROFESSIONALS = "professionals"
    PUBLIC = "public"
    CLOSED_GROUP = "closed-group"


class ReportStatus(StrEnum):
    """A meeting's report: written as a draft, shown to the public once published."""

    DRAFT = "draft"
    PUBLISHED = "published"


class FiguresSource(StrEnum):
    """Where a report's participant figures come from (the page says so when estimated)."""

    ATTENDANCE = "attendance"  # counted at the door
    REGISTRATIONS = "registrations"  # no attendance taken: the confirmed registrations
    MANUAL = "manual"  # typed or corrected by the team
