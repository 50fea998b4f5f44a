"""Atom feeds (RFC 4287) of a bassin's and a series' events, written with feedgen.

The same events as the iCalendar feeds (feeds/rows.py: the agenda's own selection, the past
six months and all the future), one entry per event: its title (with its status when it is
cancelled or postponed), its dates and place in the feed's language, its description. For
site builders and feed readers; calendars read the .ics. An entry's id is the event's own
(`tag:` URI, stable for its life), its `updated` the event's change time, so a reader sees
a moved or cancelled event as changed.
"""

import re

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from webapp.agenda.states import EventStatus
from webapp.feeds.entries import EventContext, event_url
from webapp.feeds.ical import in_language
from webapp.templating import when
from webapp.urls import base_host
from webapp.vocabulary import KINDS

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 does not allow (a feed holding one is not XML at all).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value):
    """The text without the characters XML cannot hold."""
    return _NOT_XML.sub(" ", str(value or ""))


def entry_id(event_id, host=None):
    """The entry's id: a tag URI (RFC 4151) of the event, the same in every feed."""
    return f"tag:{host or base_host()},2024:event-{event_id}"


def atom_text(events, *, title, feed_url, page_url, language, updated):
    """The Atom document (bytes) of these FeedEvents, in `language`."""
    with in_language(language):
        generator = FeedGenerator()
        generator.id(feed_url)
        generator.title(xml_text(title))
        generator.author({"name": _("Bassins d'aide et de soins bruxellois")})
        generator.link(href=page_url, rel="alternate", type="text/html")
        generator.link(href=feed_url, rel="self", type="application/atom+xml")
        generator.language(language)
        generator.updated(updated)
        context = EventContext.current()
        host = base_host()
        for event in events:
            _entry(generator.add_entry(order="append"), event, language, context, host)
        return generator.atom_str(pretty=False)


def _entry(entry, event, language, context, host):
    title = _localized(event, "title", language)
    if event.status == EventStatus.CANCELLED:
        title = _("Annulé : %(title)s", title=title)
    elif event.status == EventStatus.POSTPONED:
        title = _("Reporté : %(title)s", title=title)
    url = event_url(event.id, language)
    entry.id(entry_id(event.id, host))
    entry.title(xml_text(title))
    entry.link(href=url, rel="alternate", type="text/html")
    entry.updated(event.updated_at)
    entry.published(event.created_at or event.updated_at)
    kind = str(KINDS.get(event.kind, event.kind))
    entry.category(term=event.kind, label=xml_text(kind))
    entry.summary(xml_text(_summary(event, language, context)))


def _summary(event, language, context):
    """Dates, place, status and description, as plain text."""
    lines = [when(event.start_at, event.end_at)]
    if event.rrule or event.rdates:
        lines[0] = _("À partir du %(when)s (plusieurs dates)", when=lines[0])
    place = event.venue.full_address if event.venue else None
    if event.room and place:
        place = f"{event.room}, {place}"
    if place:
        lines.append(place)
    elif event.online_url:
        lines.append(_("En ligne"))
    if event.series is not None:
        lines.append(_localized(event.series, "title", language))
    if event.status in (EventStatus.CANCELLED, EventStatus.POSTPONED):
        lines.append(_localized(event, "status_reason", language) or "")
    description = _localized(event, "description", language)
    text = "\n".join(line for line in lines if line)
    return f"{text}\n\n{description}" if description else text


def _localized(obj, name, language):
    if language == "nl":
        value = getattr(obj, f"{name}_nl", None)
        if value:
            return value
    return getattr(obj, f"{name}_fr", None)
