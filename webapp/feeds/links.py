"""Links of the *Ajouter à mon agenda* block.

A feed (a bassin, a series, a person's registrations) is subscribed to: webcal, Google's
`cid=`, Outlook's *add from web*; the calendar client then keeps it up to date as a
calendar of its own. One event is *added* to the person's own calendar: Google's and
Outlook's event templates, or the .ics file; subscribing to it would put one calendar per
event in their list.
"""

from datetime import UTC
from urllib.parse import quote, urlencode

from flask_babel import gettext as _

from webapp.agenda.meeting_links import is_online, public_link
from webapp.urls import absolute_url
from webapp.vocabulary import current_language

# Browsers and Google keep URLs of some 2,000 characters: a long description is cut.
DETAILS_LENGTH = 600


def subscription_links(endpoint, name, **values):
    """The ways to subscribe to one feed, as absolute URLs."""
    values = {k: v for k, v in values.items() if v}
    # The calendar client fetches it without the person's cookie or browser language.
    https = absolute_url(endpoint, **values, lang=current_language())
    webcal = "webcal://" + https.split("://", 1)[1]
    return {
        "https": https,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https, "name": str(name)}, quote_via=quote),
        "outlook365": "https://outlook.office.com/calendar/0/addfromweb?"
        + urlencode({"url": https, "name": str(name)}, quote_via=quote),
    }


def event_links(event, title=None):
    """The ways to add one event to a calendar, as absolute URLs.

    `title` replaces the event's own (a personal page says "(liste d'attente)"). Every value
    is percent-encoded: a title holding & ? # stays one value.
    """
    title = str(title or event.title)
    language = current_language()
    page = absolute_url("agenda.event", event_id=event.id, lang=language)
    details = _details(event.description, page)
    location = _location(event)
    start, end = event.start_at.astimezone(UTC), event.end_at.astimezone(UTC)
    google = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": details,
        "location": location,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}",
        "body": details,
        "location": location,
    }
    return {
        "google": "https://calendar.google.com/calendar/render?" + _query(google),
        "outlook": "https://outlook.live.com/calendar/0/deeplink/compose?" + _query(outlook),
        "outlook365": "https://outlook.office.com/calendar/0/deeplink/compose?" + _query(outlook),
        "ics": absolute_url("feeds.event_feed", event_id=event.id, lang=language),
    }


def _query(values):
    return urlencode({k: v for k, v in values.items() if v}, quote_via=quote)


def _details(description, page):
    text = (description or "").strip()
    if len(text) > DETAILS_LENGTH:
        text = text[:DETAILS_LENGTH].rsplit(" ", 1)[0] + " …"
    return f"{text}\n\n{page}" if text else page


def _location(event):
    venue = event.venue
    place = venue.full_address if venue is not None else None
    if place and event.room:
        place = f"{event.room}, {place}"
    if place:
        return place
    return public_link(event) or (_("En ligne") if is_online(event) else "")


def embed_url(bassin_slug, **filters):
    values = {k: v for k, v in filters.items() if v}
    return absolute_url("api.embed_bassin", bassin=bassin_slug, **values)


def init_app(app):
    app.jinja_env.globals.update(
        subscription_links=subscription_links, event_links=event_links, embed_url=embed_url
    )
