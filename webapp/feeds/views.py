"""The .ics feeds: every bassin, one bassin, one series, one event; the Atom feeds of a
bassin and a series."""

from datetime import date

from flask import Blueprint, abort, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.agenda.models import Bassin, Event, OccurrenceOverride, Series, Venue
from webapp.agenda.queries import (
    EVENT_LOADS,
    AgendaFilters,
    known_filter_values,
    parse_filters,
    public_event,
)
from webapp.content_state import remembered
from webapp.extensions import db
from webapp.feeds.atom import CONTENT_TYPE as ATOM_CONTENT_TYPE
from webapp.feeds.atom import atom_text
from webapp.feeds.http import calendar_response, content_validator, feed_state
from webapp.feeds.ical import calendar_text
from webapp.feeds.rows import feed_rows
from webapp.timezones import local_day_start, local_today, utcnow
from webapp.urls import absolute_url
from webapp.vocabulary import current_language

bp = Blueprint("feeds", __name__)

FEED_FILTERS = ("kind", "theme", "commune")
# Feeds hold at least the past 6 months and all the future.
PAST_MONTHS = 6

FEED_LOADS = (
    *EVENT_LOADS,
    selectinload(Event.overrides)
    .selectinload(OccurrenceOverride.venue)
    .selectinload(Venue.commune),
)


@bp.before_request
def _cookieless():
    # Calendar clients: no session, no cookie (webapp/i18n.py reads this).
    g.cookieless = True


def window_start(today=None) -> date:
    """The first day a feed lists: six months before today."""
    today = today or local_today()
    month = today.month - PAST_MONTHS
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def window_moved(start: date) -> date:
    """The day the window last moved: six months after its first day."""
    month = start.month + PAST_MONTHS
    return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def feed_filters(args, bassin=None):
    """The feed's filters (kind, theme, commune) from the query string, with the window."""
    asked = {name: (args.get(name) or "").strip() for name in FEED_FILTERS}
    return AgendaFilters(
        bassin=bassin,
        kind=asked["kind"] or None,
        theme=asked["theme"] or None,
        commune=asked["commune"] or None,
        date_from=window_start(),
    )


def feed_events(filters: AgendaFilters):
    """The events of a feed, with everything the VEVENTs need loaded."""
    return feed_rows(filters)


def _check_filters(filters, args, bassin=None):
    """400 with the problems when a filter value is unknown (checked only for empty feeds)."""
    parsed = parse_filters({k: args.get(k) for k in FEED_FILTERS}, bassin=bassin)
    problems = {k: str(v) for k, v in parsed.problems.items() if k in FEED_FILTERS}
    if problems:
        response = jsonify(error=_("Filtre invalide"), problems=problems)
        response.status_code = 400
        abort(response)


def _known(snapshot):
    """The bassins and series that exist at this generation (no query on a 304)."""
    return remembered(snapshot.generation, known_filter_values)


def _validator(snapshot, filters, language, *kind):
    """The validator of a public feed of these filters (`kind`: "atom" for the Atom feed)."""
    return content_validator(
        snapshot,
        request.path,
        *kind,
        sorted(filters.as_args().items()),
        language,
        since=local_day_start(window_moved(filters.date_from)),
    )


def _events_of(filters):
    """The feed's events; none where a filter names nothing known is the filter's 400."""
    events = feed_events(filters)
    if not events and any(request.args.get(k) for k in FEED_FILTERS):
        _check_filters(filters, request.args, filters.bassin)
    return events


def _feed(snapshot, filters, name_fn, filename):
    language = current_language()
    validator = _validator(snapshot, filters, language)

    def build():
        events = _events_of(filters)
        return calendar_text(events, name=name_fn(), language=language, method="PUBLISH")

    keep = (snapshot.generation, filters.date_from)
    return calendar_response(validator, build, filename, keep=keep)


@bp.get("/agenda.ics")
def agenda_feed():
    filters = feed_filters(request.args)
    title = _l("Agenda des bassins d'aide et de soins")
    return _feed(feed_state(), filters, lambda: title, "agenda.ics")


def _bassin_source(bassin):
    """(snapshot, filters, title) of a bassin's feeds, .ics and Atom alike; 404 if unknown."""
    snapshot = feed_state()
    if bassin not in _known(snapshot).bassins:
        abort(404)

    def title():
        found = db.session.scalar(select(Bassin).where(Bassin.slug == bassin))
        return _l("Agenda – %(name)s", name=found.name)

    return snapshot, feed_filters(request.args, bassin=bassin), title


def _series_source(slug):
    """(snapshot, filters, title) of a series' feeds, .ics and Atom alike; 404 if unknown."""
    snapshot = feed_state()
    if slug not in _known(snapshot).series:
        abort(404)

    def title():
        return db.session.scalar(select(Series).where(Series.slug == slug)).title

    return snapshot, AgendaFilters(theme=slug, date_from=window_start()), title


@bp.get("/bassins/<bassin>/agenda.ics")
def bassin_feed(bassin):
    return _feed(*_bassin_source(bassin), f"{bassin}.ics")


@bp.get("/series/<slug>.ics")
def series_feed(slug):
    return _feed(*_series_source(slug), f"{slug}.ics")


def _atom(snapshot, filters, title_fn, page_url, filename):
    """An Atom feed of the same events as the .ics of these filters, with its ETag and 304."""
    language = current_language()
    validator = _validator(snapshot, filters, language, "atom")

    def build():
        events = _events_of(filters)
        updated = snapshot.changed_at or max((e.updated_at for e in events), default=None)
        asked = {k: getattr(filters, k) for k in FEED_FILTERS if filters.bassin}
        return atom_text(
            events,
            title=title_fn(),
            feed_url=absolute_url(request.endpoint, **request.view_args, **asked, lang=language),
            page_url=page_url(language),
            language=language,
            updated=updated or utcnow(),
        )

    return calendar_response(validator, build, filename, content_type=ATOM_CONTENT_TYPE)


@bp.get("/bassins/<bassin>/agenda.atom")
def bassin_atom(bassin):
    """A bassin's coming (and last six months') events, for readers and partners' sites; the
    .ics's filters (kind, theme, commune)."""
    return _atom(
        *_bassin_source(bassin),
        lambda language: absolute_url("agenda.bassin", bassin=bassin, lang=language),
        f"{bassin}.atom",
    )


@bp.get("/series/<slug>.atom")
def series_atom(slug):
    """A series' meetings, for readers and partners' sites."""
    return _atom(
        *_series_source(slug),
        lambda language: absolute_url("agenda.series", slug=slug, lang=language),
        f"{slug}.atom",
    )


@bp.get("/events/<int:event_id>.ics")
def event_feed(event_id):
    snapshot = feed_state(event_id)
    if snapshot.event_places is None:  # no such event, or not a public one
        abort(404)
    validator = content_validator(snapshot, "event", event_id, current_language())

    def build():
        event = public_event(event_id, *FEED_LOADS)
        return calendar_text([event], language=current_language(), method="PUBLISH")

    return calendar_response(validator, build, f"event-{event_id}.ics")


@bp.record_once
def _template_helpers(state):
    from webapp.feeds import kept, links

    links.init_app(state.app)
    kept.init_app(state.app)  # the public feeds' answers given again in front of the app


@bp.get("/aide/calendrier")
def calendar_help():
    """How to subscribe in Google, Outlook, Apple and Thunderbird."""
    from flask import render_template

    g.cookieless = False  # an ordinary page: the language choice may be remembered
    return render_template("feeds/help.html")
