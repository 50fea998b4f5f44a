"""The lists of series, venues and organisations (/admin/series, /admin/venues,
/admin/organisations): a search box (?q=, accents and case aside) and pages of 50, by name.

A bassin account's venues and organisations come in two parts (admin/catalogue.py says why):
those it may change, then, under their own heading, those it may only choose. One sequence in
that order is cut into pages, so a page holds the end of the first part and the start of the
second, each under its heading: one count and one pager, on a phone as on a desk.

The rows within reach are hundreds at most: they are matched and sorted in Python with the
agenda's folding (agenda.search), the same on SQLite and PostgreSQL and with no search column
to keep up to date.
"""

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.admin.access import roles, scope
from webapp.admin.blueprint import bp
from webapp.admin.catalogue import STAFF
from webapp.admin.listing import page_of, search_query
from webapp.agenda.models import Event, EventOccurrence, Organisation, Series, Venue
from webapp.agenda.search import fold, found_in
from webapp.auth.scopes import (
    organisation_edit_filter,
    organisation_filter,
    series_in,
    venue_edit_filter,
    venue_filter,
)
from webapp.extensions import db
from webapp.timezones import utcnow
from webapp.vocabulary import KINDS, sector_label


@bp.get("/series")
@roles(*STAFF)
def series_list():
    """The series within reach found by title or address, with their number of events and
    next date."""
    query = search_query()
    reached = db.session.scalars(series_in(scope()).options(selectinload(Series.bassins))).all()
    found = sorted(
        (s for s in reached if found_in(query, s.title_fr, s.title_nl, s.slug)),
        key=lambda s: (fold(s.title_fr), s.id),
    )
    page = page_of(len(found))
    return render_template(
        "admin/catalogue/series_list.html",
        rows=_with_figures(page.rows(found)),
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
        Venue,
        venue_filter,
        venue_edit_filter,
        lambda v: (v.name, v.address, v.postal_code, *_commune_names(v.commune)),
    )
    return render_template(
        "admin/catalogue/venues.html",
        venues=editable,
        chosen_only=chosen_only,
        page=page,
        query=query,
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
        lambda o: (
            o.name,
            sector_label(o.sector) if o.sector else None,
            *_commune_names(o.commune),
        ),
    )
    return render_template(
        "admin/catalogue/organisations.html",
        organisations=editable,
        chosen_only=chosen_only,
        page=page,
        query=query,
        sector_label=sector_label,
    )


def _reached_page(model, reach, editable, texts):
    """The page asked for of the rows of `model` the account reaches whose `texts` match the
    search, by name: (page, those it may change, those it only chooses, the search)."""
    query = search_query()
    rows = db.session.execute(
        select(model, editable(scope())).where(reach(scope())).options(selectinload(model.commune))
    ).all()
    found = sorted(
        ((row, bool(can)) for row, can in rows if found_in(query, *texts(row))),
        key=lambda pair: (not pair[1], fold(pair[0].name), pair[0].id),
    )
    page = page_of(len(found))
    shown = page.rows(found)
    return (
        page,
        [row for row, can in shown if can],
        [row for row, can in shown if not can],
        query,
    )


def _commune_names(commune):
    return (commune.name_fr, commune.name_nl) if commune is not None else ()
