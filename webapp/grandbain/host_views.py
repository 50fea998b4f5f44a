"""The Grand Bain's pages for hosts: the call for offers, then the host's personal page
(edit the offer while undecided; its visitors, their export, a message to them, and who
came), reached by the offer's link."""

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp import audit, limits
from webapp.extensions import limiter
from webapp.grandbain import attendance_page, hosts, offers, queries
from webapp.grandbain.forms import ApplyForm, HostMessageForm
from webapp.grandbain.models import Offer
from webapp.grandbain.states import OfferStatus
from webapp.grandbain.views import bp, edition_or_404
from webapp.timezones import utcnow
from webapp.tokens import find_by_token, find_by_token_or_404
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import current_language


@bp.route("/grand-bain/<int:year>/apply", methods=["GET", "POST"])
@limiter.limit(limits.SUBMISSION, methods=["POST"])
def apply(year):
    edition = edition_or_404(year)
    if not edition.is_call_open(utcnow()):
        return render_template("grandbain/apply.html", edition=edition, form=None), (
            200 if request.method == "GET" else 409
        )
    form = _offer_form(edition)
    if request.method == "POST" and form.validate_on_submit() and _slots_fit(edition, form):
        try:
            with unit_of_work("grand-bain-apply"):
                offer = offers.submit(
                    edition.id, form.offer_data(), form.slot_requests(), current_language()
                )
        except offers.OfferRefused:
            form.slots.errors = [_("Les créneaux ne conviennent pas à cette édition.")]
        else:
            return redirect(url_for(".host", token=offer.token, sent=1), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("grandbain/apply.html", edition=edition, form=form), status


def _offer_form(edition, **kwargs):
    return ApplyForm(
        communes=queries.edition_communes(edition),
        slot_rows=edition.max_slots_per_offer,
        **kwargs,
    )


def _slots_fit(edition, form):
    """Each slot's day within the edition's week (the form knows no edition)."""
    problems = offers.slot_problems(edition, form.slot_requests())
    rows = [e for e in form.slots.entries if not e.form.is_empty()]
    for position, code in problems.items():
        if code == "outside-week":
            rows[position].form.day.errors = [_("Choisissez un jour de la semaine du Grand Bain.")]
        else:
            rows[position].form.end.errors = [_("La fin doit venir après le début, le même jour.")]
    return not problems


@bp.route("/grand-bain/offers/<token>", methods=["GET", "POST"])
@limiter.limit(limits.PERSONAL_PAGE, methods=["POST"])
def host(token):
    """The host's page: edit the offer while it is not decided; then its visitors."""
    offer = find_by_token_or_404(Offer.token, token)
    edition = offer.edition
    editable = OfferStatus(offer.status).is_editable
    form, saved = None, False
    if editable:
        form = _offer_form(edition, obj=offer) if request.method == "GET" else _offer_form(edition)
        if request.method == "GET":
            _fill_form(form, offer)
        elif form.validate_on_submit() and _slots_fit(edition, form):
            with unit_of_work("grand-bain-offer-update"):
                offers.update(offer.id, form.offer_data(), form.slot_requests())
            saved = True
    elif request.method == "POST":
        abort(409)
    status = 422 if request.method == "POST" and not saved else 200
    return _host_page(offer, form, saved=saved, status=status)


def _host_page(offer, form=None, saved=False, message_form=None, status=200, problem=None):
    editable = OfferStatus(offer.status).is_editable
    attendance = {}
    if offer.status == OfferStatus.ACCEPTED:
        attendance = attendance_page.sections(
            offer,
            lambda slot: url_for(".host_attendance", token=offer.token, slot_id=slot.id),
            problem=problem,
            saved=request.args.get("recorded", type=int),
        )
    return render_template(
        "grandbain/host.html",
        offer=offer,
        edition=offer.edition,
        form=form,
        saved=saved,
        sent=request.args.get("sent") == "1",
        visitors=hosts.visitors_by_slot(offer.id) if not editable else {},
        message_form=message_form or HostMessageForm(formdata=None),
        message_sent=request.args.get("message", type=int),
        attendance=attendance,
        # A refusal for a visit without a form (not started yet) is said above the list.
        attendance_problem=problem[1] if problem and problem[0] not in attendance else None,
    ), status


def _accepted_offer_by_token(token):
    offer = find_by_token(Offer.token, token)
    if offer is None or offer.status != OfferStatus.ACCEPTED:
        abort(404)
    return offer


@bp.get("/grand-bain/offers/<token>/visitors.csv")
def host_export_csv(token):
    """The host's visitors as a spreadsheet (formula-safe), through its personal link."""
    return _host_export(_accepted_offer_by_token(token), "csv")


@bp.get("/grand-bain/offers/<token>/visitors.xlsx")
def host_export_xlsx(token):
    return _host_export(_accepted_offer_by_token(token), "xlsx")


def _host_export(offer, kind):
    name = f"grand-bain-{offer.edition.year}-visiteurs.{kind}"
    body, content_type = hosts.export_file(offer.id, kind)
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/grand-bain/offers/<token>/message")
@limiter.limit(limits.HOST_MESSAGE)
def host_message(token):
    """One message from the host to its confirmed visitors, each written to alone."""
    offer = _accepted_offer_by_token(token)
    form = HostMessageForm()
    if not form.validate_on_submit():
        return _host_page(offer, message_form=form, status=422)
    with unit_of_work("grand-bain-host-message"):
        count = hosts.message_visitors(
            offer.id,
            form.subject.data,
            form.body.data,
            audit.Actor(audit.Actor.PERSONAL_LINK, None),
        )
    return redirect(url_for(".host", token=token, message=count) + "#message-heading", 303)


@bp.post("/grand-bain/offers/<token>/slots/<int:slot_id>/attendance")
@limiter.limit(limits.HOST_ATTENDANCE)
def host_attendance(token, slot_id):
    """The host records who came to one of its started visits ("Qui est venu ?")."""
    offer = _accepted_offer_by_token(token)
    actor = audit.Actor(audit.Actor.PERSONAL_LINK, None)
    _counts, problem, status = attendance_page.save(offer, slot_id, actor)
    if problem:
        return _host_page(offer, status=status, problem=(slot_id, problem))
    return redirect(url_for(".host", token=token, recorded=slot_id, _anchor=f"came-{slot_id}"), 303)


def _fill_form(form, offer):
    form.commune_id.data = str(offer.commune_id)
    form.languages.data = offer.language_codes
    for entry, request_ in zip(form.slots.entries, offers.slot_requests(offer), strict=False):
        entry.form.day.data = request_.start.date()
        entry.form.start.data = request_.start.time()
        entry.form.end.data = request_.end.time()
        entry.form.places.data = request_.capacity
