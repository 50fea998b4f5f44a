"""The Grand Bain's blueprint and its public pages: the programme of an edition and an
offer's page. The other pages register on the same blueprint from their own modules
(imported at the end): booking_views (booking one slot or a set), visitor_views (the
visitor's personal pages and feed), host_views (the call for offers, the host's page)."""

from dataclasses import replace

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from webapp.grandbain import figures, queries, selection
from webapp.grandbain.forms import LANGUAGE_CHOICES
from webapp.grandbain.states import OfferStatus
from webapp.hygiene import runs_own_scripts
from webapp.pagecache import never_stored
from webapp.timezones import utcnow
from webapp.vocabulary import current_language

bp = Blueprint("grandbain", __name__)

# Pages reached by a personal link (or showing what a visitor typed): never kept by a cache.
PERSONAL_ENDPOINTS = frozenset(
    {
        "grandbain.visits",
        "grandbain.cancel_visit",
        "grandbain.cancel_all",
        "grandbain.erase",
        "grandbain.visits_feed",
        "grandbain.host",
        "grandbain.host_export_csv",
        "grandbain.host_export_xlsx",
        "grandbain.host_message",
        "grandbain.host_attendance",
        "grandbain.book_slot",
        "grandbain.book",
    }
)


OFFER_STATUSES = {
    OfferStatus.SUBMITTED: _l("Offre reçue : l'équipe du bassin la relira."),
    OfferStatus.CHANGES_REQUESTED: _l("Une modification est demandée."),
    OfferStatus.ACCEPTED: _l("Offre acceptée : elle paraît au programme."),
    OfferStatus.REFUSED: _l("Offre non retenue."),
}


@bp.context_processor
def _page_helpers():
    return {
        "now_utc": utcnow,
        "LANGUAGE_CHOICES": LANGUAGE_CHOICES,
        "LANGUAGE_LABELS": dict(LANGUAGE_CHOICES),
        "OFFER_STATUSES": OFFER_STATUSES,
    }


@bp.app_template_filter("day_label")
def day_label(day, pattern="full"):
    """A calendar day (no time) in the visitor's language."""
    return format_date(day, pattern)


never_stored(bp, PERSONAL_ENDPOINTS)


def edition_or_404(year):
    """The edition of that year, or 404 (shared by every module of this blueprint)."""
    edition = queries.edition_of_year(year)
    if edition is None:
        abort(404)
    return edition


@bp.get("/grand-bain/")
def current():
    edition = queries.current_edition()
    if edition is None:
        abort(404)
    return redirect(url_for(".programme", year=edition.year), 302)


# `date=` of the programme that shows every day at once (to print the week).
WHOLE_WEEK = "all"


@bp.get("/grand-bain/<int:year>/")
@runs_own_scripts
def programme(year):
    """One day of the programme (`date=`, else today's or the first open day), the week's
    days one tap away, and the visits ticked so far (`slot=`, carried from day to day)."""
    edition = edition_or_404(year)
    filters = queries.parse_filters(request.args, edition)
    week_slots = queries.programme_slots(edition, replace(filters, day=None))
    week = queries.week_days(edition, week_slots)
    whole_week = request.args.get("date") == WHOLE_WEEK
    day = None if whole_week else filters.day or queries.default_day(week)
    shown = week_slots if whole_week else queries.of_day(week_slots, day)
    chosen = selection.read(request.args.getlist("slot"), drop=request.args.get("drop"))
    chosen_slots = queries.edition_slots(edition, chosen.ids)
    communes, sectors = queries.filter_choices(edition)
    public_figures = figures.is_public(edition)
    return render_template(
        "grandbain/programme.html",
        edition=edition,
        filters=replace(filters, day=day),
        whole_week=whole_week,
        week=week,
        days=queries.by_day_and_commune(shown, current_language()),
        chosen=chosen_slots,
        shown_ids={slot.id for slot in shown},
        communes=communes,
        sectors=sectors,
        booking_open=edition.is_booking_open(utcnow()),
        figures=figures.of_edition(edition) if public_figures else None,
        history=figures.history(edition) if public_figures else [],
    )


@bp.get("/grand-bain/<int:year>/offers/<int:offer_id>")
def offer(year, offer_id):
    edition = edition_or_404(year)
    found = queries.accepted_offer(edition, offer_id)
    if found is None:
        abort(404)
    return render_template(
        "grandbain/offer.html",
        edition=edition,
        offer=found,
        booking_open=edition.is_booking_open(utcnow()),
        now=utcnow(),
    )


# The other audiences' pages register their routes on `bp` when imported.
from webapp.grandbain import booking_views, host_views, visitor_views  # noqa: E402, F401
