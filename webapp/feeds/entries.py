"""What a calendar entry says, and the entries of an event.

A `CalendarEntry` is one VEVENT (UID, URL, summary, times, place, status, sequence), written
by `webapp.feeds.ical`. An event becomes entries in one function, `event_entries`; anything
else that belongs in a person's calendar (a Grand Bain visit) builds its own entry.
"""

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _

from webapp.agenda.meeting_links import is_online, public_link
from webapp.agenda.states import EventStatus
from webapp.timezones import app_zone, to_local, utcnow
from webapp.urls import absolute_url, base_host
from webapp.vocabulary import KINDS


class EntryStatus(StrEnum):
    """A VEVENT's STATUS (RFC 5545 3.8.1.11): what a calendar client shows of the entry."""

    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"  # a place not (yet) the person's: waitlisted, awaiting approval
    CANCELLED = "CANCELLED"


# An event's status as a VEVENT's. A postponed event keeps its old date until it gets a new
# one (a calendar needs one), so it is not a firm one: TENTATIVE, and its summary says why.
STATUSES = {
    EventStatus.PUBLISHED: EntryStatus.CONFIRMED,
    EventStatus.POSTPONED: EntryStatus.TENTATIVE,
    EventStatus.CANCELLED: EntryStatus.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One VEVENT: what a calendar client keeps of an event, a visit, an occurrence.

    Times are aware datetimes (written in the app's zone). Text is plain: the writer escapes
    it and turns control characters into spaces. An entry with `recurrence_id` overrides one
    occurrence of the entry with the same `uid` and an `rrule` (RFC 5545 3.8.4.4); the
    recurring entry comes first.
    """

    uid: str
    url: str | None
    summary: str
    start_at: datetime
    end_at: datetime
    updated_at: datetime
    sequence: int = 0
    status: EntryStatus = EntryStatus.CONFIRMED
    description: str | None = None
    categories: tuple[str, ...] = ()
    location: str | None = None
    # (email, name or None) of whoever answers for the entry.
    organizer: tuple[str, str | None] | None = None
    created_at: datetime | None = None
    # A recurring entry: its rule (RRULE's value) and the starts it skips.
    rrule: str | None = None
    exdates: tuple[datetime, ...] = ()
    rdates: tuple[datetime, ...] = ()  # chosen dates beside (or instead of) a rule
    # An override: the start, in the rule, of the occurrence it replaces.
    recurrence_id: datetime | None = None
    # (url, label) of an online meeting: CONFERENCE (RFC 7986).
    conference: tuple[str, str] | None = None


def event_uid(event_id, host=None):
    """The UID of an event, stable for its whole life."""
    return f"event-{event_id}@{host or base_host()}"


def event_url(event_id, language=None):
    """The event's public page, absolute."""
    return absolute_url("agenda.event", event_id=event_id, lang=language)


# An id no event has: where it stands in a URL built with it, any id stands.
URL_SAMPLE_ID = 2147483647


@dataclass(frozen=True, slots=True)
class EventContext:
    """What every event of one calendar shares, read once rather than per event."""

    kind_labels: dict  # kind slug -> label, in the calendar's language
    host: str  # the right-hand side of UIDs
    sender: tuple[str, str]  # (name, email) of MAIL_DEFAULT_SENDER: the organiser by default
    # (venue, room) -> LOCATION: a feed's events share a few venues, whose address is
    # localised (the commune's name) at some cost.
    addresses: dict = field(default_factory=dict)
    # language -> the event URL's (head, tail) around its id: built once, not per event.
    url_parts: dict = field(default_factory=dict)

    @classmethod
    def current(cls):
        """The context of the app and the locale in force (call it in the calendar's)."""
        return cls(
            kind_labels={kind: str(label) for kind, label in KINDS.items()},
            host=base_host(),
            sender=parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or ""),
        )

    def event_url(self, event_id, language):
        """`event_url(event_id, language)`, from the URL built once for this calendar."""
        parts = self.url_parts.get(language)
        if parts is None:
            sample = event_url(URL_SAMPLE_ID, language)
            head, found, tail = sample.partition(str(URL_SAMPLE_ID))
            # Only when the id stands once in the URL (a BASE_URL holding those digits: build).
            parts = (head, tail) if found and str(URL_SAMPLE_ID) not in tail else False
            self.url_parts[language] = parts
        if not parts:
            return event_url(event_id, language)
        return f"{parts[0]}{int(event_id)}{parts[1]}"


def event_entries(
    event, language, *, cancelled=False, tentative=False, note=None, context=None, link=None
):
    """The calendar entries of an event: itself, then one per changed or cancelled date.

    Call it in `language`'s locale (calendar_text does): the kind's label and the venue's
    commune are read there. `cancelled` writes every entry STATUS:CANCELLED (the person's
    registration is cancelled); `tentative` marks the entries that are not cancelled
    TENTATIVE (a place not yet theirs). `note` is said in brackets after the title (why the
    entry is tentative: calendars show TENTATIVE faintly, if at all). `context` is
    EventContext.current(), read once per calendar when there are many events. `link`: the
    online meeting link of a confirmed online participant's own entry; without it, the link
    the public may see, if any (agenda/meeting_links.py).
    """
    context = context or EventContext.current()
    where = _("En ligne")
    # A participant's own online place is "En ligne", whatever room the others meet in.
    own_online_place = bool(link)
    venue = None if own_online_place else event.venue
    link = link or public_link(event)
    online = is_online(event)
    updated_at = event.updated_at or utcnow()
    url = context.event_url(event.id, language)
    kind = context.kind_labels.get(event.kind) or event.kind
    categories = (kind, _text(event.series, "title", language)) if event.series else (kind,)
    status = (
        EntryStatus.CANCELLED if cancelled else STATUSES.get(event.status, EntryStatus.CONFIRMED)
    )
    if status == EntryStatus.CONFIRMED and tentative:
        status = EntryStatus.TENTATIVE
    summary = _text(event, "title", language)
    recurring = bool(event.rrule or event.rdates)
    notes = [_("Reporté – date à confirmer")] if event.status == EventStatus.POSTPONED else []
    notes += [str(note)] if note else []
    if notes:
        summary = f"{summary} ({', '.join(notes)})"
    shared = {
        "uid": event_uid(event.id, context.host),
        "url": url,
        "summary": summary,
        "updated_at": updated_at,
        "sequence": event.sequence or 0,
        "categories": categories,
        "organizer": _organizer(event, context.sender),
        "conference": (link, _("Rejoindre la réunion en ligne")) if link else None,
    }
    entries = [
        CalendarEntry(
            **shared,
            start_at=event.start_at,
            end_at=event.end_at,
            status=status,
            location=_location(context, venue, event.room, online and where),
            description=_description(event, language, url, link=link),
            created_at=event.created_at or updated_at,
            rrule=event.rrule or None,
            exdates=tuple(_exdates(event)) if recurring else (),
            rdates=tuple(_local_dates(event, event.rdates)),
        )
    ]
    for override in event.overrides if recurring else ():
        note = override.note_nl if language == "nl" and override.note_nl else None
        entries.append(
            CalendarEntry(
                **shared,
                start_at=override.start_at,
                end_at=override.end_at,
                status=EntryStatus.CANCELLED if override.cancelled else status,
                location=_location(
                    context,
                    None if own_online_place else (override.venue or event.venue),
                    override.room or event.room,
                    online and where,
                ),
                description=_description(event, language, url, note or override.note_fr, link),
                recurrence_id=override.recurrence_start,
            )
        )
    return entries


def _location(context, venue, room, online):
    """The room and the venue's address on one line; "En ligne" (`online`) when there is no
    venue: never the link, which the description carries where it may."""
    if venue is None:
        return online or None
    key = (venue, room)
    location = context.addresses.get(key)
    if location is None:
        location = venue.full_address
        if room and location:
            location = f"{room}, {location}"
        context.addresses[key] = location
    return location or online or None


def _description(event, language, url, note=None, link=None):
    """Plain text: the note of a changed date, the status reason, the meeting link (where
    Thunderbird, Outlook and Apple show it), the description, the page."""
    parts = [note]
    if event.status == EventStatus.POSTPONED:
        # The entry keeps its old date (a calendar needs one): say that it is void.
        parts.append(_("Reporté : date à confirmer."))
    if event.status in (EventStatus.CANCELLED, EventStatus.POSTPONED):
        parts.append(_text(event, "status_reason", language))
    if link:
        parts.append(_("Lien de la réunion en ligne : %(link)s", link=link))
    parts.append(_text(event, "description", language))
    parts.append(url)
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _organizer(event, sender):
    """(email, name) of the organiser: the event's contact, its organisation, or the sender."""
    organiser = event.organiser
    email = event.contact_email or (organiser.email if organiser else None)
    name = organiser.name if organiser else None
    if not email:
        name_default, email = sender
        name = name or name_default
    return (email, name) if email else None


def _exdates(event):
    """EXDATE values: the rule's start time on each skipped local date, in the event's zone."""
    return _local_dates(event, event.exdates)


def _local_dates(event, days):
    """Local dates (EXDATE, RDATE values) at the first start's time, in the event's zone."""
    if not days:
        return []
    first = to_local(event.start_at)
    zone = app_zone()
    values = []
    for value in days or ():
        day = datetime.fromisoformat(str(value)[:10]).date()
        values.append(datetime.combine(day, first.time().replace(tzinfo=None), tzinfo=zone))
    return sorted(values)


def _text(obj, name, language):
    if language == "nl":
        value = getattr(obj, f"{name}_nl", None)
        if value:
            return value
    return getattr(obj, f"{name}_fr")
