"""Editions, offers (a host's open door), visit slots, visitors and their bookings."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.addresses import mail_address
from webapp.agenda.models import Bassin, Commune, Event, Localized, Organisation
from webapp.extensions import db
from webapp.grandbain.states import ACTIVE_BOOKINGS, BookingStatus, OfferStatus
from webapp.states import check_in
from webapp.timezones import UTCDateTime, utcnow
from webapp.tokens import new_attestation_code, new_token

# The largest group a host can welcome at once, and the fewest places a slot offers.
MAX_SLOT_CAPACITY = 50
# The bookings that hold a place or a place in the queue, as SQL (generated from the enum).
ACTIVE_ONLY = "status IN (" + ", ".join(f"'{value}'" for value in ACTIVE_BOOKINGS) + ")"
# Languages a host may speak with its visitors.
OFFER_LANGUAGES = ("fr", "nl", "en")
# What the retention purge clears from an offer: its named contact person.
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")

edition_bassins = Table(
    "grand_bain_edition_bassins",
    db.metadata,
    Column(
        "edition_id", ForeignKey("grand_bain_editions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("bassin_id", ForeignKey("bassins.id", ondelete="CASCADE"), primary_key=True),
)


class Edition(db.Model):
    """One year's Grand Bain: its week, the bassins taking part, its windows and caps."""

    __tablename__ = "grand_bain_editions"
    __table_args__ = (
        CheckConstraint("week_end >= week_start", name="week_in_order"),
        CheckConstraint("max_slots_per_offer >= 1", name="slots_cap_positive"),
        CheckConstraint("max_visits_per_visitor >= 1", name="visits_cap_positive"),
        CheckConstraint("margin_minutes >= 0", name="margin_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    week_start = mapped_column(Date, nullable=False)
    week_end = mapped_column(Date, nullable=False)
    call_opens_at = mapped_column(UTCDateTime)
    call_closes_at = mapped_column(UTCDateTime)
    booking_opens_at = mapped_column(UTCDateTime)
    booking_closes_at = mapped_column(UTCDateTime)
    max_slots_per_offer: Mapped[int] = mapped_column(Integer, default=3)
    max_visits_per_visitor: Mapped[int] = mapped_column(Integer, default=4)
    # Minutes a visitor needs between two visits (crossing town); 0: visits may touch.
    margin_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # The agenda's `grand-bain` event announcing the week, if any.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    # Totals of an edition held before this service existed, entered by hand.
    reported_services: Mapped[int | None] = mapped_column(Integer)
    reported_visitors: Mapped[int | None] = mapped_column(Integer)
    reported_visits: Mapped[int | None] = mapped_column(Integer)

    bassins: Mapped[list[Bassin]] = relationship(secondary=edition_bassins, order_by=Bassin.slug)
    event: Mapped[Event | None] = relationship()

    def is_booking_open(self, now):
        """Whether visitors may book now (the programme shows before that)."""
        opened = self.booking_opens_at is not None and self.booking_opens_at <= now
        return opened and (self.booking_closes_at is None or now < self.booking_closes_at)

    def is_call_open(self, now):
        """Whether services may answer the call now."""
        opened = self.call_opens_at is None or self.call_opens_at <= now
        return opened and (self.call_closes_at is None or now < self.call_closes_at)


class Offer(Localized, db.Model):
    """A service's open door: who it is, what visitors will discover, where and with whom."""

    __tablename__ = "grand_bain_offers"
    __table_args__ = (check_in("status", OfferStatus, name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("grand_bain_editions.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(300))
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="RESTRICT"))
    access_notes_fr: Mapped[str | None] = mapped_column(Text)
    access_notes_nl: Mapped[str | None] = mapped_column(Text)
    discover_fr: Mapped[str] = mapped_column(Text)
    discover_nl: Mapped[str | None] = mapped_column(Text)
    # Codes of OFFER_LANGUAGES, comma-separated.
    languages: Mapped[str] = mapped_column(String(20), default="fr")
    # The host's named contact person (CONTACT_FIELDS): cleared by purge-personal-data once
    # the edition's week is older than the retention period (then contact_cleared_at is set).
    contact_name: Mapped[str | None] = mapped_column(String(150))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_cleared_at = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=OfferStatus.SUBMITTED)
    # Why changes are asked for, or why the offer is refused (told to the host).
    reason: Mapped[str | None] = mapped_column(Text)
    # The host's personal link: edit the offer, later see its visitors.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    decided_at = mapped_column(UTCDateTime)

    edition: Mapped[Edition] = relationship()
    commune: Mapped[Commune] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    slots: Mapped[list["Slot"]] = relationship(
        back_populates="offer", order_by="Slot.start_at", cascade="all, delete-orphan"
    )

    @validates("contact_email")
    def _check_email(self, key, value):
        # It reaches mail headers: never a line break, always ASCII. None: cleared by the purge.
        return None if value is None else mail_address(value)

    @property
    def team_address(self):
        """The Grand Bain team's address: the bassin of the offer's commune, else the
        edition's first bassin with an address."""
        bassins = [self.commune.bassin, *self.edition.bassins] if self.commune else []
        return next((b.team_email for b in bassins if b.team_email), None)

    @property
    def reply_address(self):
        """Where a visitor's answers go: the host's contact person, else the team."""
        return self.contact_email or self.team_address

    def clear_contact(self, now):
        """Clear the contact person and retire the host's link (a new random token nobody
        holds); the service's name, address, texts and slots stay for the programme archive
        and the edition's figures."""
        for name in CONTACT_FIELDS:
            setattr(self, name, None)
        self.token = new_token()
        self.contact_cleared_at = now

    @property
    def discover(self):
        return self.localized("discover")

    @property
    def access_notes(self):
        return self.localized("access_notes")

    @property
    def language_codes(self):
        return [code for code in (self.languages or "").split(",") if code]

    @property
    def full_address(self):
        """Name, street and commune on one line, as a calendar LOCATION wants it."""
        return ", ".join(p for p in (self.name, self.address, self.commune.municipality) if p)


class Slot(db.Model):
    """A visit slot of an offer: a time and a number of places."""

    __tablename__ = "grand_bain_slots"
    __table_args__ = (
        CheckConstraint(
            f"capacity >= 1 AND capacity <= {MAX_SLOT_CAPACITY}", name="capacity_in_range"
        ),
        CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name="not_overbooked"),
        CheckConstraint("end_at > start_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("grand_bain_offers.id", ondelete="CASCADE"), index=True
    )
    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)
    capacity: Mapped[int] = mapped_column(Integer)
    # Confirmed bookings, kept by grandbain/rules.py under the slot's row lock (capacity.py).
    booked_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Closed by the host or the team: it takes no more bookings.
    closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    offer: Mapped[Offer] = relationship(back_populates="slots")

    @property
    def places_left(self):
        return max(self.capacity - (self.booked_count or 0), 0)


# What erasure and purge wipe from a visitor: everything that identifies her.
VISITOR_IDENTIFYING_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "organisation",
    "job_title",
    "commune",
)


class Visitor(db.Model):
    """A professional's programme in one edition: her details and her personal link."""

    __tablename__ = "grand_bain_visitors"
    __table_args__ = (UniqueConstraint("edition_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("grand_bain_editions.id", ondelete="CASCADE")
    )
    # The link to every visit of the address (cancel one or all, erase, the full feed): only
    # ever sent by mail, never shown on a page (whoever types an address must not see it).
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    # Normalised (trimmed, lower case): one visitor per address and edition. Personal data
    # (VISITOR_IDENTIFYING_FIELDS): emptied by erasure and purge-personal-data.
    email: Mapped[str | None] = mapped_column(String(254))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(60))
    job_title: Mapped[str | None] = mapped_column(String(150))
    commune: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(5), default="fr")
    consent_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    anonymised_at = mapped_column(UTCDateTime)

    edition: Mapped[Edition] = relationship()
    bookings: Mapped[list["Booking"]] = relationship(
        back_populates="visitor", order_by="Booking.id", cascade="all, delete-orphan"
    )

    @property
    def full_name(self):
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def anonymise(self, now):
        """Remove what identifies her, her questions to hosts included, and retire her links
        (a new random token nobody holds; her requests' links gone); keep sector, language
        and her bookings' status and attendance (the edition's figures)."""
        for name in VISITOR_IDENTIFYING_FIELDS:
            setattr(self, name, None)
        for booking in self.bookings:
            booking.question = None
            booking.request_token = None
        self.token = new_token()
        self.anonymised_at = now


class Booking(db.Model):
    """One visit a visitor booked (or waits for) in one slot."""

    __tablename__ = "grand_bain_bookings"
    __table_args__ = (
        check_in("status", BookingStatus, name="status_known"),
        # One active booking per person and slot; a cancelled one may be booked again.
        Index(
            "uq_grand_bain_bookings_active_slot_visitor",
            "slot_id",
            "visitor_id",
            unique=True,
            sqlite_where=text(ACTIVE_ONLY),
            postgresql_where=text(ACTIVE_ONLY),
        ),
        Index("ix_grand_bain_bookings_slot_status", "slot_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("grand_bain_slots.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(
        ForeignKey("grand_bain_visitors.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    # The link of the page the booking request landed on, shared by the visits that request
    # booked and by nothing else: whoever typed the address sees those visits, never the
    # address's others (those are behind Visitor.token, only ever sent by mail). None once
    # the visitor is erased or purged, and for visits booked before such links existed.
    request_token: Mapped[str | None] = mapped_column(String(64), index=True)
    # A question for the host, shown to the host only.
    question: Mapped[str | None] = mapped_column(Text)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    # The code printed on the visit's attestation of participation (webapp/attestations/).
    attestation_code: Mapped[str | None] = mapped_column(
        String(16), unique=True, default=new_attestation_code
    )
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    confirmed_at = mapped_column(UTCDateTime)
    cancelled_at = mapped_column(UTCDateTime)
    reminder_queued_at = mapped_column(UTCDateTime)

    slot: Mapped[Slot] = relationship()
    visitor: Mapped[Visitor] = relationship(back_populates="bookings")

    @property
    def is_active(self):
        return self.status in ACTIVE_BOOKINGS
