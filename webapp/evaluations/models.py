"""Form templates per kind of event, each event's or Grand Bain offer's copy, invitations
and anonymous answers.

An answer has no link to its invitation, its registration or booking, its token or its
person: no foreign key, no copied value, a random UUID key (no order that follows the
invitations), the day only and the channel it came by (a personal link or the open link:
a flag shared by every answer of that channel). tests/evaluations/test_anonymity.py reads the
metadata to keep it so.

The open link takes one answer per client and form: an OpenLinkClaim holds a keyed hash of
the client's network address until the link closes, never the address, nor a link to the
answer.
"""

import uuid

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.agenda.models import Event
from webapp.evaluations.states import AnswerChannel
from webapp.extensions import db
from webapp.grandbain.models import Booking, Offer
from webapp.registrations.models import Registration
from webapp.states import check_in
from webapp.timezones import UTCDateTime, utcnow
from webapp.tokens import new_token


def _uuid():
    return str(uuid.uuid4())


def exactly_one(first, second):
    """A CHECK that one of two nullable links is set, never both or none."""
    name = f"{first.removesuffix('_id')}_or_{second.removesuffix('_id')}"
    return CheckConstraint(f"({first} IS NULL) <> ({second} IS NULL)", name=name)


class EvaluationTemplate(db.Model):
    """The questions asked after every event of one kind (editable by admins).

    `questions` is a list of {"key", "type", "required", "fr", "nl", "options"?, "low"?,
    "high"?}: keys are stable, so the same question can be followed across meetings.
    """

    __tablename__ = "evaluation_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), unique=True)
    questions: Mapped[list] = mapped_column(JSON)


class EvaluationForm(db.Model):
    """One event's evaluation, or one Grand Bain offer's (all its visit slots share it): a
    copy of its kind's questions (the team may add some), the token of its open link for
    walk-ins (events only), and when it closes."""

    __tablename__ = "evaluation_forms"
    __table_args__ = (exactly_one("event_id", "offer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("grand_bain_offers.id", ondelete="CASCADE"), unique=True
    )
    questions: Mapped[list] = mapped_column(JSON)
    open_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    opened_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    closes_at = mapped_column(UTCDateTime, nullable=False)

    event: Mapped[Event | None] = relationship()
    offer: Mapped[Offer | None] = relationship()

    @property
    def about(self):
        """What its answers are stored with: {"event_id": ...} or {"offer_id": ...}."""
        if self.event_id is not None:
            return {"event_id": self.event_id}
        return {"offer_id": self.offer_id}

    def is_open(self, now=None):
        return (now or utcnow()) < self.closes_at


class Invitation(db.Model):
    """A person's personal link to a form: once per registration of an event, or once per
    Grand Bain booking (one visit). Goes with the registration or booking (erasure, purge);
    says whether it was answered, never what or when."""

    __tablename__ = "evaluation_invitations"
    __table_args__ = (exactly_one("registration_id", "booking_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("grand_bain_bookings.id", ondelete="CASCADE"), unique=True
    )
    form_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_forms.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    reminded_at = mapped_column(UTCDateTime)

    registration: Mapped[Registration | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
    form: Mapped[EvaluationForm] = relationship()

    @property
    def person(self):
        """(type, id) of the registration or booking invited: how logs name the person."""
        if self.booking_id is not None:
            return ("grand_bain_booking", self.booking_id)
        return ("registration", self.registration_id)


class Answer(db.Model):
    """One filled form: the event or the Grand Bain offer, the day, the channel, the values
    keyed by question key. Nothing else (never the visit slot: a slot of a few visitors
    would name them)."""

    __tablename__ = "evaluation_answers"
    __table_args__ = (
        exactly_one("event_id", "offer_id"),
        check_in("channel", AnswerChannel, name="channel_known"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("grand_bain_offers.id", ondelete="CASCADE"), index=True
    )
    day = mapped_column(Date, nullable=False)
    channel: Mapped[str] = mapped_column(
        String(10), default=AnswerChannel.INVITED, server_default=AnswerChannel.INVITED.value
    )
    values: Mapped[dict] = mapped_column(JSON)
    # "Use as quote": the trimmed text the team chose for the report (with at most the
    # sector group as attribution, read from the values).
    quote_key: Mapped[str | None] = mapped_column(String(40))
    quote_text: Mapped[str | None] = mapped_column(Text)


class OpenLinkClaim(db.Model):
    """This client answered this form by its open link: a keyed hash of (form, network
    address), kept until the link closes (`expires_at`, the same for every claim of a form,
    so it dates nothing). No address, no time of its own, no link to the answer."""

    __tablename__ = "evaluation_open_claims"

    form_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_forms.id", ondelete="CASCADE"), primary_key=True
    )
    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at = mapped_column(UTCDateTime, nullable=False, index=True)
