"""A partner's proposal: the draft event it created and its moderation."""

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.agenda.models import Event
from webapp.extensions import db
from webapp.proposals.states import ProposalStatus
from webapp.states import check_in
from webapp.timezones import UTCDateTime, utcnow

# Who to write to about a proposal: what the retention purge clears.
CONTACT_FIELDS = ("submitter_name", "submitter_email", "phone")


class Proposal(db.Model):
    """The event itself is the draft (agenda.Event, status draft until accepted); the proposal
    holds who proposed it, their personal link, the moderation state and the moderator's last
    message. The place typed by the submitter stays text here until a moderator accepts it:
    only then does it become a Venue (no unchecked place in the public lists of venues)."""

    __tablename__ = "proposals"
    __table_args__ = (check_in("status", ProposalStatus, name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.SUBMITTED, index=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    language: Mapped[str] = mapped_column(String(2), default="fr")

    # The submitter's contact (CONTACT_FIELDS): cleared by purge-personal-data once the
    # proposal was decided long enough ago; the organisation and the event stay.
    submitter_name: Mapped[str | None] = mapped_column(String(200))
    submitter_email: Mapped[str | None] = mapped_column(String(254))
    organisation_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    # The staff account of a service that proposed from the back office (None: the public form).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))

    venue_name: Mapped[str | None] = mapped_column(String(200))
    venue_address: Mapped[str | None] = mapped_column(String(300))
    venue_postal_code: Mapped[str | None] = mapped_column(String(10))
    venue_commune: Mapped[str | None] = mapped_column(String(120))
    registration_url: Mapped[str | None] = mapped_column(String(500))

    # The moderator's last word: the changes asked for, or the reason of a refusal.
    message: Mapped[str | None] = mapped_column(Text)
    submitted_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    anonymised_at = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    @property
    def state(self):
        return ProposalStatus(self.status)

    @property
    def has_place(self):
        return bool(self.venue_name or self.venue_address)

    @property
    def place_line(self):
        """The typed place on one line, as the preview and the mails show it."""
        town = " ".join(p for p in (self.venue_postal_code, self.venue_commune) if p)
        return ", ".join(p for p in (self.venue_name, self.venue_address, town) if p)

    def forget_submitter(self, now):
        """Clear the submitter's contact; the event, the organisation and the decision stay."""
        for name in CONTACT_FIELDS:
            setattr(self, name, None)
        self.anonymised_at = now

    def __repr__(self):
        return f"<Proposal {self.id} {self.status} event {self.event_id}>"
