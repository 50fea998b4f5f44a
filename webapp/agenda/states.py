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


class RegistrationMode(StrEnum):
    OPEN = "open"
    APPROVAL = "approval"
    NONE = "none"

    @property
    def takes_registrations(self):
        return self is not RegistrationMode.NONE


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
