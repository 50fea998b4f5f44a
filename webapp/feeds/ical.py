"""iCalendar building: calendar entries into VEVENTs that calendar clients render right.

A `CalendarEntry` (webapp/feeds/entries.py) is what a VEVENT says; an event becomes entries
in one function (`event_entries`), and anything else that belongs in a person's calendar (a
Grand Bain visit) can build its own and call `entries_text`. Used by the feeds, the one-event
download, the personal feed and the emails' attachments. Text escaping and line folding are
left to the icalendar library.
"""

import re
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vRecur
from icalendar.parser import escape_char, foldline, param_value

from webapp.agenda.states import EventStatus
from webapp.feeds.entries import CalendarEntry, EntryStatus, EventContext, event_entries
from webapp.timezones import app_zone, utcnow

# CalendarEntry and EntryStatus are the writer's input: importable from here too.
__all__ = [
    "CalendarEntry",
    "EntryStatus",
    "build_calendar",
    "calendar_bytes",
    "calendar_text",
    "entries_text",
    "one_line",
    "vtimezone",
]

PRODID = "-//Bassins bruxellois d'aide et de soins//Agenda//FR"
REFRESH = timedelta(hours=1)


def build_calendar(events, *, name=None, method=None, language="fr", cancelled_ids=()):
    """A VCALENDAR holding one VEVENT per event (draft events are left out).

    Recurring events carry RRULE, RDATE and EXDATE, plus one VEVENT with RECURRENCE-ID per
    override in `event.overrides`. `method` sets METHOD (PUBLISH, REQUEST, CANCEL);
    events whose id is in `cancelled_ids` are written STATUS:CANCELLED.
    """
    body = calendar_text(
        events, name=name, method=method, language=language, cancelled_ids=cancelled_ids
    )
    return Calendar.from_ical(body)


def calendar_bytes(calendar) -> bytes:
    """The calendar as bytes (UTF-8, CRLF line endings, folded lines)."""
    return calendar.to_ical()


def calendar_text(
    events,
    *,
    name=None,
    method=None,
    language="fr",
    cancelled_ids=(),
    tentative_ids=(),
    notes=None,
    attendee=None,
) -> bytes:
    """The bytes of build_calendar's calendar: the events' entries (see `event_entries`).

    `events` may be Event models or any objects with the same fields (the feeds' rows);
    drafts are left out. Events whose id is in `cancelled_ids` are STATUS:CANCELLED, those in
    `tentative_ids` STATUS:TENTATIVE (a waitlisted or pending registration). `notes` maps an
    event id to a few words said after its title, e.g. why it is tentative; lazy strings
    are read in `language`. `attendee`: see `entries_text`.
    """
    cancelled_ids, tentative_ids, notes = set(cancelled_ids), set(tentative_ids), notes or {}
    entries = []
    # Works outside a request too (mails sent by the worker): labels in the asked language.
    with in_language(language):
        context = EventContext.current()
        for event in events:
            if event.status != EventStatus.DRAFT:
                entries += event_entries(
                    event,
                    language,
                    cancelled=event.id in cancelled_ids,
                    tentative=event.id in tentative_ids,
                    note=notes.get(event.id),
                    context=context,
                )
    return entries_text(entries, name=name, method=method, attendee=attendee)


# The scheduling messages a mail carries (RFC 5546): the registration's entry, its removal.
SCHEDULING_METHODS = ("REQUEST", "CANCEL")


def entries_text(entries, *, name=None, method=None, attendee=None) -> bytes:
    """A VCALENDAR of calendar entries, one VEVENT each (what the feeds and mails serve).

    The VEVENT lines are written here with the library's own text escaping, parameter
    quoting and line folding; building icalendar objects for thousands of entries costs
    several times more. `method` sets METHOD (PUBLISH, REQUEST, CANCEL).

    A scheduling message (REQUEST, CANCEL) names its ORGANIZER (the entry's, else the
    sender) and the person it is sent to as `attendee` ((email, name)): already accepted,
    no answer wanted (PARTSTAT=ACCEPTED, RSVP=FALSE), as RFC 5546 wants a REQUEST to name
    its attendees, without a client collecting replies nobody reads.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method.upper())
    if name:
        calendar.add("name", one_line(str(name)))
        calendar.add("x-wr-calname", one_line(str(name)))
    zone_name = _zone_name()
    calendar.add("x-wr-timezone", zone_name)
    # Durations proper (PT1H); a timedelta printed by Python ('1:00:00') is no iCalendar value.
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add_component(vtimezone(zone_name))
    head = calendar.to_ical()
    ending = b"END:VCALENDAR\r\n"
    # A published calendar's DTSTAMP is the last revision (RFC 5545 3.8.7.2): the same bytes
    # for the same data, on every worker. A scheduling message (REQUEST, CANCEL) is stamped now.
    stamp = None if method in (None, "PUBLISH") else _utc_text(utcnow())
    writer = _Writer(zone_name, stamp)
    if method and method.upper() in SCHEDULING_METHODS:
        writer.organizer = _sender()
        writer.attendee = attendee
    for entry in entries:
        writer.entry(entry)
    return head[: -len(ending)] + "\r\n".join(writer.lines).encode() + b"\r\n" + ending


def vtimezone(zone_name):
    """The VTIMEZONE of the app's zone: one STANDARD and one DAYLIGHT rule, as Outlook wants.

    Built from the zone's current rules (the EU's last Sunday of March and October, at 01:00
    UTC), which hold for Europe/Brussels since 1996; the tests compare it with zoneinfo.
    """
    zone = ZoneInfo(zone_name)
    winter = datetime(2001, 1, 15, 12, tzinfo=zone)
    summer = datetime(2001, 7, 15, 12, tzinfo=zone)
    standard_offset, daylight_offset = winter.utcoffset(), summer.utcoffset()
    component = Timezone()
    component.add("tzid", zone_name)
    if standard_offset == daylight_offset:
        part = TimezoneStandard()
        part.add("dtstart", datetime(1970, 1, 1))
        part.add("tzoffsetfrom", standard_offset)
        part.add("tzoffsetto", standard_offset)
        part.add("tzname", winter.tzname())
        component.add_component(part)
        return component
    # Transitions at 01:00 UTC: local 02:00 in spring, local 03:00 (summer time) in autumn.
    change_utc = timedelta(hours=1)
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(1970, 3, 29) + change_utc + standard_offset)
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    daylight.add("tzoffsetfrom", standard_offset)
    daylight.add("tzoffsetto", daylight_offset)
    daylight.add("tzname", summer.tzname())
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 10, 25) + change_utc + daylight_offset)
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    standard.add("tzoffsetfrom", daylight_offset)
    standard.add("tzoffsetto", standard_offset)
    standard.add("tzname", winter.tzname())
    component.add_component(daylight)
    component.add_component(standard)
    return component


def _sender():
    """(email, name) of MAIL_DEFAULT_SENDER: the organiser of an entry that names none."""
    name, email = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    return (email, name or None) if email else None


def _zone_name():
    return current_app.config.get("APP_TIMEZONE") or "Europe/Brussels"


def in_language(language):
    """force_locale, unless that language is already current (nesting loses the outer one)."""
    current = get_locale() if has_request_context() else None
    if current is not None and current.language == language:
        return nullcontext()
    return force_locale(language)


def _utc_text(value):
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _line(name, value, params=""):
    """One content line, folded by the library when longer than 75 octets.

    Text values arrive escaped (escape_char turns line feeds into \\n), but a lone CR, a
    NUL or another control character is left as it is, and a mailto: or URI value is not
    escaped at all: any that remains becomes a space, so no value can start a new property.
    """
    line = f"{name}{params}:{value}"
    if len(line) <= 75 and line.isascii() and line.isprintable():
        return line
    return foldline(one_line(line))


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text):
    """The text with every control character (CR and LF included) turned into a space."""
    return CONTROL_CHARACTERS.sub(" ", text)


class _Writer:
    """VEVENT content lines of calendar entries, in the order of build_calendar's calendar."""

    def __init__(self, zone_name, stamp):
        self.zone = app_zone()
        self.tzid = f";TZID={param_value(zone_name)}"
        self.stamp = stamp
        self.lines = []
        self.organizer = None  # (email, name) when the entry names none: a scheduling message
        self.attendee = None  # (email, name) of the person a scheduling message is sent to

    def local(self, value):
        return value.astimezone(self.zone).strftime("%Y%m%dT%H%M%S")

    def entry(self, entry: CalendarEntry):
        add = self.lines.append
        updated = _utc_text(entry.updated_at)
        add("BEGIN:VEVENT")
        add(_line("UID", entry.uid))
        add(f"SEQUENCE:{int(entry.sequence or 0)}")
        add(f"DTSTAMP:{self.stamp or updated}")
        add(f"LAST-MODIFIED:{updated}")
        if entry.recurrence_id is not None:
            add(f"RECURRENCE-ID{self.tzid}:{self.local(entry.recurrence_id)}")
        elif entry.created_at is not None:
            add(f"CREATED:{_utc_text(entry.created_at)}")
        add(f"DTSTART{self.tzid}:{self.local(entry.start_at)}")
        add(f"DTEND{self.tzid}:{self.local(entry.end_at)}")
        if entry.rrule:
            rule = vRecur.from_ical(entry.rrule.removeprefix("RRULE:")).to_ical().decode()
            add(_line("RRULE", rule))
        if entry.rdates:
            add(_line("RDATE", ",".join(self.local(d) for d in entry.rdates), self.tzid))
        if (entry.rrule or entry.rdates) and entry.exdates:
            add(_line("EXDATE", ",".join(self.local(d) for d in entry.exdates), self.tzid))
        self.body(entry)
        add("END:VEVENT")

    def body(self, entry: CalendarEntry):
        add = self.lines.append
        add(_line("SUMMARY", escape_char(entry.summary)))
        if entry.location:
            add(_line("LOCATION", escape_char(entry.location)))
        if entry.url:
            add(_line("URL", entry.url, ";VALUE=URI"))
        if entry.description:
            add(_line("DESCRIPTION", escape_char(entry.description)))
        if entry.categories:
            add(_line("CATEGORIES", ",".join(escape_char(c) for c in entry.categories)))
        organizer = entry.organizer or self.organizer
        if organizer:
            email, name = organizer
            params = f";CN={param_value(name)}" if name else ""
            add(_line("ORGANIZER", f"mailto:{email}", params))
        if self.attendee:
            email, name = self.attendee
            params = f";CN={param_value(name)}" if name else ""
            params += ";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE"
            add(_line("ATTENDEE", f"mailto:{email}", params))
        # Through the enum: a value it does not know raises instead of reaching a client.
        add(f"STATUS:{EntryStatus(entry.status)}")
        add("TRANSP:OPAQUE")
