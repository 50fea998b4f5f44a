"""Registrations and the custom questions of an event."""

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.agenda.models import Event, Localized
from webapp.agenda.states import PlaceMode
from webapp.extensions import db
from webapp.registrations.states import (  # noqa: F401  ACTIVE_STATUSES: the models' users
    ACTIVE_STATUSES,
    AccommodationNeed,
    AccommodationStatus,
    QuestionKind,
    RegistrationStatus,
)
from webapp.states import check_in, values_of
from webapp.timezones import UTCDateTime, utcnow
from webapp.tokens import new_attestation_code, new_token

STATUSES = values_of(RegistrationStatus)
# What erasure and purge wipe: everything that identifies a person.
IDENTIFYING_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "organisation",
    "job_title",
    "commune",
    "inami_number",
)
QUESTION_KINDS = values_of(QuestionKind)


class Question(Localized, db.Model):
    """A question an event adds to its registration form (e.g. accessibility needs)."""

    __tablename__ = "questions"
    __table_args__ = (check_in("kind", QuestionKind, name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    label_fr: Mapped[str] = mapped_column(String(300))
    label_nl: Mapped[str | None] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # For choice/choices: [{"value": "table-1", "fr": "...", "nl": "..."}]
    options: Mapped[list | None] = mapped_column(JSON)

    event: Mapped[Event] = relationship(
        backref=db.backref("questions", order_by="Question.position", cascade="all, delete-orphan")
    )

    @property
    def label(self):
        return self.localized("label")

    @property
    def field_name(self):
        return f"question_{self.id}"

    def option_label(self, value, language=None):
        for option in self.options or ():
            if option["value"] == value:
                return option.get(language or "fr") or option["fr"]
        return value


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "email"),
        check_in("status", RegistrationStatus, name="status_known"),
        check_in("mode", PlaceMode, name="place_mode_known"),
        Index("ix_registrations_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    # The feed of this registration alone: shown on the personal page.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    # The feed of everything this address is registered for: only ever sent to the mailbox,
    # never shown on a page (whoever types an address must not see its other registrations).
    mailbox_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    # The code printed on the attestation of participation, that anyone checks at
    # /attestations/<code> (webapp/attestations/): not a personal link, it opens nothing.
    attestation_code: Mapped[str | None] = mapped_column(
        String(16), unique=True, default=new_attestation_code
    )
    status: Mapped[str] = mapped_column(String(20))
    # A place on site or online (agenda.states.PlaceMode): each has its places and waitlist.
    mode: Mapped[str] = mapped_column(
        String(20), default=PlaceMode.ONSITE, server_default=PlaceMode.ONSITE.value
    )
    # Personal data: emptied by erasure and by purge-personal-data (email becomes NULL).
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(150))
    commune: Mapped[str | None] = mapped_column(String(100))
    # INAMI/RIZIV number (11 digits), asked only for an accredited event: its attendance list.
    inami_number: Mapped[str | None] = mapped_column(String(11))
    answers: Mapped[dict | None] = mapped_column(JSON)
    # Kept after anonymisation: what statistics need.
    sector: Mapped[str | None] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(5), default="fr")
    attended: Mapped[bool | None] = mapped_column(Boolean)
    # Came to the door without registering (added at check-in): holds no place, counted apart.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    confirmed_at = mapped_column(UTCDateTime)
    cancelled_at = mapped_column(UTCDateTime)
    # Set when the organisers declined the request (the status is then cancelled).
    refused_at = mapped_column(UTCDateTime)
    reminder_queued_at = mapped_column(UTCDateTime)
    anonymised_at = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    accommodations: Mapped[list["AccommodationRequest"]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="AccommodationRequest.id",
    )

    @property
    def place_mode(self):
        return PlaceMode(self.mode or PlaceMode.ONSITE)

    @property
    def full_name(self):
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    @property
    def was_refused(self):
        """Cancelled because the organisers declined the request: "Refusé·e" in lists."""
        return self.status == RegistrationStatus.CANCELLED and self.refused_at is not None

    @property
    def holds_place(self):
        """Counted in the event's places: confirmed, and registered (not a walk-in)."""
        return self.status == RegistrationStatus.CONFIRMED and not self.walk_in

    def anonymise(self, now):
        """Remove what identifies the person; keep status, sector and attendance (statistics)."""
        for field in IDENTIFYING_FIELDS:
            setattr(self, field, None)
        self.answers = None
        # What a person needs to take part says something of her health: it goes too.
        self.accommodations.clear()
        self.anonymised_at = now

    def __repr__(self):
        return f"<Registration {self.id} {self.status} event={self.event_id}>"


class AccommodationRequest(db.Model):
    """What a registrant asked for to take part (interpreting, step-free access), and the
    team's answer: requested, then arranged or not possible (the person is told by mail)."""

    __tablename__ = "accommodation_requests"
    __table_args__ = (
        UniqueConstraint("registration_id", "need"),
        check_in("need", AccommodationNeed, name="need_known"),
        check_in("status", AccommodationStatus, name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    need: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default=AccommodationStatus.REQUESTED)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    answered_at = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship(back_populates="accommodations")


class CheckIn(db.Model):
    """Whether a person was at one date of an event, as last tapped at the door.

    One row per registration and date (a repeating event is checked in per date). `tapped_at`
    is when the tap was made (a phone that was offline sends it later): a tap older than the
    row's, or one that says what the row already says, changes nothing.
    """

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("registration_id", "on_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    on_date = mapped_column(Date, nullable=False)  # the local date of the occurrence
    present: Mapped[bool] = mapped_column(Boolean)
    tapped_at = mapped_column(UTCDateTime, nullable=False)
    recorded_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    registration: Mapped[Registration] = relationship()
