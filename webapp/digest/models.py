"""A subscription to the digest: an address and its choices (personal data, never shown)."""

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.digest.states import DigestLanguage, Frequency
from webapp.extensions import db
from webapp.states import check_in
from webapp.timezones import UTCDateTime, utcnow


class DigestSubscription(db.Model):
    """One address's digest. Pending until the link of its confirmation mail is followed
    (`confirmed_at`); a pending one is deleted after CONFIRMATION_DAYS, a confirmed one when
    its owner unsubscribes or erases it. `last_period` is the period of the last digest
    queued: the conditional UPDATE on it queues one digest per subscriber and period."""

    __tablename__ = "digest_subscriptions"
    __table_args__ = (
        check_in("frequency", Frequency, name="frequency_known"),
        check_in("language", DigestLanguage, name="language_known"),
        Index("ix_digest_subscriptions_due", "frequency", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    language: Mapped[str] = mapped_column(String(2), default=DigestLanguage.FR)
    frequency: Mapped[str] = mapped_column(String(10), default=Frequency.WEEKLY)
    # Slugs chosen; an empty list: all of them.
    bassins: Mapped[list] = mapped_column(JSON, default=list)
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    themes: Mapped[list] = mapped_column(JSON, default=list)
    # The link of every digest (change the choices, unsubscribe): only ever sent by mail.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    # The confirmation mail's link; None once confirmed.
    confirm_token: Mapped[str | None] = mapped_column(String(43), unique=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    confirmed_at = mapped_column(UTCDateTime)
    last_period: Mapped[str | None] = mapped_column(String(20))
    last_sent_at = mapped_column(UTCDateTime)

    @property
    def reference(self):
        """What its messages in the outbox are about."""
        return f"digest:{self.id}"
