"""The registrations' states as enums."""

from enum import StrEnum


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING = "pending"  # awaits an organiser's approval
    CANCELLED = "cancelled"

    @property
    def is_active(self):
        """Holds a place, a place in the queue, or a request: not cancelled."""
        return self is not RegistrationStatus.CANCELLED

    @property
    def is_tentative(self):
        """A place not (yet) theirs: STATUS:TENTATIVE in the person's calendar."""
        return self in (RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING)


ACTIVE_STATUSES = tuple(s.value for s in RegistrationStatus if s.is_active)


class QuestionKind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    CHOICES = "choices"
    YES_NO = "yes_no"


class AccommodationNeed(StrEnum):
    """What a person may ask for, at registration, to take part."""

    INTERPRETING_FR_NL = "interpreting-fr-nl"
    SIGN_LSFB = "sign-lsfb"  # langue des signes de Belgique francophone
    SIGN_VGT = "sign-vgt"  # Vlaamse Gebarentaal
    STEP_FREE = "step-free"


class AccommodationStatus(StrEnum):
    REQUESTED = "requested"
    ARRANGED = "arranged"
    NOT_POSSIBLE = "not-possible"
