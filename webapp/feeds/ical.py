"""iCalendar building: events into VEVENTs that calendar clients render right.

Used by the feeds, the one-event download, the personal feed and the emails' attachments.
Text escaping and line folding are left to the icalendar library.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from icalendar import (
    Calendar,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vRecur,
    vText,
)
from icalendar import (
    Event as VEvent,
)

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
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method.upper())
    if name:
        calendar.add("name", str(name))
        calendar.add("x-wr-calname", str(name))
    zone_name = _zone_name()
    calendar.add("x-wr-timezone", zone_name)
    # Durations proper (PT1H); a timedelta printed by Python ('1:00:00') is no iCalendar value.
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add_component(vtimezone(zone_name))
    # A published calendar's DTSTAMP is the last revision (RFC 5545 3.8.7.2): the same bytes
    # for the same data, on every worker. A scheduling message (REQUEST, CANCEL) is stamped now.
    stamp = None if method in (None, "PUBLISH") else utcnow().replace(microsecond=0)
    cancelled_ids = set(cancelled_ids)
    # Works outside a request too (mails sent by the worker): labels in the asked language.
    with force_locale(language):
        for event in events:
            if event.status == "draft":
                continue
            cancelled = event.id in cancelled_ids
            calendar.add_component(_vevent(event, language, stamp, cancelled))
            for override in event.overrides if event.rrule else ():
                calendar.add_component(
                    _override_vevent(event, override, language, stamp, cancelled)
                )
    return calendar


def calendar_bytes(calendar) -> bytes:
    """The calendar as bytes (UTF-8, CRLF line endings, folded lines)."""
    return calendar.to_ical()


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


def _local(value):
    """A local datetime whose tzinfo the library writes as TZID=<zone>."""
    return to_local(value).replace(microsecond=0)


def _vevent(event, language, stamp, cancelled):
    vevent = VEvent()
    vevent.add("uid", event_uid(event.id))
    vevent.add("sequence", event.sequence or 0)
    vevent.add("dtstamp", stamp or _utc(event.updated_at))
    vevent.add("last-modified", _utc(event.updated_at))
    vevent.add("created", _utc(event.created_at))
    vevent.add("dtstart", _local(event.start_at))
    vevent.add("dtend", _local(event.end_at))
    _common(vevent, event, language, event.venue, event.room, cancelled)
    if event.rrule:
        vevent.add("rrule", vRecur.from_ical(event.rrule.removeprefix("RRULE:")))
        exdates = _exdates(event)
        if exdates:
            vevent.add("exdate", exdates)
    return vevent


def _override_vevent(event, override, language, stamp, cancelled):
    vevent = VEvent()
    vevent.add("uid", event_uid(event.id))
    vevent.add("sequence", event.sequence or 0)
    vevent.add("dtstamp", stamp or _utc(event.updated_at))
    vevent.add("last-modified", _utc(event.updated_at))
    vevent.add("recurrence-id", _local(override.recurrence_start))
    vevent.add("dtstart", _local(override.start_at))
    vevent.add("dtend", _local(override.end_at))
    venue = override.venue or event.venue
    note = override.note_nl if language == "nl" and override.note_nl else override.note_fr
    _common(
        vevent,
        event,
        language,
        venue,
        override.room or event.room,
        cancelled or override.cancelled,
        note,
    )
    return vevent


def _common(vevent, event, language, venue, room, cancelled, note=None):
    vevent.add("summary", event.localized("title", language))
    location = venue.full_address if venue else None
    if room and location:
        location = f"{room}, {location}"
    if location:
        vevent.add("location", location)
    elif event.online_url:
        vevent.add("location", event.online_url)
    vevent.add("url", event_url(event.id), parameters={"VALUE": "URI"})
    vevent.add("description", _description(event, language, note))
    vevent.add("categories", _categories(event, language))
    organizer = _organizer(event)
    if organizer is not None:
        vevent.add("organizer", organizer)
    status = "CANCELLED" if cancelled else STATUSES.get(event.status, "CONFIRMED")
    vevent.add("status", status)
    vevent.add("transp", "OPAQUE")


def _description(event, language, note=None):
    """Plain text: the note of a changed date, the status reason, the description, the link."""
    parts = [note]
    if event.status in ("cancelled", "postponed"):
        parts.append(event.localized("status_reason", language))
    parts.append(event.localized("description", language))
    if event.online_url:
        parts.append(event.online_url)
    parts.append(event_url(event.id))
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _categories(event, language):
    labels = [str(KINDS.get(event.kind, event.kind))]
    if event.series is not None:
        labels.append(event.series.localized("title", language))
    return [vText(label) for label in labels]


def _organizer(event):
    organiser = event.organiser
    email = event.contact_email or (organiser.email if organiser else None)
    name = organiser.name if organiser else None
    if not email:
        name_default, email = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
        name = name or name_default
    if not email:
        return None
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def _exdates(event):
    """EXDATE values: the rule's start time on each skipped local date, in the event's zone."""
    first = to_local(event.start_at)
    zone = app_zone()
    values = []
    for value in event.exdates or ():
        day = datetime.fromisoformat(str(value)[:10]).date()
        values.append(datetime.combine(day, first.time().replace(tzinfo=None), tzinfo=zone))
    return sorted(values)


def _utc(value):
    return (value or utcnow()).astimezone(UTC).replace(microsecond=0)
