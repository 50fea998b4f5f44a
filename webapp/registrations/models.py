"""Registrations and the custom questions of an event."""

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.agenda.models import Event, Localized
from webapp.extensions import db
from webapp.timezones import UTCDateTime, utcnow
from webapp.tokens import new_token

STATUSES = ("confirmed", "waitlisted", "pending", "cancelled")
ACTIVE_STATUSES = ("confirmed", "waitlisted", "pending")
QUESTION_KINDS = ("short_text", "long_text", "choice", "choices", "yes_no")


class Question(Localized, db.Model):
    """A question an event adds to its registration form (e.g. accessibility needs)."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('short_text', 'long_text', 'choice', 'choices', 'yes_no')", name="kind_known"
        ),
    )

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
        CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'pending', 'cancelled')", name="status_known"
        ),
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
    status: Mapped[str] = mapped_column(String(20))
    # Personal data: emptied by erasure and by purge-personal-data (email becomes NULL).
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(150))
    commune: Mapped[str | None] = mapped_column(String(100))
    answers: Mapped[dict | None] = mapped_column(JSON)
    # Kept after anonymisation: what statistics need.
    sector: Mapped[str | None] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(5), default="fr")
    attended: Mapped[bool | None] = mapped_column(Boolean)
    consent_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    confirmed_at = mapped_column(UTCDateTime)
    cancelled_at = mapped_column(UTCDateTime)
    reminder_queued_at = mapped_column(UTCDateTime)
    anonymised_at = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    @property
    def full_name(self):
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    def __repr__(self):
        return f"<Registration {self.id} {self.status} event={self.event_id}>"
