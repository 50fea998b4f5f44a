"""/admin/grand-bain/...: the evaluation results of a host's offer (all its visits) and of an
edition (every offer the team reaches, together), with their CSV export. The threshold of
results.MIN_ANSWERS applies to every page and export, to each filtered subset and to the rest
of it, and an edition pools the small offers' answers only when they reach it together
(results.pooled). Exports give aggregates and free texts apart (results_table).

Bassin teams and admins only: offers are loaded within the account's scope, so an offer of
another bassin is not found and an edition's results count only the team's offers."""

from flask import abort, render_template, url_for
from sqlalchemy import select

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.admin.evaluations.views import csv_response, results_table, sector_filter
from webapp.admin.grandbain.views import TEAMS, edition_or_404
from webapp.auth import scopes
from webapp.evaluations import results, visits
from webapp.evaluations.invitations import template_of
from webapp.extensions import db
from webapp.grandbain.models import Offer
from webapp.vocabulary import current_language, sector_groups


@bp.get("/grand-bain/offers/<int:offer_id>/evaluation")
@access.roles(*TEAMS)
def grand_bain_offer_evaluation(offer_id):
    offer = access.find_or_404(Offer, offer_id)
    sector = sector_filter()
    return render_template(
        "admin/grand_bain/evaluation.html",
        offer=offer,
        edition=offer.edition,
        results=results.offer_results(offer.id, current_language(), sector),
        sector=sector,
        sectors=sector_groups(),
        minimum=results.MIN_ANSWERS,
        page_url=url_for(".grand_bain_offer_evaluation", offer_id=offer.id),
        csv_url=url_for(".grand_bain_offer_evaluation_csv", offer_id=offer.id, sector=sector),
    )


@bp.get("/grand-bain/offers/<int:offer_id>/evaluation.csv")
@access.roles(*TEAMS)
def grand_bain_offer_evaluation_csv(offer_id):
    offer = access.find_or_404(Offer, offer_id)
    outcome = results.offer_results(offer.id, current_language(), sector_filter())
    if outcome.hidden:
        abort(404)
    table = results_table(outcome)
    return csv_response(*table, f"grand-bain-{offer.edition.year}-evaluation-{offer.id}.csv")


def _edition_offers(edition):
    """The edition's offers within the account's scope, by name."""
    return db.session.scalars(
        select(Offer)
        .where(Offer.edition_id == edition.id, scopes.offer_filter(access.scope()))
        .order_by(Offer.name, Offer.id)
    ).all()


def _template_questions():
    template = template_of(visits.KIND)
    return template.questions if template else []


@bp.get("/grand-bain/<int:year>/evaluations")
@access.roles(*TEAMS)
def grand_bain_evaluations(year):
    edition = edition_or_404(year)
    sector = sector_filter()
    offers = _edition_offers(edition)
    ids = [offer.id for offer in offers]
    counts = results.counts_by_offer(ids)
    return render_template(
        "admin/grand_bain/evaluations.html",
        edition=edition,
        results=results.offers_results(ids, _template_questions(), current_language(), sector),
        offers=[(offer, *counts[offer.id]) for offer in offers if counts[offer.id] != (0, 0)],
        sector=sector,
        sectors=sector_groups(),
        minimum=results.MIN_ANSWERS,
        page_url=url_for(".grand_bain_evaluations", year=edition.year),
        csv_url=url_for(".grand_bain_evaluations_csv", year=edition.year, sector=sector),
    )


@bp.get("/grand-bain/<int:year>/evaluations.csv")
@access.roles(*TEAMS)
def grand_bain_evaluations_csv(year):
    edition = edition_or_404(year)
    ids = [offer.id for offer in _edition_offers(edition)]
    questions = _template_questions()
    outcome = results.offers_results(ids, questions, current_language(), sector_filter())
    if outcome.hidden:
        abort(404)
    return csv_response(*results_table(outcome), f"grand-bain-{edition.year}-evaluations.csv")
