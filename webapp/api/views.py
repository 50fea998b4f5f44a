"""The open JSON API, read-only: events with the agenda's filters, one event, the bassins."""

from datetime import UTC, datetime, timedelta

from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select, union
from sqlalchemy.orm import selectinload

from webapp.agenda import report_text
from webapp.agenda.meeting_links import public_link
from webapp.agenda.models import PUBLIC_STATUSES, Bassin, Event, Venue
from webapp.agenda.occurrences import occurrences
from webapp.agenda.public_state import public_state
from webapp.agenda.queries import (
    EVENT_LOADS,
    agenda_event_ids,
    agenda_page,
    parse_filters,
    public_event,
)
from webapp.agenda.removals import REMOVALS_KEPT, oldest_answerable, removed_since
from webapp.agenda.report_pages import public_report
from webapp.agenda.states import EventStatus
from webapp.api import bp
from webapp.api.openapi import openapi_document
from webapp.extensions import db
from webapp.timezones import to_local, utcnow
from webapp.urls import absolute_url, base_url
from webapp.vocabulary import current_language

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# `as_of` is this long before the read: a change committed while the read ran (stamped a
# little before it) comes again in the next read rather than never.
AS_OF_MARGIN = timedelta(minutes=1)


@bp.before_app_request
def _api_cookieless():
    if request.path.startswith(("/api/", "/embed/")):
        g.cookieless = True


@bp.after_app_request
def _cors(response):
    """Open to every origin for reading; nothing here uses cookies or credentials."""
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
    return response


def _absolute(endpoint, **values):
    """An absolute link; empty filters are left out of its query string."""
    return absolute_url(endpoint, **{k: v for k, v in values.items() if v not in (None, "")})


def _bad_request(problems):
    response = jsonify(
        error=_("Paramètres invalides"),
        status=400,
        problems={k: str(v) for k, v in problems.items()},
    )
    response.status_code = 400
    return response


def _int_arg(name, default, low, high, problems):
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        problems[name] = _("Nombre entier attendu entre %(low)d et %(high)d.", low=low, high=high)
        return default
    return value


def _iso(value):
    return to_local(value).isoformat() if value else None


def _venue(venue):
    if venue is None:
        return None
    return {
        "name": venue.name,
        "address": venue.address or "",
        "commune": venue.commune.slug if venue.commune else None,
        "full_address": venue.full_address,
    }


def _state(state):
    """The public state's fields: its slug, its words, the places left when it names them."""
    return {
        "public_state": str(state.state),
        "public_state_label": str(state.label),
        "places_left": state.places_left,
    }


def _places(event):
    """Each way to attend's places: capacity (null: no limit) and places left; [] when the
    event takes no registration."""
    if not event.takes_registrations:
        return []
    return [
        {
            "mode": str(mode),
            "capacity": event.capacity_for(mode),
            "places_left": event.places_left_for(mode),
        }
        for mode in event.place_modes
    ]


def event_summary(event):
    """The fields of an event that every API answer carries."""
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "audience": event.audience,
        "status": event.status,
        "bassins": [b.slug for b in event.bassins],
        "series": event.series.slug if event.series else None,
        "recurring": event.is_recurring,
        "registration": event.registration_mode,
        "mode": event.mode,
        "places": _places(event),
        # Only an open webinar's link, when its team chose to publish it: an event with
        # registration gives its link to its confirmed online participants alone.
        "online_url": public_link(event),
        "sequence": event.sequence or 0,
        "updated_at": _iso(event.updated_at),
        "links": {
            "html": _absolute("agenda.event", event_id=event.id),
            "ics": _absolute("feeds.event_feed", event_id=event.id),
        },
    }


def _since_arg(problems, now):
    """`updated_since` as an aware UTC datetime, None when absent; a problem when it is not
    an ISO 8601 time with its offset, or older than the removals are kept."""
    raw = (request.args.get("updated_since") or "").strip()
    if not raw:
        return None
    # An unencoded "+01:00" in a query string arrives as " 01:00".
    if "T" in raw and raw[-6:-5] == " ":
        raw = raw[:-6] + "+" + raw[-5:]
    try:
        since = datetime.fromisoformat(raw)
        if since.tzinfo is None:
            raise ValueError
        since = since.astimezone(UTC)
    except (ValueError, OverflowError):
        problems["updated_since"] = _(
            "Date et heure ISO 8601 attendues, avec leur décalage horaire "
            "(ex. 2027-03-10T14:00:00+01:00)."
        )
        return None
    if since < oldest_answerable(now):
        problems["updated_since"] = _(
            "Plus ancien que %(days)d jours : relisez la liste entière, puis suivez les "
            "changements à partir de son as_of.",
            days=REMOVALS_KEPT.days,
        )
        return None
    return since


def _removed(filters, since, now):
    """The ids of events gone from this view since `since`: removed from public view, or
    public, changed, and no longer shown by these filters."""
    changed = select(Event.id).where(Event.updated_at >= since, Event.status.in_(PUBLIC_STATUSES))
    candidates = union(removed_since(since), changed).subquery()
    shown = agenda_event_ids(filters, now)
    rows = db.session.scalars(
        select(candidates.c[0]).where(candidates.c[0].not_in(shown)).order_by(candidates.c[0])
    )
    return list(rows)


@bp.get("/api/v1/events")
def events():
    now = utcnow()
    parsed = parse_filters(request.args)
    problems = dict(parsed.problems)
    page = _int_arg("page", 1, 1, 100000, problems)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, problems)
    since = _since_arg(problems, now)
    if problems:
        return _bad_request(problems)
    result = agenda_page(parsed.filters, page, per_page, now=now, changed_since=since)
    args = {**parsed.filters.as_args(), "per_page": per_page}
    if since is not None:
        args["updated_since"] = since.isoformat()
    links = {
        "self": _absolute("api.events", **args, page=page),
        "first": _absolute("api.events", **args, page=1),
        "last": _absolute("api.events", **args, page=result.pages),
        "next": _absolute("api.events", **args, page=page + 1) if result.has_next else None,
        "prev": _absolute("api.events", **args, page=page - 1) if result.has_prev else None,
        "ics": _feed_link(parsed.filters),
    }
    items = [
        {
            **event_summary(o.event),
            **_state(
                public_state(o.event, now, start=o.start_at, end=o.end_at, cancelled=o.cancelled)
            ),
            "start": _iso(o.start_at),
            "end": _iso(o.end_at),
            "cancelled": bool(o.cancelled) or o.event.status == EventStatus.CANCELLED,
            "venue": _venue(o.venue),
        }
        for o in result.items
    ]
    return jsonify(
        items=items,
        page=result.page,
        per_page=result.per_page,
        total=result.total,
        pages=result.pages,
        language=current_language(),
        links=links,
        removed=_removed(parsed.filters, since, now) if since is not None else [],
        as_of=_iso(now - AS_OF_MARGIN),
    )


def _feed_link(filters):
    args = {"kind": filters.kind, "theme": filters.theme, "commune": filters.commune}
    if filters.bassin:
        return _absolute("feeds.bassin_feed", bassin=filters.bassin, **args)
    return _absolute("feeds.agenda_feed", **args)


@bp.get("/api/v1/events/<int:event_id>")
def event(event_id):
    found = public_event(event_id, *EVENT_LOADS, selectinload(Event.overrides))
    if found is None:
        return jsonify(error=_("Événement introuvable"), status=404), 404
    now = utcnow()
    dates = occurrences(found, now) if found.is_recurring else occurrences(found)
    venue_ids = {o.venue_id for o in dates if o.venue_id}
    venues = {
        v.id: v
        for v in db.session.scalars(
            select(Venue).where(Venue.id.in_(venue_ids)).options(selectinload(Venue.commune))
        )
    }
    return jsonify(
        {
            **event_summary(found),
            **_state(public_state(found, now)),
            "description": found.description,
            "start": _iso(found.start_at),
            "end": _iso(found.end_at),
            "rrule": found.rrule,
            "venue": _venue(found.venue),
            "report": _report(public_report(found, now)),
            "dates": [
                {
                    "start": _iso(o.start),
                    "end": _iso(o.end),
                    "cancelled": o.cancelled,
                    "venue": _venue(venues.get(o.venue_id)),
                }
                for o in dates[:50]
            ],
        }
    )


def _report(report):
    """The event's public report (published, or imported before), or None."""
    if report is None:
        return None
    next_meeting = report.save_the_date
    return {
        "participants_count": report.participants_count,
        "participant_sectors": report.participant_sectors,
        "estimated": report.estimated,
        "summary": report.summary,
        "sections": [
            {"title": s.title, "text": s.text, "html": str(report_text.render(s.text))}
            for s in report.sections
            if s.text_fr
        ],
        "quotes": [{"text": q.text, "sector_group": q.sector_group} for q in report.quotes],
        "presentation_url": report.presentation_url,
        "report_url": report.report_url,
        "save_the_date": {
            "id": next_meeting.id,
            "title": next_meeting.title,
            "start": _iso(next_meeting.start_at),
            "html": _absolute("agenda.event", event_id=next_meeting.id),
        }
        if next_meeting
        else None,
    }


@bp.get("/api/v1/bassins")
def bassins():
    rows = db.session.scalars(select(Bassin).order_by(Bassin.slug)).all()
    return jsonify(
        items=[
            {
                "slug": b.slug,
                "name": b.name,
                "name_fr": b.name_fr,
                "name_nl": b.name_nl,
                "website": b.website,
                "links": {
                    "html": _absolute("agenda.bassin", bassin=b.slug),
                    "ics": _absolute("feeds.bassin_feed", bassin=b.slug),
                    "events": _absolute("api.events", bassin=b.slug),
                    "embed": _absolute("api.embed_bassin", bassin=b.slug),
                },
            }
            for b in rows
        ]
    )


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(openapi_document(base_url()))
