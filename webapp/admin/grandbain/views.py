"""/admin/grand-bain: the editions (admins open them and set them up), the moderation of
the services' offers (the bassin of the service's commune; admins: all), a host's visitors
(a `service` account sees its organisation's offers), their export, one message to them and
who came to each visit, and each edition's figures."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.admin.grandbain.forms import EditionForm, ReasonForm
from webapp.agenda.models import Bassin
from webapp.auth import scopes
from webapp.auth.states import AccountRole
from webapp.extensions import db
from webapp.grandbain import (
    attendance_page,
    duplicates,
    editions,
    figures,
    hosts,
    offer_organisation,
    offers,
)
from webapp.grandbain.forms import LANGUAGE_CHOICES, HostMessageForm
from webapp.grandbain.models import Edition, Offer, Slot
from webapp.grandbain.states import OfferStatus
from webapp.timezones import local_today, to_local, utcnow
from webapp.unit_of_work import unit_of_work

STAFF = (AccountRole.ADMIN, AccountRole.BASSIN, AccountRole.SERVICE)
TEAMS = (AccountRole.ADMIN, AccountRole.BASSIN)
OFFER_STATES = {
    OfferStatus.SUBMITTED: _l("à relire"),
    OfferStatus.CHANGES_REQUESTED: _l("modification demandée"),
    OfferStatus.ACCEPTED: _l("acceptée"),
    OfferStatus.REFUSED: _l("refusée"),
}
EDITION_REFUSALS = {
    "year-taken": ("year", _l("Une édition existe déjà pour cette année.")),
    "week-order": ("week_end", _l("La semaine se termine après son premier jour.")),
    "window-order": ("call_closes_at", _l("La clôture vient après l'ouverture.")),
    "unknown-bassin": ("bassins", _l("Choix invalide.")),
}
# Waiting offers first, then accepted, then refused.
WAITING_FIRST = case(
    {
        OfferStatus.SUBMITTED: 0,
        OfferStatus.CHANGES_REQUESTED: 1,
        OfferStatus.ACCEPTED: 2,
        OfferStatus.REFUSED: 3,
    },
    value=Offer.status,
    else_=4,
)


@bp.context_processor
def _grand_bain_labels():
    return {"GB_OFFER_STATES": OFFER_STATES}


def edition_or_404(year):
    edition = db.session.scalar(select(Edition).where(Edition.year == year))
    if edition is None:
        abort(404)
    return edition


def _offers_in_scope():
    return select(Offer).where(scopes.offer_filter(access.scope()))


@bp.get("/grand-bain/")
@access.roles(*STAFF)
def grand_bain():
    """The editions, latest first; a service sees its organisation's offers."""
    editions_ = db.session.scalars(select(Edition).order_by(Edition.year.desc())).all()
    own = []
    if access.role() is AccountRole.SERVICE:
        own = db.session.scalars(
            _offers_in_scope().options(joinedload(Offer.edition)).order_by(Offer.id.desc())
        ).all()
    return render_template("admin/grand_bain/editions.html", editions=editions_, own=own)


@bp.get("/grand-bain/<int:year>/")
@access.roles(*TEAMS)
def grand_bain_edition(year):
    """The edition's offers the account reaches, waiting ones first."""
    edition = edition_or_404(year)
    found = (
        db.session.scalars(
            _offers_in_scope()
            .where(Offer.edition_id == edition.id)
            .options(joinedload(Offer.commune), joinedload(Offer.slots))
            .order_by(WAITING_FIRST, Offer.created_at, Offer.id)
        )
        .unique()
        .all()
    )
    return render_template(
        "admin/grand_bain/offers.html",
        edition=edition,
        offers=found,
        twins=duplicates.of_edition(edition.id),
        # Once the week has begun, each accepted offer's row leads to its visits' attendance,
        # visitor lists and evaluation: the work of the week and after.
        week_begun=edition.week_start <= local_today(),
        now=utcnow(),
    )


def _bassin_choices():
    return [(b.slug, b.name) for b in db.session.scalars(select(Bassin).order_by(Bassin.slug))]


@bp.route("/grand-bain/new", methods=["GET", "POST"])
@access.roles(AccountRole.ADMIN)
def grand_bain_new():
    form = EditionForm(bassin_choices=_bassin_choices())
    if request.method == "GET":
        form.bassins.data = [slug for slug, _name in _bassin_choices()]
        form.max_slots_per_offer.data, form.max_visits_per_visitor.data = 3, 4
        form.margin_minutes.data = 30
    return _save_edition(None, form)


@bp.route("/grand-bain/<int:year>/settings", methods=["GET", "POST"])
@access.roles(AccountRole.ADMIN)
def grand_bain_settings(year):
    edition = edition_or_404(year)
    form = EditionForm(obj=edition, bassin_choices=_bassin_choices())
    if request.method == "GET":
        form.bassins.data = [b.slug for b in edition.bassins]
        for name in ("call_opens_at", "call_closes_at", "booking_opens_at", "booking_closes_at"):
            moment = getattr(edition, name)
            form[name].data = to_local(moment).replace(tzinfo=None) if moment else None
    return _save_edition(edition, form)


def _save_edition(edition, form):
    if request.method == "POST" and form.validate_on_submit():
        try:
            with unit_of_work("grand-bain-edition"):
                saved = editions.save(
                    edition.id if edition else None,
                    form.settings(),
                    form.bassins.data,
                    access.actor(),
                )
        except editions.EditionRefused as refused:
            name, message = EDITION_REFUSALS[refused.reason]
            form[name].errors = [str(message)]
        else:
            flash(_("Édition enregistrée."), "info")
            return redirect(url_for(".grand_bain_settings", year=saved.year), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/grand_bain/settings.html", edition=edition, form=form), status


@bp.get("/grand-bain/<int:year>/figures")
@access.roles(*TEAMS)
def grand_bain_figures(year):
    edition = edition_or_404(year)
    return render_template(
        "admin/grand_bain/figures.html",
        edition=edition,
        figures=figures.of_edition(edition),
        history=figures.history(edition),
    )


@bp.get("/grand-bain/offers/<int:offer_id>")
@access.roles(*STAFF)
def grand_bain_offer(offer_id):
    offer = access.find_or_404(Offer, offer_id)
    return _offer_page(offer, ReasonForm(prefix="changes"), ReasonForm(prefix="refusal"))


def _offer_page(offer, changes_form, refusal_form, message_form=None, status=200):
    return render_template(
        "admin/grand_bain/offer.html",
        offer=offer,
        edition=offer.edition,
        can_decide=access.role() in TEAMS and OfferStatus(offer.status).is_editable,
        changes_form=changes_form,
        refusal_form=refusal_form,
        message_form=message_form or HostMessageForm(formdata=None),
        visitors=hosts.visitors_by_slot(offer.id),
        attendance=_attendance_sections(offer),
        organisation_choices=organisation_choices(offer),
        LANGUAGE_LABELS=dict(LANGUAGE_CHOICES),
    ), status


def organisation_choices(offer):
    """The organisations the offer may be linked to, likeliest first (teams only): those that
    match it by name or address, wherever they are (a service's own organisation often has
    no commune and no event yet, so no bassin's scope holds it)."""
    if access.role() not in TEAMS:
        return []
    return offer_organisation.candidates(offer)


def _attendance_sections(offer, problem=None):
    if offer.status != OfferStatus.ACCEPTED:
        return {}
    return attendance_page.sections(
        offer,
        lambda slot: url_for(".grand_bain_attendance", offer_id=offer.id, slot_id=slot.id),
        problem=problem,
    )


@bp.post("/grand-bain/offers/<int:offer_id>/accept")
@access.roles(*TEAMS)
def grand_bain_accept(offer_id):
    offer = access.find_or_404(Offer, offer_id)
    if _decide(offer, OfferStatus.ACCEPTED):
        flash(_("Offre acceptée : elle paraît au programme, le service est prévenu."), "info")
    return redirect(url_for(".grand_bain_offer", offer_id=offer.id), 303)


@bp.post("/grand-bain/offers/<int:offer_id>/changes")
@access.roles(*TEAMS)
def grand_bain_changes(offer_id):
    offer = access.find_or_404(Offer, offer_id)
    form = ReasonForm(prefix="changes")
    if not form.validate_on_submit():
        return _offer_page(offer, form, ReasonForm(prefix="refusal", formdata=None), status=422)
    if _decide(offer, OfferStatus.CHANGES_REQUESTED, form.reason.data):
        flash(_("Demande de modification envoyée au service."), "info")
    return redirect(url_for(".grand_bain_offer", offer_id=offer.id), 303)


@bp.post("/grand-bain/offers/<int:offer_id>/refuse")
@access.roles(*TEAMS)
def grand_bain_refuse(offer_id):
    offer = access.find_or_404(Offer, offer_id)
    form = ReasonForm(prefix="refusal")
    if not form.validate_on_submit():
        return _offer_page(offer, ReasonForm(prefix="changes", formdata=None), form, status=422)
    if _decide(offer, OfferStatus.REFUSED, form.reason.data):
        flash(_("Offre refusée : le service est prévenu."), "info")
    return redirect(url_for(".grand_bain_offer", offer_id=offer.id), 303)


def _decide(offer, status, reason=None):
    """Decide a waiting offer; one already decided is not decided again."""
    if not OfferStatus(offer.status).is_editable:
        flash(_("Cette offre est déjà décidée."), "error")
        return False
    with unit_of_work("grand-bain-decide"):
        offers.decide(offer.id, status, access.actor(), reason)
    return True


@bp.get("/grand-bain/offers/<int:offer_id>/visitors.csv")
@access.roles(*STAFF)
def grand_bain_export_csv(offer_id):
    return export_response(access.find_or_404(Offer, offer_id), "csv")


@bp.get("/grand-bain/offers/<int:offer_id>/visitors.xlsx")
@access.roles(*STAFF)
def grand_bain_export_xlsx(offer_id):
    return export_response(access.find_or_404(Offer, offer_id), "xlsx")


def export_response(offer, kind):
    name = f"grand-bain-{offer.edition.year}-visiteurs-{offer.id}.{kind}"
    body, content_type = hosts.export_file(offer.id, kind)
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/grand-bain/offers/<int:offer_id>/message")
@access.roles(*STAFF)
def grand_bain_message(offer_id):
    offer = access.find_or_404(Offer, offer_id)
    if offer.status != OfferStatus.ACCEPTED:
        abort(409)
    form = HostMessageForm()
    if not form.validate_on_submit():
        return _offer_page(
            offer,
            ReasonForm(prefix="changes", formdata=None),
            ReasonForm(prefix="refusal", formdata=None),
            form,
            status=422,
        )
    with unit_of_work("grand-bain-host-message"):
        count = hosts.message_visitors(offer.id, form.subject.data, form.body.data, access.actor())
    flash(
        ngettext(
            "Message envoyé à %(num)d visiteur·euse.",
            "Message envoyé à %(num)d visiteur·euses.",
            count,
        ),
        "info",
    )
    return redirect(url_for(".grand_bain_offer", offer_id=offer.id), 303)


@bp.route(
    "/grand-bain/offers/<int:offer_id>/slots/<int:slot_id>/attendance", methods=["GET", "POST"]
)
@access.roles(*STAFF)
def grand_bain_attendance(offer_id, slot_id):
    """Who came to one visit of the offer: the bassin's team or the host's account ticks
    them (the same form as the host's page)."""
    offer = access.find_or_404(Offer, offer_id)
    slot = db.session.get(Slot, slot_id)
    if offer.status != OfferStatus.ACCEPTED or slot is None or slot.offer_id != offer.id:
        abort(404)
    problem, status = None, 200
    if request.method == "POST":
        counts, problem, status = attendance_page.save(offer, slot.id, access.actor())
        if counts is not None:
            flash(
                _(
                    "Présences enregistrées. Présent·es : %(came)d sur %(count)d.",
                    came=counts.came,
                    count=counts.visits,
                ),
                "info",
            )
            anchor = f"came-{slot.id}"
            return redirect(url_for(".grand_bain_offer", offer_id=offer.id, _anchor=anchor), 303)
    return render_template(
        "admin/grand_bain/attendance.html",
        offer=offer,
        edition=offer.edition,
        slot=slot,
        bookings=hosts.visitors_by_slot(offer.id).get(slot.id, []),
        section=_attendance_sections(offer, (slot.id, problem)).get(slot.id),
    ), status
