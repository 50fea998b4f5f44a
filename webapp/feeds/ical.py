"""iCalendar building: calendar entries into VEVENTs that calendar clients render right.

A `CalendarEntry` (webapp/feeds/entries.py) is what a VEVENT says; an event becomes entries
in one function (`event_entries`), and anything else that belongs in a person's calendar (a
Grand Bain visit) can build its own and call `entries_text`. Used by the feeds, the one-event
download, the personal feed and the emails' attachments. Text escaping and parameter quoting
are left to the icalendar library; line folding is done here (`fold`), as the library does
it but by octets at once (its character-by-character loop for non-ASCII lines was 40 % of a
5,000-event feed's build).
"""

import re
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vRecur
from icalendar.parser import escape_char, param_value

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
    "fold",
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
    links=None,
) -> bytes:
    """The bytes of build_calendar's calendar: the events' entries (see `event_entries`).

    `events` may be Event models or any objects with the same fields (the feeds' rows);
    drafts are left out. Events whose id is in `cancelled_ids` are STATUS:CANCELLED, those in
    `tentative_ids` STATUS:TENTATIVE (a waitlisted or pending registration). `notes` maps an
    event id to a few words said after its title, e.g. why it is tentative; lazy strings
    are read in `language`. `attendee`: see `entries_text`. `links` maps an event id to
    the online meeting link of a person's own calendar (a confirmed online participant);
    without it, an entry shows only what the public may see (agenda/meeting_links.py).
    """
    cancelled_ids, tentative_ids, notes = set(cancelled_ids), set(tentative_ids), notes or {}
    links = links or {}
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
                    link=links.get(event.id),
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


# iCalendar's DATE-TIME (RFC 5545 3.3.5), formatted by hand: strftime was a tenth of a feed.
DATE_TIME = "%04d%02d%02dT%02d%02d%02d"


def _date_time(value):
    return DATE_TIME % (value.year, value.month, value.day, value.hour, value.minute, value.second)


def _utc_text(value):
    return _date_time(value.astimezone(UTC)) + "Z"


def _line(name, value, params=""):
    """One content line, folded by the library when longer than 75 octets.

    Text values arrive escaped (escape_char turns line feeds into \\n), but a lone CR, a
    NUL or another control character is left as it is, and a mailto: or URI value is not
    escaped at all: any that remains becomes a space, so no value can start a new property.
    """
    line = f"{name}{params}:{value}"
    if len(line) <= 75 and line.isascii() and line.isprintable():
        return line
    return fold(one_line(line))


# A content line holds at most 75 octets (RFC 5545 3.1): 74 of the value's, then the fold's
# CRLF and a space, whose space is not counted (as icalendar's foldline does it).
FOLD_OCTETS = 74


def fold(line):
    """The line folded every 74 octets of UTF-8, never inside a character.

    The same output as icalendar.parser.foldline (a test compares them), in octets: a piece
    ends where the next would pass 74 octets, moved back to the start of a character (a byte
    that is not a UTF-8 continuation byte, 0b10xxxxxx).
    """
    data = line.encode()
    if len(data) <= FOLD_OCTETS:
        return line
    pieces = []
    start, end = 0, len(data)
    while end - start > FOLD_OCTETS:
        cut = start + FOLD_OCTETS
        while data[cut] & 0xC0 == 0x80:
            cut -= 1
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode()


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text):
    """The text with every control character (CR and LF included) turned into a space."""
    return CONTROL_CHARACTERS.sub(" ", text)


class _Writer:
    """VEVENT content lines of calendar entries, in the order of build_calendar's calendar.

    A feed's entries share few values of some properties (places, categories, organisers,
    rules, change times): their lines are written once and reused (`repeated`).
    """

    def __init__(self, zone_name, stamp):
        self.zone = app_zone()
        self.tzid = f";TZID={param_value(zone_name)}"
        self.stamp = stamp
        self.lines = []
        self.organizer = None  # (email, name) when the entry names none: a scheduling message
        self.attendee = None  # (email, name) of the person a scheduling message is sent to
        self.written = {}  # (property, value) -> its line, for the values entries share

    def local(self, value):
        return _date_time(value.astimezone(self.zone))

    def repeated(self, name, value, write):
        """The line of property `name` for `value`, written by `write(value)` the first time."""
        key = (name, value)
        line = self.written.get(key)
        if line is None:
            line = self.written[key] = write(value)
        return line

    def entry(self, entry: CalendarEntry):
        add = self.lines.append
        add("BEGIN:VEVENT")
        add(_line("UID", entry.uid))
        add(f"SEQUENCE:{int(entry.sequence or 0)}")
        updated = self.repeated("", entry.updated_at, _utc_text)
        add(f"DTSTAMP:{self.stamp or updated}")
        add(f"LAST-MODIFIED:{updated}")
        if entry.recurrence_id is not None:
            add(f"RECURRENCE-ID{self.tzid}:{self.local(entry.recurrence_id)}")
        elif entry.created_at is not None:
            add(f"CREATED:{self.repeated('', entry.created_at, _utc_text)}")
        add(f"DTSTART{self.tzid}:{self.local(entry.start_at)}")
        add(f"DTEND{self.tzid}:{self.local(entry.end_at)}")
        if entry.rrule:
            add(self.repeated("RRULE", entry.rrule, _rrule_line))
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
            add(self.repeated("LOCATION", entry.location, _location_line))
        if entry.url:
            add(_line("URL", entry.url, ";VALUE=URI"))
        if entry.description:
            add(_line("DESCRIPTION", escape_char(entry.description)))
        if entry.conference:
            # RFC 7986: what Apple, Google and recent clients show as "join".
            url, label = entry.conference
            params = f";VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL={param_value(label)}"
            add(_line("CONFERENCE", one_line(url), params))
        if entry.categories:
            add(self.repeated("CATEGORIES", entry.categories, _categories_line))
        organizer = entry.organizer or self.organizer
        if organizer:
            add(self.repeated("ORGANIZER", organizer, _organizer_line))
        if self.attendee:
            add(_person_line("ATTENDEE", self.attendee, ATTENDEE_PARAMETERS))
        # Through the enum: a value it does not know raises instead of reaching a client.
        add(self.repeated("STATUS", entry.status, _status_line))
        add("TRANSP:OPAQUE")


# The person a scheduling message is sent to: already accepted, no answer wanted.
ATTENDEE_PARAMETERS = ";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE"


def _rrule_line(rrule):
    return _line("RRULE", vRecur.from_ical(rrule.removeprefix("RRULE:")).to_ical().decode())


def _location_line(location):
    return _line("LOCATION", escape_char(location))


def _categories_line(categories):
    return _line("CATEGORIES", ",".join(escape_char(c) for c in categories))


def _person_line(name, person, params=""):
    """ORGANIZER or ATTENDEE: (email, name or None) as a mailto: URI and its CN."""
    email, common_name = person
    if common_name:
        params = f";CN={param_value(common_name)}{params}"
    return _line(name, f"mailto:{email}", params)


def _organizer_line(organizer):
    return _person_line("ORGANIZER", organizer)


def _status_line(status):
    return f"STATUS:{EntryStatus(status)}"
