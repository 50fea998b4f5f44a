"""What search engines and shared links read of an event or a series page: schema.org
JSON-LD (`Event`, `EventSeries`) and OpenGraph / Twitter card tags.

Built from the same objects as the page, inside its rendering, so the data changes with the
event as the page does (the page cache's key moves with every change, and with the event's
places). Times are local with their offset. The JSON is written so that no `</script>`
(nor `<!--`) can close or confuse the element it sits in: `<`, `>` and `&` become `\\u003c`,
`\\u003e`, `\\u0026`, which JSON reads back as the same characters.
"""

import json
from datetime import datetime

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from webapp.agenda.meeting_links import is_online, public_link
from webapp.agenda.states import EventStatus, MeetingMode
from webapp.audit import AuditEntry
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.templating import when
from webapp.timezones import to_local
from webapp.urls import absolute_url

SCHEMA = "https://schema.org/"
# Shared links show a line or two: a longer description is cut.
DESCRIPTION_LENGTH = 300


def json_ld(data):
    """The JSON-LD object as the text of a <script type="application/ld+json"> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # U+2028 and U+2029 end a line in a script; JSON allows them raw, JavaScript did not.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _iso(value):
    return to_local(value).isoformat(timespec="seconds")


def _cut(text, length=DESCRIPTION_LENGTH):
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _place(venue, room=None):
    address = {"@type": "PostalAddress", "addressCountry": "BE"}
    if venue.address:
        address["streetAddress"] = venue.address
    if venue.postal_code:
        address["postalCode"] = venue.postal_code
    if venue.commune:
        address["addressLocality"] = venue.commune.municipality
    name = f"{room}, {venue.name}" if room else venue.name
    return {"@type": "Place", "name": name, "address": address}


def _online(event, page_url):
    """The online place: the link itself when its team published it (an open webinar), else
    the page (the link goes only to confirmed online participants: agenda/meeting_links.py)."""
    return {"@type": "VirtualLocation", "url": public_link(event) or page_url}


ATTENDANCE_MODES = {
    MeetingMode.HYBRID: SCHEMA + "MixedEventAttendanceMode",
    MeetingMode.ONLINE: SCHEMA + "OnlineEventAttendanceMode",
    MeetingMode.ONSITE: SCHEMA + "OfflineEventAttendanceMode",
}


def _attendance(event):
    return ATTENDANCE_MODES[MeetingMode(event.mode or MeetingMode.ONSITE)]


def first_start_moved_from(event_id):
    """The start an event had before it was first moved to another date, or None."""
    rows = db.session.scalars(
        select(AuditEntry.before)
        .where(
            AuditEntry.subject_type == "event",
            AuditEntry.subject_id == event_id,
            AuditEntry.action == AuditAction.EVENT_MOVED,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    for before in rows:
        value = (before or {}).get("start_at")
        if value:
            return datetime.fromisoformat(value) if isinstance(value, str) else value
    return None


def _status(event, moved_from):
    if event.status == EventStatus.CANCELLED:
        return SCHEMA + "EventCancelled"
    if event.status == EventStatus.POSTPONED:
        return SCHEMA + "EventPostponed"
    if moved_from is not None:
        return SCHEMA + "EventRescheduled"
    return SCHEMA + "EventScheduled"


def _organizer(event):
    if event.organiser is not None:
        organizer = {"@type": "Organization", "name": event.organiser.name}
        if event.organiser.website:
            organizer["url"] = event.organiser.website
        return organizer
    bassins = [
        {"@type": "Organization", "name": b.name, **({"url": b.website} if b.website else {})}
        for b in event.bassins
    ]
    return bassins[0] if len(bassins) == 1 else bassins or None


def event_data(event, language, dates=()):
    """The schema.org Event of an event page; `dates`: the coming dates of a repeating
    event ((occurrence, venue) pairs)."""
    page = absolute_url("agenda.event", event_id=event.id, lang=language)
    moved_from = first_start_moved_from(event.id)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": absolute_url("agenda.event", event_id=event.id),
        "name": event.title,
        "url": page,
        "startDate": _iso(event.start_at),
        "endDate": _iso(event.end_at),
        "eventStatus": _status(event, moved_from),
        "eventAttendanceMode": _attendance(event),
    }
    if moved_from is not None and event.status != EventStatus.POSTPONED:
        data["previousStartDate"] = _iso(moved_from)
    if event.description:
        data["description"] = _cut(event.description)
    locations = []
    if event.venue is not None:
        locations.append(_place(event.venue, event.room))
    if is_online(event):
        locations.append(_online(event, page))
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    organizer = _organizer(event)
    if organizer:
        data["organizer"] = organizer
    if event.free is not None:
        data["isAccessibleForFree"] = bool(event.free)
    if event.language_codes:
        codes = event.language_codes
        data["inLanguage"] = codes[0] if len(codes) == 1 else codes
    if event.series is not None:
        data["superEvent"] = {
            "@type": "EventSeries",
            "@id": absolute_url("agenda.series", slug=event.series.slug),
            "name": event.series.title,
        }
    if event.takes_registrations:
        data["offers"] = _offer(event, language)
    if event.capacity is not None and event.takes_registrations:
        data["maximumAttendeeCapacity"] = event.capacity
    if event.places_left is not None:
        data["remainingAttendeeCapacity"] = event.places_left
    if dates:
        data["subEvent"] = [_date(event, o, venue, moved_from) for o, venue in dates]
    return data


def _offer(event, language):
    offer = {
        "@type": "Offer",
        # The event's page, which says whether and how to register now (a closed, full or
        # past event offers no form: its URL is named on no page that does not offer it).
        "url": absolute_url("agenda.event", event_id=event.id, lang=language),
        "availability": SCHEMA + ("SoldOut" if event.places_left == 0 else "InStock"),
    }
    if event.free:
        offer.update(price="0", priceCurrency="EUR")
    if event.registration_opens_at:
        offer["validFrom"] = _iso(event.registration_opens_at)
    if event.registration_closes_at:
        offer["validThrough"] = _iso(event.registration_closes_at)
    return offer


def _date(event, occurrence, venue, moved_from):
    """One coming date of a repeating event."""
    data = {
        "@type": "Event",
        "name": event.title,
        "startDate": _iso(occurrence.start),
        "endDate": _iso(occurrence.end),
        "eventStatus": SCHEMA + "EventCancelled"
        if occurrence.cancelled
        else _status(event, moved_from),
    }
    if venue is not None:
        data["location"] = _place(venue)
    return data


def series_data(series, upcoming, past, language):
    """The schema.org EventSeries of a series page, its meetings as sub-events."""
    data = {
        "@context": "https://schema.org",
        "@type": "EventSeries",
        "@id": absolute_url("agenda.series", slug=series.slug),
        "name": series.title,
        "url": absolute_url("agenda.series", slug=series.slug, lang=language),
    }
    if series.description:
        data["description"] = _cut(series.description)
    meetings = [*upcoming, *reversed(past)]
    if meetings:
        data["subEvent"] = [_meeting(e, language) for e in meetings[:50]]
    return data


def _meeting(event, language):
    """A meeting of a series, in brief."""
    data = {
        "@type": "Event",
        "@id": absolute_url("agenda.event", event_id=event.id),
        "name": event.title,
        "url": absolute_url("agenda.event", event_id=event.id, lang=language),
        "startDate": _iso(event.start_at),
        "endDate": _iso(event.end_at),
        "eventStatus": _status(event, None),
    }
    if event.venue is not None:
        data["location"] = _place(event.venue, event.room)
    return data


def social_tags(title, description, url, language, kind="website"):
    """OpenGraph and Twitter card tags: (attribute, name, content) triples."""
    description = _cut(description, 200)
    tags = [
        ("property", "og:site_name", _("Agenda des bassins d'aide et de soins")),
        ("property", "og:type", kind),
        ("property", "og:title", title),
        ("property", "og:url", url),
        ("property", "og:locale", "nl_BE" if language == "nl" else "fr_BE"),
        ("name", "twitter:card", "summary"),
        ("name", "twitter:title", title),
    ]
    if description:
        tags += [
            ("property", "og:description", description),
            ("name", "twitter:description", description),
        ]
    return tags


def event_social_tags(event, language):
    """A shared event link's card: its title, and its date and place before its description."""
    facts = [when(event.start_at, event.end_at)]
    if event.status == EventStatus.CANCELLED:
        facts.insert(0, _("Annulé"))
    elif event.status == EventStatus.POSTPONED:
        facts.insert(0, _("Reporté"))
    if event.venue is not None:
        facts.append(event.venue.full_address)
    elif is_online(event):
        facts.append(_("En ligne"))
    description = " · ".join(facts)
    if event.description:
        description += " — " + event.description
    url = absolute_url("agenda.event", event_id=event.id, lang=language)
    return social_tags(event.title, description, url, language)
