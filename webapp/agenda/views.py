"""Public agenda pages: the list, a bassin, a series, an event, the archive."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from webapp.agenda import report_text
from webapp.agenda.forms import filter_choices
from webapp.agenda.meeting_links import public_link
from webapp.agenda.models import PUBLIC_STATUSES, Bassin, Event, Series, Venue
from webapp.agenda.occurrences import occurrences
from webapp.agenda.places import card_places, card_state, mode_places
from webapp.agenda.public_state import public_state
from webapp.agenda.queries import (
    EVENT_LOADS,
    agenda_page,
    known_filter_values,
    parse_filters,
    public_event,
)
from webapp.agenda.recurrence import rule_in_words
from webapp.agenda.report_files import presentation_response
from webapp.agenda.report_pages import THEME_YEARS, public_report, public_reports, theme_year
from webapp.agenda.reports import Report
from webapp.agenda.states import ReportStatus
from webapp.agenda.structured_data import (
    event_data,
    event_social_tags,
    json_ld,
    series_data,
    social_tags,
)
from webapp.content_state import remembered
from webapp.extensions import db
from webapp.pagecache import PageArgs, cached_page, shows_places
from webapp.timezones import to_local, utcnow
from webapp.urls import absolute_url
from webapp.vocabulary import current_language

bp = Blueprint("agenda", __name__)
# What an agenda card says of places (templates/macros/agenda.html, on every area's pages).
bp.add_app_template_global(card_places, "card_places")
# The state a card, a row of the embed, shows (agenda/public_state.py through places.py).
bp.add_app_template_global(card_state, "card_state")
bp.add_app_template_global(mode_places, "mode_places")
bp.add_app_template_global(public_link, "public_meeting_link")
# The languages a meeting is held in, by code (Event.languages).
bp.add_app_template_global(
    {"fr": _l("français"), "nl": _l("néerlandais"), "en": _l("anglais")}, "MEETING_LANGUAGES"
)


def month_year(month):
    """A month heading of the list, in the visitor's language: "Mars 2027", "Maart 2027"."""
    text = format_date(month, "LLLL yyyy")
    return text[:1].upper() + text[1:]


def date_part(value, pattern):
    """One part of an entry's date block (weekday "lun.", day "16", month "mars"), in Brussels."""
    return format_date(to_local(value).date(), pattern)


bp.add_app_template_filter(month_year, "month_year")
bp.add_app_template_filter(date_part, "date_part")
bp.add_app_template_filter(report_text.render, "markdown")


def megabytes(size):
    """A file's size in megabytes, one decimal in the page's language ("1,2"), at least 0,1."""
    return format_decimal(max(0.1, round((size or 0) / 1048576, 1)), format="0.0")


bp.add_app_template_filter(megabytes, "megabytes")
# Links that print their address (reports, the theme page) are absolute, from BASE_URL.
bp.add_app_template_global(absolute_url, "absolute_url")

# Beyond this a page number is nonsense (and overflows the databases' OFFSET).
MAX_PAGE = 100_000


def _page_number():
    """The page asked for, and a message when it is not a page number (then the first page)."""
    raw = (request.args.get("page") or "1").strip()
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_PAGE:
        return 1, _l("Numéro de page invalide : première page affichée.")
    return number, None


def agenda_args(generation, bassin=None):
    """How an agenda page reads its query string: the filters as parse_filters keeps them,
    the page number, and which of them it reports as ignored (the page cache's key)."""
    known = remembered(generation, known_filter_values)
    parsed = parse_filters(request.args, bassin=bassin, known=known)
    number, problem = _page_number()
    kept = parsed.filters.as_args()
    if bassin is not None:
        del kept["bassin"]  # the path's own
    if number != 1:
        kept["page"] = str(number)
    ignored = set(parsed.problems) | ({"page"} if problem else set())
    return PageArgs(kept, frozenset(ignored))


def _agenda(bassin=None, past=False, template="agenda/index.html"):
    parsed = parse_filters(request.args, bassin=bassin.slug if bassin else None, past=past)
    number, problem = _page_number()
    if problem:
        parsed.problems["page"] = problem
    page = agenda_page(parsed.filters, number, current_app.config["AGENDA_PAGE_SIZE"])
    choices = filter_choices(bassin)
    return render_template(
        template,
        page=page,
        filters=parsed.filters,
        problems=parsed.problems,
        bassin=bassin,
        past=past,
        choices=choices,
        active_filters=_active_filters(parsed.filters, choices, bassin),
    )


# The filters a visitor can remove one by one, in the form's order: (argument, label).
FILTER_LABELS = (
    ("q", _l("Recherche")),
    ("bassin", _l("Bassin")),
    ("kind", _l("Type d'activité")),
    ("theme", _l("Thématique ou cycle")),
    ("commune", _l("Commune")),
    ("audience", _l("Public")),
    ("from", _l("Du")),
    ("to", _l("Au")),
)
# Filter argument -> its list of (value, label) in filter_choices.
CHOICE_LISTS = {
    "bassin": "bassins",
    "kind": "kinds",
    "theme": "themes",
    "commune": "communes",
    "audience": "audiences",
}


def _active_filters(filters, choices, bassin):
    """The applied filters as removable chips: label, value shown, and the link without it."""
    args = filters.as_args()
    if bassin is not None:
        args.pop("bassin", None)  # the path's own, not a filter to remove
    chips = []
    for name, label in FILTER_LABELS:
        if name not in args:
            continue
        value = args[name]
        if name in CHOICE_LISTS:
            value = dict(choices[CHOICE_LISTS[name]]).get(value, value)
        elif name in ("from", "to"):
            value = format_date(getattr(filters, f"date_{name}"), "medium")
        others = {k: v for k, v in args.items() if k != name}
        chips.append(
            {
                "name": name,
                "label": label,
                "value": value,
                "url": url_for(request.endpoint, **(request.view_args or {}), **others),
            }
        )
    return chips


def _bassin_or_404(slug):
    if "\x00" in slug:  # PostgreSQL refuses NUL in text: not a slug of ours
        abort(404)
    bassin = db.session.scalar(select(Bassin).where(Bassin.slug == slug))
    if bassin is None:
        abort(404)
    return bassin


@bp.get("/")
@cached_page(args=agenda_args)
def index():
    return _agenda()


@bp.get("/archive/")
@cached_page(args=agenda_args)
def archive():
    return _agenda(past=True)


@bp.get("/bassins/<bassin>/")
@cached_page(args=agenda_args)
def bassin(bassin):
    return _agenda(bassin=_bassin_or_404(bassin))


@bp.get("/bassins/<bassin>/archive/")
@cached_page(args=agenda_args)
def bassin_archive(bassin):
    return _agenda(bassin=_bassin_or_404(bassin), past=True)


@bp.get("/series/<slug>")
@cached_page
def series(slug):
    if "\x00" in slug:
        abort(404)
    found = db.session.scalar(
        select(Series)
        .where(Series.slug == slug)
        .options(
            selectinload(Series.bassins),
            selectinload(Series.events).options(*EVENT_LOADS),
        )
    )
    if found is None:
        abort(404)
    now = utcnow()
    visible = [e for e in found.events if e.status in PUBLIC_STATUSES]
    past = sorted((e for e in visible if e.end_at <= now), key=lambda e: e.start_at, reverse=True)
    upcoming = [e for e in visible if e.end_at > now]
    language = current_language()
    return render_template(
        "agenda/series.html",
        series=found,
        past=past,
        upcoming=upcoming,
        structured=json_ld(series_data(found, upcoming, past, language)),
        social=social_tags(
            found.title,
            found.description,
            absolute_url("agenda.series", slug=found.slug, lang=language),
            language,
        ),
        reports=public_reports(past, now),
        years=sorted({e.local_start.year for e in past}, reverse=True),
    )


# What an event's page shows of its related rows, joined in: 3 queries instead of 7
# (bench/bench_agenda.py).
EVENT_PAGE_LOADS = (
    joinedload(Event.venue).joinedload(Venue.commune),
    joinedload(Event.series),
    joinedload(Event.organiser),
    selectinload(Event.bassins),
    selectinload(Event.overrides),
)


@bp.get("/events/<int:event_id>")
@cached_page(places_of="event_id")  # the exact places left: that event's count in the key
def event(event_id):
    found = public_event(event_id, *EVENT_PAGE_LOADS)
    if found is None:
        abort(404)
    shows_places(found.places_key)
    return event_page(found)


def event_page(found, template="agenda/event.html", report=None, **extra):
    """An event's page as the public sees it: the public view, and the staff's preview of a
    draft (whose template extends this one with a banner; `extra` is its own context;
    `report`: a draft report shown in place of the public one)."""
    now = utcnow()
    rule_words = None
    if found.is_recurring:
        rule_words = found.rrule and rule_in_words(
            found.rrule, found.local_start, current_language()
        )
    dates = _coming_dates(found, now)
    state = public_state(found, now)
    language = current_language()
    return render_template(
        template,
        event=found,
        dates=dates,
        now=now,
        state=state,
        structured=json_ld(event_data(found, language, dates)),
        social=event_social_tags(found, language),
        rule_words=rule_words,
        report=report or public_report(found, now),
        **extra,
    )


def _coming_dates(found, now):
    """A repeating event's next dates within a year (at most 12), each with its venue."""
    if not found.is_recurring:
        return []
    dates = occurrences(found, now, now + timedelta(days=366))[:12]
    venue_ids = {o.venue_id for o in dates if o.venue_id and o.venue_id != found.venue_id}
    venues = {}
    if venue_ids:
        venues = {
            v.id: v
            for v in db.session.scalars(
                select(Venue).where(Venue.id.in_(venue_ids)).options(selectinload(Venue.commune))
            )
        }
    return [(o, venues.get(o.venue_id, found.venue)) for o in dates]


@bp.get("/events/<int:event_id>/presentation.pdf")
def report_presentation(event_id):
    """The presentation attached to an event's published report, as a PDF shown inline."""
    found = public_event(event_id)
    report = db.session.scalar(
        select(Report).where(Report.event_id == event_id, Report.status == ReportStatus.PUBLISHED)
    )
    if found is None or report is None or not report.presentation_file:
        abort(404)
    return presentation_response(report)


@bp.get("/themes/<theme>/<int:year>")
@cached_page
def theme(theme, year):
    """A year of a theme: the meetings of every bassin whose series share it, their
    reports, and the synthesis an admin writes."""
    if "\x00" in theme or year not in THEME_YEARS:
        abort(404)
    found = theme_year(theme, year)
    if found is None:
        abort(404)
    return render_template("agenda/theme.html", theme=found, synthesis=found.published_synthesis)
