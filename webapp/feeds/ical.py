"""iCalendar building: events into VEVENTs that calendar clients render right.

Used by the feeds, the one-event download, the personal feed and the emails' attachments.
Text escaping and line folding are left to the icalendar library.
"""

import re
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vRecur
from icalendar.parser import escape_char, foldline, param_value

from webapp.timezones import app_zone, to_local, utcnow
from webapp.vocabulary import KINDS

PRODID = "-//Bassins bruxellois d'aide et de soins//Agenda//FR"
REFRESH = timedelta(hours=1)
STATUSES = {"published": "CONFIRMED", "postponed": "CONFIRMED", "cancelled": "CANCELLED"}


def build_calendar(events, *, name=None, method=None, language="fr", cancelled_ids=()):
    """A VCALENDAR holding one VEVENT per event (draft events are left out).

    Recurring events carry RRULE and EXDATE, plus one VEVENT with RECURRENCE-ID per
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
    events, *, name=None, method=None, language="fr", cancelled_ids=(), tentative_ids=()
) -> bytes:
    """The bytes of build_calendar's calendar, written directly (what the feeds serve).

    The VEVENT lines are written here with the library's own text escaping, parameter
    quoting and line folding; building icalendar objects for thousands of events costs
    several times more. `events` may be Event models or any objects with the same fields.
    Events whose id is in `tentative_ids` are STATUS:TENTATIVE (a waitlisted registration).
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
    writer = _Writer(zone_name, language, stamp, set(cancelled_ids), set(tentative_ids))
    # Works outside a request too (mails sent by the worker): labels in the asked language.
    with _in_language(language):
        for event in events:
            if event.status != "draft":
                writer.event(event)
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


def event_uid(event_id):
    """The UID of an event, stable for its whole life."""
    return f"event-{event_id}@{base_host()}"


def event_url(event_id):
    return f"{current_app.config['BASE_URL']}/events/{event_id}"


def base_host():
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def _zone_name():
    return current_app.config.get("APP_TIMEZONE") or "Europe/Brussels"


def _in_language(language):
    """force_locale, unless that language is already current (nesting loses the outer one)."""
    current = get_locale() if has_request_context() else None
    if current is not None and current.language == language:
        return nullcontext()
    return force_locale(language)


def _text(obj, name, language):
    if language == "nl":
        value = getattr(obj, f"{name}_nl", None)
        if value:
            return value
    return getattr(obj, f"{name}_fr")


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
    """VEVENT content lines of events, in the order of build_calendar's calendar."""

    def __init__(self, zone_name, language, stamp, cancelled_ids, tentative_ids=frozenset()):
        self.zone = app_zone()
        self.tzid = f";TZID={param_value(zone_name)}"
        self.language = language
        self.stamp = stamp
        self.cancelled_ids = cancelled_ids
        self.tentative_ids = tentative_ids
        self.lines = []
        self.uid_suffix = f"@{base_host()}"
        self.base_url = current_app.config["BASE_URL"]
        self.labels = {}

    def local(self, value):
        return value.astimezone(self.zone).strftime("%Y%m%dT%H%M%S")

    def event(self, event):
        cancelled = event.id in self.cancelled_ids
        updated = _utc_text(event.updated_at or utcnow())
        add = self.lines.append
        add("BEGIN:VEVENT")
        self.head(event, updated)
        add(f"CREATED:{_utc_text(event.created_at or event.updated_at or utcnow())}")
        add(f"DTSTART{self.tzid}:{self.local(event.start_at)}")
        add(f"DTEND{self.tzid}:{self.local(event.end_at)}")
        if event.rrule:
            rule = vRecur.from_ical(event.rrule.removeprefix("RRULE:")).to_ical().decode()
            add(_line("RRULE", rule))
            exdates = _exdates(event)
            if exdates:
                add(_line("EXDATE", ",".join(self.local(d) for d in exdates), self.tzid))
        self.common(event, event.venue, event.room, cancelled)
        add("END:VEVENT")
        for override in event.overrides if event.rrule else ():
            add("BEGIN:VEVENT")
            self.head(event, updated)
            add(f"RECURRENCE-ID{self.tzid}:{self.local(override.recurrence_start)}")
            add(f"DTSTART{self.tzid}:{self.local(override.start_at)}")
            add(f"DTEND{self.tzid}:{self.local(override.end_at)}")
            note = override.note_nl if self.language == "nl" and override.note_nl else None
            self.common(
                event,
                override.venue or event.venue,
                override.room or event.room,
                cancelled or override.cancelled,
                note or override.note_fr,
            )
            add("END:VEVENT")

    def head(self, event, updated):
        add = self.lines.append
        add(f"UID:event-{event.id}{self.uid_suffix}")
        add(f"SEQUENCE:{event.sequence or 0}")
        add(f"DTSTAMP:{self.stamp or updated}")
        add(f"LAST-MODIFIED:{updated}")

    def common(self, event, venue, room, cancelled, note=None):
        add = self.lines.append
        language = self.language
        add(_line("SUMMARY", escape_char(_text(event, "title", language))))
        location = venue.full_address if venue else None
        if room and location:
            location = f"{room}, {location}"
        location = location or event.online_url
        if location:
            add(_line("LOCATION", escape_char(location)))
        url = f"{self.base_url}/events/{event.id}"
        add(_line("URL", url, ";VALUE=URI"))
        add(_line("DESCRIPTION", escape_char(self.description(event, url, note))))
        add(_line("CATEGORIES", ",".join(escape_char(c) for c in self.categories(event))))
        organizer = _organizer(event)
        if organizer:
            email, name = organizer
            params = f";CN={param_value(name)}" if name else ""
            add(_line("ORGANIZER", f"mailto:{email}", params))
        status = "CANCELLED" if cancelled else STATUSES.get(event.status, "CONFIRMED")
        if status == "CONFIRMED" and event.id in self.tentative_ids:
            status = "TENTATIVE"
        add(f"STATUS:{status}")
        add("TRANSP:OPAQUE")

    def description(self, event, url, note):
        """Plain text: the note of a changed date, the status reason, the description, the link."""
        parts = [note]
        if event.status in ("cancelled", "postponed"):
            parts.append(_text(event, "status_reason", self.language))
        parts.append(_text(event, "description", self.language))
        parts.append(event.online_url)
        parts.append(url)
        return "\n\n".join(p.strip() for p in parts if p and p.strip())

    def categories(self, event):
        kind = self.labels.get(event.kind)
        if kind is None:
            kind = self.labels[event.kind] = str(KINDS.get(event.kind, event.kind))
        labels = [kind]
        if event.series is not None:
            labels.append(_text(event.series, "title", self.language))
        return labels


def _organizer(event):
    """(email, name) of the organiser: the event's contact, its organisation, or the sender."""
    organiser = event.organiser
    email = event.contact_email or (organiser.email if organiser else None)
    name = organiser.name if organiser else None
    if not email:
        name_default, email = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
        name = name or name_default
    return (email, name) if email else None


def _exdates(event):
    """EXDATE values: the rule's start time on each skipped local date, in the event's zone."""
    first = to_local(event.start_at)
    zone = app_zone()
    values = []
    for value in event.exdates or ():
        day = datetime.fromisoformat(str(value)[:10]).date()
        values.append(datetime.combine(day, first.time().replace(tzinfo=None), tzinfo=zone))
    return sorted(values)
