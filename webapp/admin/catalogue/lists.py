"""The lists of series, venues and organisations (/admin/series, /admin/venues,
/admin/organisations): a search box (?q=, accents and case aside) and pages of 50, by name.

A bassin account's venues and organisations come in two parts (admin/catalogue.py says why):
those it may change, then, under their own heading, those it may only choose. One sequence in
that order is cut into pages, so a page holds the end of the first part and the start of the
second, each under its heading: one count and one pager, on a phone as on a desk.

Each row keeps its folded text, name first (agenda.search.catalogue_text): the database
matches the words with LIKE, counts, sorts by it and cuts the page, the same on SQLite and
PostgreSQL. A commune's names and a sector's labels are matched in Python against their short
vocabularies, and the matching ids or slugs join the WHERE clause.
"""

from flask import render_template
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from webapp.admin.access import roles, scope
from webapp.admin.blueprint import bp
from webapp.admin.catalogue.views import STAFF
from webapp.admin.listing import PER_PAGE, page_of, search_query
from webapp.agenda.catalogue import twins_by_row
from webapp.agenda.models import Commune, Event, EventOccurrence, Organisation, Series, Venue
from webapp.agenda.search import catalogue_matches, in_any
from webapp.auth.scopes import (
    organisation_edit_filter,
    organisation_filter,
    series_filter,
    venue_edit_filter,
    venue_filter,
)
from webapp.extensions import db
from webapp.timezones import utcnow
from webapp.vocabulary import KINDS, sector_label, sectors


@bp.get("/series")
@roles(*STAFF)
def series_list():
    """The series within reach found by title or address, with their number of events and
    next date."""
    query = search_query()
    where = series_filter(scope()) & catalogue_matches(Series, query)
    page = page_of(db.session.scalar(select(func.count(Series.id)).where(where)))
    shown = db.session.scalars(
        select(Series)
        .where(where)
        .order_by(Series.search_text, Series.id)
        .offset(page.offset)
        .limit(PER_PAGE)
        .options(selectinload(Series.bassins))
    ).all()
    return render_template(
        "admin/catalogue/series_list.html",
        rows=_with_figures(shown),
        page=page,
        query=query,
        kinds=KINDS,
    )


def _with_figures(series):
    """(series, number of events, next date) for each of these series, in their order."""
    if not series:
        return []
    ids = [s.id for s in series]
    counts = dict(
        db.session.execute(
            select(Event.series_id, func.count())
            .where(Event.series_id.in_(ids))
            .group_by(Event.series_id)
        ).all()
    )
    next_dates = dict(
        db.session.execute(
            select(EventOccurrence.series_id, func.min(EventOccurrence.start_at))
            .where(
                EventOccurrence.series_id.in_(ids),
                EventOccurrence.start_at >= utcnow(),
                EventOccurrence.cancelled.is_(False),
            )
            .group_by(EventOccurrence.series_id)
        ).all()
    )
    return [(s, counts.get(s.id, 0), next_dates.get(s.id)) for s in series]


@bp.get("/venues")
@roles(*STAFF)
def venues():
    """The venues found by name, address or commune: those the account may change, then
    those it only chooses for its events (another bassin's venue used by a shared event),
    listed without a link to edit them."""
    page, editable, chosen_only, query = _reached_page(
        Venue, venue_filter, venue_edit_filter, lambda word: Venue.commune_id.in_(_communes(word))
    )
    return render_template(
        "admin/catalogue/venues.html",
        venues=editable,
        chosen_only=chosen_only,
        page=page,
        query=query,
        twins=_twins(editable, Venue, venue_filter, Venue.address),
    )


@bp.get("/organisations")
@roles(*STAFF)
def organisations():
    """The organisations found by name, sector or commune: those the account may change,
    then those it only chooses as organisers (one of a shared event that organises another
    bassin's events too), listed without a link to edit them."""
    page, editable, chosen_only, query = _reached_page(
        Organisation,
        organisation_filter,
        organisation_edit_filter,
        lambda word: Organisation.commune_id.in_(_communes(word))
        | Organisation.sector.in_(_sectors(word)),
    )
    return render_template(
        "admin/catalogue/organisations.html",
        organisations=editable,
        chosen_only=chosen_only,
        page=page,
        query=query,
        sector_label=sector_label,
        twins=_twins(editable, Organisation, organisation_filter),
    )


def _reached_page(model, reach, editable, also):
    """The page asked for of the rows of `model` the account reaches that the search finds
    (in their own text or, through `also(word)`, a related one), by name: (page, those it may
    change, those it only chooses, the search)."""
    query = search_query()
    where = reach(scope()) & catalogue_matches(model, query, also)
    page = page_of(db.session.scalar(select(func.count(model.id)).where(where)))
    can = editable(scope())
    rows = db.session.execute(
        select(model, can)
        .where(where)
        .order_by(case((can, 0), else_=1), model.search_text, model.id)
        .offset(page.offset)
        .limit(PER_PAGE)
        .options(selectinload(model.commune))
    ).all()
    return (
        page,
        [row for row, may in rows if may],
        [row for row, may in rows if not may],
        query,
    )


def _twins(rows, model, reach, *columns):
    """{row id: [twin]}: the probable duplicates (catalogue.probable_twins' rule) of the rows
    the account may change, among every row it reaches (a merge's survivor): one query of
    names, each row then one click from its merge."""
    if not rows:
        return {}
    others = db.session.execute(
        select(model.id, model.name, model.commune_id, *columns).where(reach(scope()))
    ).all()
    return twins_by_row(rows, others)


def _communes(word):
    """The ids of the communes whose French or Dutch name holds the word (a few dozen rows)."""
    communes = db.session.execute(select(Commune.id, Commune.name_fr, Commune.name_nl)).all()
    return [id_ for id_, *names in communes if in_any(word, *names)]


def _sectors(word):
    """The slugs of the sectors whose French or Dutch label holds the word."""
    return [s["slug"] for s in sectors() if in_any(word, s.get("fr"), s.get("nl"))]
