"""Bassins, communes, venues, organisations, series and events."""

from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.addresses import mail_address
from webapp.agenda.states import (
    Audience,
    EventStatus,
    Kind,
    MeetingMode,
    PlaceMode,
    RegistrationMode,
)
from webapp.extensions import db
from webapp.states import check_in
from webapp.timezones import UTCDateTime, to_local, utcnow
from webapp.vocabulary import PUBLIC_STATUSES, current_language  # noqa: F401  (read from here too)


class Localized:
    """Fields stored as `<name>_fr` and `<name>_nl`: French is the source, Dutch optional."""

    def localized(self, name, language=None):
        language = language or current_language()
        if language == "nl":
            value = getattr(self, f"{name}_nl", None)
            if value:
                return value
        return getattr(self, f"{name}_fr")


class Bassin(Localized, db.Model):
    __tablename__ = "bassins"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(4))
    name_fr: Mapped[str] = mapped_column(String(120))
    name_nl: Mapped[str] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    # The team's address: Reply-To of the mail about its events that name no contact.
    team_email: Mapped[str | None] = mapped_column(String(254))

    communes: Mapped[list["Commune"]] = relationship(
        back_populates="bassin", order_by="Commune.name_fr"
    )

    @property
    def name(self):
        return self.localized("name")


class Commune(Localized, db.Model):
    """A commune of a bassin, or a district of one (Bruxelles-Ville is shared by three bassins)."""

    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_fr: Mapped[str] = mapped_column(String(160))
    name_nl: Mapped[str] = mapped_column(String(160))
    # The municipality itself: equal to the name except for districts of Bruxelles-Ville.
    municipality_slug: Mapped[str] = mapped_column(String(80), index=True)
    municipality_fr: Mapped[str] = mapped_column(String(120))
    municipality_nl: Mapped[str] = mapped_column(String(120))
    postal_codes: Mapped[str] = mapped_column(String(60), default="")
    bassin_id: Mapped[int] = mapped_column(ForeignKey("bassins.id", ondelete="RESTRICT"))

    bassin: Mapped[Bassin] = relationship(back_populates="communes")

    @property
    def name(self):
        return self.localized("name")

    @property
    def municipality(self):
        return self.localized("municipality")


class Venue(Localized, db.Model):
    __tablename__ = "venues"
    __table_args__ = (UniqueConstraint("name", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str | None] = mapped_column(String(10))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="SET NULL"))
    access_notes_fr: Mapped[str | None] = mapped_column(Text)
    access_notes_nl: Mapped[str | None] = mapped_column(Text)
    # Accessibility of the place itself (None: not known).
    step_free: Mapped[bool | None] = mapped_column(Boolean)
    lift: Mapped[bool | None] = mapped_column(Boolean)
    # Folded name, address and postal code, the name first (agenda/search.catalogue_text).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    commune: Mapped[Commune | None] = relationship()

    @property
    def access_notes(self):
        return self.localized("access_notes")

    @property
    def map_url(self):
        """An OpenStreetMap search for the address: a link, no tracking embed."""
        return "https://www.openstreetmap.org/search?" + urlencode({"query": self.full_address})

    @property
    def full_address(self):
        """Name, street and commune on one line, as a calendar LOCATION wants it."""
        parts = [self.name, self.address]
        if self.commune and self.commune.municipality not in (self.address or ""):
            parts.append(f"{self.postal_code or ''} {self.commune.municipality}".strip())
        return ", ".join(p for p in parts if p)


class Organisation(db.Model):
    """A service or structure: organiser of events, later a Grand Bain host."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str | None] = mapped_column(String(60))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    # The folded name (agenda/search.catalogue_text).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    commune: Mapped[Commune | None] = relationship()

    @validates("email")
    def _check_email(self, key, value):
        # It reaches .ics ORGANIZER lines and mail headers: never a line break, always ASCII.
        return mail_address(value) if value else None


series_bassins = Table(
    "series_bassins",
    db.metadata,
    Column("series_id", ForeignKey("series.id", ondelete="CASCADE"), primary_key=True),
    Column("bassin_id", ForeignKey("bassins.id", ondelete="CASCADE"), primary_key=True),
)

event_bassins = Table(
    "event_bassins",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "bassin_id",
        ForeignKey("bassins.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Series(Localized, db.Model):
    """A concertation thématique or any cycle of meetings; its slug is the `theme` filter."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    # Shared by the series of several bassins on one subject (e.g. liaison-ambulatoire-hopital).
    theme: Mapped[str | None] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(40), default="concertation")
    title_fr: Mapped[str] = mapped_column(String(200))
    title_nl: Mapped[str | None] = mapped_column(String(200))
    description_fr: Mapped[str | None] = mapped_column(Text)
    description_nl: Mapped[str | None] = mapped_column(Text)
    # Folded French and Dutch titles and the slug (agenda/search.catalogue_text).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    bassins: Mapped[list[Bassin]] = relationship(secondary=series_bassins, order_by=Bassin.slug)
    events: Mapped[list["Event"]] = relationship(back_populates="series", order_by="Event.start_at")

    @property
    def title(self):
        return self.localized("title")

    @property
    def description(self):
        return self.localized("description")


class Event(Localized, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint(
            "participants_count IS NULL OR participants_count >= 0",
            name="participants_not_negative",
        ),
        check_in("status", EventStatus, name="status_known"),
        check_in("registration_mode", RegistrationMode, name="mode_known"),
        check_in("kind", Kind, name="kind_known"),
        check_in("audience", Audience, name="audience_known"),
        CheckConstraint("capacity IS NULL OR confirmed_count <= capacity", name="not_overbooked"),
        check_in("mode", MeetingMode, name="meeting_mode_known"),
        CheckConstraint(
            "online_capacity IS NULL OR online_capacity >= 0", name="online_capacity_not_negative"
        ),
        CheckConstraint(
            "online_capacity IS NULL OR online_confirmed_count <= online_capacity",
            name="online_not_overbooked",
        ),
        # The feeds' validator (count, newest change, sum) read from the index alone.
        Index("ix_events_feed_state", "updated_at", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    audience: Mapped[str] = mapped_column(String(40), default="professionals")
    title_fr: Mapped[str] = mapped_column(String(250))
    title_nl: Mapped[str | None] = mapped_column(String(250))
    description_fr: Mapped[str | None] = mapped_column(Text)
    description_nl: Mapped[str | None] = mapped_column(Text)

    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    room: Mapped[str | None] = mapped_column(String(120))
    # On site, online or hybrid (agenda.states.MeetingMode). The online link reaches only the
    # confirmed online participants (agenda/meeting_links.py); an event without registration
    # (an open webinar) may show it to everyone, when `online_url_public` says so.
    mode: Mapped[str] = mapped_column(
        String(20), default=MeetingMode.ONSITE, server_default=MeetingMode.ONSITE.value
    )
    online_url: Mapped[str | None] = mapped_column(String(500))
    online_url_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="SET NULL"), index=True
    )
    series_number: Mapped[int | None] = mapped_column(Integer)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    contact_email: Mapped[str | None] = mapped_column(String(254))

    @validates("contact_email")
    def _check_contact_email(self, key, value):
        # It reaches .ics ORGANIZER lines and mail headers: never a line break, always ASCII.
        return mail_address(value) if value else None

    registration_mode: Mapped[str] = mapped_column(String(20), default=RegistrationMode.OPEN)
    # Places on site (NULL: no limit); an online or hybrid event's online places are apart.
    capacity: Mapped[int | None] = mapped_column(Integer)
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Confirmed registrations, kept by registrations/rules.py in the same transaction; the
    # conditional UPDATE on this row is what serialises registrations to one event.
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The online places (NULL: no limit) and those confirmed, kept like the on-site ones.
    online_capacity: Mapped[int | None] = mapped_column(Integer)
    online_confirmed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    registration_opens_at = mapped_column(UTCDateTime)
    registration_closes_at = mapped_column(UTCDateTime)

    status: Mapped[str] = mapped_column(String(20), default=EventStatus.PUBLISHED, index=True)
    status_reason_fr: Mapped[str | None] = mapped_column(Text)
    status_reason_nl: Mapped[str | None] = mapped_column(Text)

    # The public report of a past meeting.
    presentation_url: Mapped[str | None] = mapped_column(String(500))
    report_url: Mapped[str | None] = mapped_column(String(500))
    report_summary_fr: Mapped[str | None] = mapped_column(Text)
    report_summary_nl: Mapped[str | None] = mapped_column(Text)
    participants_count: Mapped[int | None] = mapped_column(Integer)
    # Sector-group slug -> number of participants, as the reports list them.
    participant_sectors: Mapped[dict | None] = mapped_column(JSON)

    # Practical facts: the meeting's languages (codes of MEETING_LANGUAGES, comma-separated),
    # whether it is free (None: not said) or its price, and the interpreting offered.
    languages: Mapped[str | None] = mapped_column(String(20))
    free: Mapped[bool | None] = mapped_column(Boolean)
    price_fr: Mapped[str | None] = mapped_column(String(200))
    price_nl: Mapped[str | None] = mapped_column(String(200))
    interpreting_fr: Mapped[str | None] = mapped_column(String(200))
    interpreting_nl: Mapped[str | None] = mapped_column(String(200))
    # INAMI/RIZIV accreditation number of an accredited training: printed on attestations;
    # its registration form then asks for each person's INAMI number.
    accreditation: Mapped[str | None] = mapped_column(String(60))

    # Repeating events (prevention rendez-vous): an RFC 5545 RRULE, skipped local dates.
    rrule: Mapped[str | None] = mapped_column(String(300))
    exdates: Mapped[list | None] = mapped_column(JSON)
    # Chosen dates (RDATE): local dates after the first, at the first date's times.
    rdates: Mapped[list | None] = mapped_column(JSON)

    # What a text search reads: titles, descriptions, series, venue, commune and organiser,
    # folded (agenda/search.py); kept by agenda.changes in the flush that changes any of them.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    # Grows with every change of time, place or status: the iCalendar SEQUENCE.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    venue: Mapped[Venue | None] = relationship()
    series: Mapped[Series | None] = relationship(back_populates="events")
    organiser: Mapped[Organisation | None] = relationship()
    bassins: Mapped[list[Bassin]] = relationship(secondary=event_bassins, order_by=Bassin.slug)
    overrides: Mapped[list["OccurrenceOverride"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="OccurrenceOverride.recurrence_start",
    )

    @property
    def title(self):
        return self.localized("title")

    @property
    def team_address(self):
        """The address of the event's (first) bassin's team, or None."""
        return next((b.team_email for b in self.bassins if b.team_email), None)

    @property
    def reply_address(self):
        """Where answers to mail about the event go: its contact, else its bassin's team."""
        return self.contact_email or self.team_address

    @property
    def description(self):
        return self.localized("description")

    @property
    def status_reason(self):
        return self.localized("status_reason")

    @property
    def report_summary(self):
        return self.localized("report_summary")

    @property
    def price(self):
        return self.localized("price")

    @property
    def interpreting(self):
        return self.localized("interpreting")

    @property
    def language_codes(self):
        return [code for code in (self.languages or "").split(",") if code]

    @property
    def is_recurring(self):
        return bool(self.rrule or self.rdates)

    @property
    def is_regional(self):
        return len(self.bassins) >= 5

    @property
    def duration(self) -> timedelta:
        return self.end_at - self.start_at

    @property
    def local_start(self):
        return to_local(self.start_at)

    @property
    def local_end(self):
        return to_local(self.end_at)

    @property
    def has_report(self):
        """A published report (agenda/reports.py) or one imported on the event's columns."""
        return bool(
            self.has_published_report
            or self.report_summary_fr
            or self.report_url
            or self.presentation_url
            or self.participants_count
        )

    @property
    def takes_registrations(self):
        return RegistrationMode(self.registration_mode).takes_registrations

    @property
    def meeting_mode(self):
        return MeetingMode(self.mode or MeetingMode.ONSITE)

    @property
    def place_modes(self):
        """The ways to attend (PlaceMode), each with its own places and waitlist."""
        return self.meeting_mode.place_modes

    def capacity_for(self, place_mode):
        """The places of one way to attend (NULL: no limit)."""
        return self.online_capacity if place_mode == PlaceMode.ONLINE else self.capacity

    def taken_for(self, place_mode):
        """The confirmed places of one way to attend."""
        if place_mode == PlaceMode.ONLINE:
            return self.online_confirmed_count or 0
        return self.confirmed_count or 0

    def places_left_for(self, place_mode):
        """Places still free in one way to attend, or None (no limit, no registration)."""
        limit = self.capacity_for(place_mode)
        if not self.takes_registrations or limit is None:
            return None
        return max(limit - self.taken_for(place_mode), 0)

    @property
    def places_left(self):
        """Places still free in every way to attend together, or None when one has no limit
        or the event takes no registrations."""
        left = [self.places_left_for(a) for a in self.place_modes]
        return None if None in left else sum(left)

    @property
    def total_capacity(self):
        """Every way to attend's places together, or None when one has no limit."""
        limits = [self.capacity_for(a) for a in self.place_modes]
        return None if None in limits else sum(limits)

    @property
    def places_taken(self):
        return (self.confirmed_count or 0) + (self.online_confirmed_count or 0)

    @property
    def places_key(self):
        """Both counts as one number, as content_state.PLACES_KEY_SQL reads them (the event
        page's cache key)."""
        return (self.confirmed_count or 0) + (self.online_confirmed_count or 0) * 1_000_000

    def __repr__(self):
        return f"<Event {self.id} {self.title_fr!r}>"


class OccurrenceOverride(db.Model):
    """One date of a repeating event that moved (time, venue) or was cancelled: a RECURRENCE-ID."""

    __tablename__ = "occurrence_overrides"
    __table_args__ = (UniqueConstraint("event_id", "recurrence_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # The start the rule gives for that date, in UTC: what RECURRENCE-ID names.
    recurrence_start = mapped_column(UTCDateTime, nullable=False)
    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    room: Mapped[str | None] = mapped_column(String(120))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    note_fr: Mapped[str | None] = mapped_column(Text)
    note_nl: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship(back_populates="overrides")
    venue: Mapped[Venue | None] = relationship()


class EventOccurrence(db.Model):
    """Derived index of every date of every event, so that the agenda pages in SQL.

    Rebuilt from the event (its rule, skipped dates and overrides) by agenda.changes after
    every flush that changes them; never edited by hand.
    """

    __tablename__ = "event_occurrences"
    __table_args__ = (
        UniqueConstraint("event_id", "recurrence_start"),
        Index("ix_event_occurrences_start_at", "start_at"),
        Index("ix_event_occurrences_end_at", "end_at"),
        # The agenda's count and page read these alone, without joining events
        # (bench/bench_agenda.py: the count of `/` 7.8 ms -> 0.3 ms on 20,000 events).
        Index("ix_event_occurrences_listed", "listed", "end_at", "start_at"),
        Index("ix_event_occurrences_listed_kind", "listed", "kind", "end_at", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    recurrence_start = mapped_column(UTCDateTime, nullable=False)
    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Copies of the event's facts that the filters use (agenda.changes keeps them in step).
    listed: Mapped[bool] = mapped_column(Boolean, default=False)  # status in PUBLIC_STATUSES
    kind: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(40))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    venue: Mapped[Venue | None] = relationship()

    @property
    def local_start(self):
        return to_local(self.start_at)

    @property
    def local_end(self):
        return to_local(self.end_at)
