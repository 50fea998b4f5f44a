"""The outbox: every message is written in the same transaction as the change that causes it."""

from enum import StrEnum

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.timezones import UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    """pending -> sending (claimed by one worker) -> sent | pending again (retry) | failed.
    unwritten -> pending: a message recorded as facts, written by the worker (mail.deferred).
    """

    UNWRITTEN = "unwritten"
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # An iCalendar attachment (invite.ics) and its METHOD, when the message carries one.
    ics: Mapped[str | None] = mapped_column(Text)
    ics_method: Mapped[str | None] = mapped_column(String(20))
    # Where an answer goes (the event's contact, its bassin's team); None: to the sender.
    reply_to: Mapped[str | None] = mapped_column(String(254))
    # What the message is about ("registration:42"), so erasure and purge can find it; the
    # mail area names no table of the areas above it.
    reference: Mapped[str | None] = mapped_column(String(60), index=True)
    # The one-click unsubscribe link of a digest (RFC 8058): `List-Unsubscribe` with
    # `List-Unsubscribe-Post`. A personal link: blanked with the address once sent.
    list_unsubscribe: Mapped[str | None] = mapped_column(String(300))
    # An OutboxStatus. A sent message keeps no recipient and no body (see the README).
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING)
    # Counted (and committed) as a worker takes the message, before a byte is sent.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(40), index=True)
    claimed_at = mapped_column(UTCDateTime)
    sent_at = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
