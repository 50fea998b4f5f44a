"""The Grand Bain's public pages: programme, offer, booking (one slot or several), the
visitor's personal page and feed, the call for offers and the host's personal page."""

from flask import Blueprint, abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp import audit
from webapp.addresses import typed_address_key
from webapp.extensions import db, limiter
from webapp.feeds.ical import entries_text
from webapp.grandbain import (
    attendance_page,
    figures,
    hosts,
    offers,
    personal_data,
    queries,
    rules,
)
from webapp.grandbain.calendar import visit_entries
from webapp.grandbain.forms import (
    LANGUAGE_CHOICES,
    ApplyForm,
    HostMessageForm,
    booking_form_class,
    question_field,
)
from webapp.grandbain.models import Booking, Offer, Slot, Visitor
from webapp.grandbain.states import OfferStatus
from webapp.templating import when
from webapp.timezones import utcnow
from webapp.tokens import find_by_token
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import current_language

bp = Blueprint("grandbain", __name__)
# More visits than any edition lets one person book: the rest of a long list is not read.
MAX_SLOTS_IN_SET = 20

# Why a set of visits was refused (rules.BookingRefused), said to the visitor.
SET_REFUSALS = {
    "not-open": lambda: _("Les réservations ne sont pas encore ouvertes."),
    "closed": lambda: _("Les réservations sont closes."),
    "no-slot": lambda: _("Choisissez au moins une visite."),
    "cap": lambda e: _(
        "Vous pouvez réserver au plus %(count)d visites pour cette édition.",
        count=e.max_visits_per_visitor,
    ),
    "slots": lambda: _("Certaines visites ne peuvent pas être réservées : rien n'a été réservé."),
}
SLOT_REFUSALS = {
    "unknown": lambda p: _("Cette visite n'existe pas dans cette édition."),
    "twice": lambda p: _("Cette visite est choisie deux fois."),
    "closed": lambda p: _("Cette visite ne prend plus de réservation."),
    "already": lambda p: _("Vous avez déjà réservé cette visite."),
    "full": lambda p: _("Cette visite est complète."),
    "overlap": lambda p: _(
        "Trop proche de votre visite chez %(host)s (%(when)s) : il faut le temps de vous déplacer.",
        host=p.other.offer.name,
        when=_when(p.other),
    ),
}
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


def _when(slot):
    return when(slot.start_at, slot.end_at)


@bp.after_request
def _never_stored(response):
    if request.endpoint in PERSONAL_ENDPOINTS:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _edition_or_404(year):
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


@bp.get("/grand-bain/<int:year>/")
def programme(year):
    edition = _edition_or_404(year)
    filters = queries.parse_filters(request.args, edition)
    slots = queries.programme_slots(edition, filters)
    communes, sectors = queries.filter_choices(edition)
    return render_template(
        "grandbain/programme.html",
        edition=edition,
        filters=filters,
        days=queries.by_day_and_commune(slots, current_language()),
        communes=communes,
        sectors=sectors,
        booking_open=edition.is_booking_open(utcnow()),
        figures=figures.edition_figures(edition) if figures.is_public(edition) else None,
        history=figures.history(edition) if figures.is_public(edition) else [],
    )


@bp.get("/grand-bain/<int:year>/offers/<int:offer_id>")
def offer(year, offer_id):
    edition = _edition_or_404(year)
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


def _address_key():
    """One bucket per edition or slot and address: what sends a mail counts."""
    address = (request.form.get("email") or "").strip() or request.remote_addr
    where = request.view_args.get("year") or request.view_args.get("slot_id")
    return f"grand-bain:{where}:{typed_address_key(address)}"


def _mail_was_sent(response):
    return response.status_code == 303 or g.get("grand_bain_mail_sent", False)


@bp.route("/grand-bain/slots/<int:slot_id>/book", methods=["GET", "POST"])
@limiter.limit("20/minute;200/hour", methods=["POST"])
@limiter.limit("5/hour", methods=["POST"], key_func=_address_key, deduct_when=_mail_was_sent)
def book_slot(slot_id):
    slot = db.session.scalar(
        select(Slot)
        .join(Slot.offer)
        .where(Slot.id == slot_id, Offer.status == OfferStatus.ACCEPTED)
        .options(joinedload(Slot.offer).joinedload(Offer.edition))
    )
    if slot is None:
        abort(404)
    return _booking(slot.offer.edition, [slot_id], url_for(".book_slot", slot_id=slot_id))


@bp.route("/grand-bain/<int:year>/book", methods=["GET", "POST"])
@limiter.limit("20/minute;200/hour", methods=["POST"])
@limiter.limit("5/hour", methods=["POST"], key_func=_address_key, deduct_when=_mail_was_sent)
def book(year):
    edition = _edition_or_404(year)
    source = request.form if request.method == "POST" else request.args
    slot_ids, malformed = [], False
    for value in source.getlist("slot")[:MAX_SLOTS_IN_SET]:
        if value.isascii() and value.isdigit() and 0 < int(value) < 2**31:
            slot_ids.append(int(value))
        else:
            malformed = True
    return _booking(edition, slot_ids, url_for(".book", year=year), malformed)


def _booking(edition, slot_ids, action, malformed=False):
    """Show the chosen visits side by side with the person fields; book them all on POST."""
    shown = _slots_to_show(edition, slot_ids)
    form = booking_form_class(shown)()
    general, problems = None, {}
    now = utcnow()
    if malformed or not slot_ids:
        general = SET_REFUSALS["no-slot"]()
    elif not edition.is_booking_open(now):
        general = SET_REFUSALS[
            "closed" if edition.booking_opens_at and edition.booking_opens_at <= now else "not-open"
        ]()
    elif request.method == "POST" and form.validate_on_submit():
        questions = {s.id: form[question_field(s.id)].data for s in shown}
        try:
            with unit_of_work("grand-bain-book"):
                outcome = rules.book(
                    edition.id,
                    slot_ids,
                    form.person(),
                    questions,
                    waitlist=form.waitlist.data,
                    language=current_language(),
                )
        except rules.BookingRefused as refused:
            general, problems = _refusal_messages(edition, refused)
            return _booking_page(edition, shown, form, action, general, problems, slot_ids), 409
        g.grand_bain_mail_sent = True
        if outcome.new_visitor:
            return redirect(url_for(".visits", token=outcome.visitor.token), 303)
        return render_template("grandbain/sent.html", edition=edition, email=outcome.visitor.email)
    status = 422 if request.method == "POST" else 200
    if general:
        status = 409 if request.method == "POST" else 200
    return _booking_page(edition, shown, form, action, general, problems, slot_ids), status


def _slots_to_show(edition, slot_ids):
    """The asked slots of this edition's accepted offers, in time order (others are not
    shown: the refusal says so)."""
    if not slot_ids:
        return []
    return db.session.scalars(
        select(Slot)
        .join(Slot.offer)
        .where(
            Slot.id.in_(set(slot_ids)),
            Offer.edition_id == edition.id,
            Offer.status == OfferStatus.ACCEPTED,
        )
        .options(joinedload(Slot.offer).joinedload(Offer.commune))
        .order_by(Slot.start_at, Slot.id)
    ).all()


def _refusal_messages(edition, refused):
    message = SET_REFUSALS[refused.reason]
    general = message(edition) if refused.reason == "cap" else message()
    problems = {
        slot_id: SLOT_REFUSALS[problem.code](problem)
        for slot_id, problem in refused.problems.items()
    }
    return general, problems


def _booking_page(edition, shown, form, action, general, problems, slot_ids):
    shown_ids = {s.id for s in shown}
    unknown = [sid for sid in slot_ids if sid not in shown_ids]
    if unknown and not general:
        general = SLOT_REFUSALS["unknown"](None)
    return render_template(
        "grandbain/book.html",
        edition=edition,
        slots=shown,
        form=form,
        action=action,
        general=general,
        problems=problems,
        unknown=unknown,
        question_field=question_field,
    )


def _visitor_or_404(token):
    # An erased visitor's token was replaced (Visitor.anonymise): her old link finds nobody;
    # the check on anonymised_at says the same should a link ever reach an erased row.
    visitor = find_by_token(Visitor.token, token)
    if visitor is None or visitor.anonymised_at is not None:
        abort(404)
    return visitor


@bp.get("/grand-bain/visits/<token>")
def visits(token):
    visitor = _visitor_or_404(token)
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.visitor_id == visitor.id)
        .options(joinedload(Booking.slot).joinedload(Slot.offer).joinedload(Offer.commune))
        .join(Booking.slot)
        .order_by(Slot.start_at, Booking.id)
    ).all()
    return render_template(
        "grandbain/visits.html",
        visitor=visitor,
        edition=visitor.edition,
        bookings=bookings,
        positions={b.id: rules.waitlist_position(b) for b in bookings},
        active=any(b.is_active for b in bookings),
    )


@bp.route("/grand-bain/visits/<token>/<int:booking_id>/cancel", methods=["GET", "POST"])
def cancel_visit(token, booking_id):
    """GET asks for confirmation (no JavaScript needed); POST cancels that visit only."""
    visitor = _visitor_or_404(token)
    booking = db.session.scalar(
        select(Booking).where(Booking.id == booking_id, Booking.visitor_id == visitor.id)
    )
    if booking is None:
        abort(404)
    if request.method == "GET":
        if not booking.is_active:
            return redirect(url_for(".visits", token=token), 303)
        return render_template("grandbain/confirm.html", visitor=visitor, bookings=[booking])
    with unit_of_work("grand-bain-cancel"):
        rules.cancel(booking.id)
    return redirect(url_for(".visits", token=token), 303)


@bp.route("/grand-bain/visits/<token>/cancel", methods=["GET", "POST"])
def cancel_all(token):
    visitor = _visitor_or_404(token)
    if request.method == "GET":
        active = [b for b in visitor.bookings if b.is_active]
        if not active:
            return redirect(url_for(".visits", token=token), 303)
        return render_template("grandbain/confirm.html", visitor=visitor, bookings=active, all=True)
    with unit_of_work("grand-bain-cancel-all"):
        rules.cancel_all(visitor.id)
    return redirect(url_for(".visits", token=token), 303)


@bp.route("/grand-bain/visits/<token>/erase", methods=["GET", "POST"])
def erase(token):
    """GET asks for confirmation; POST cancels her coming visits and erases her data, for
    good (the link then leads nowhere)."""
    visitor = _visitor_or_404(token)
    if request.method == "GET":
        coming = [b for b in visitor.bookings if b.is_active and b.slot.start_at > utcnow()]
        return render_template("grandbain/erase.html", visitor=visitor, coming=coming)
    with unit_of_work("grand-bain-erase"):
        personal_data.erase(visitor.id)
    return render_template("grandbain/erased.html", edition=visitor.edition)


@bp.get("/grand-bain/calendar/<token>.ics")
def visits_feed(token):
    """The visitor's visits as a calendar feed (cancelled ones stay, marked so)."""
    g.cookieless = True
    visitor = _visitor_or_404(token)
    language = visitor.language or "fr"
    with force_locale(language):
        body = entries_text(
            visit_entries(visitor.bookings, language),
            name=_("Mes visites du Grand Bain %(year)d", year=visitor.edition.year),
        )
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="grand-bain.ics"'
    return response


@bp.route("/grand-bain/<int:year>/apply", methods=["GET", "POST"])
@limiter.limit("10/minute;50/hour", methods=["POST"])
def apply(year):
    edition = _edition_or_404(year)
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
@limiter.limit("10/minute;60/hour", methods=["POST"])
def host(token):
    """The host's page: edit the offer while it is not decided; then its visitors."""
    offer = find_by_token(Offer.token, token)
    if offer is None:
        abort(404)
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
    if kind == "csv":
        body, content_type = hosts.export_csv(offer.id), "text/csv; charset=utf-8"
    else:
        body = hosts.export_xlsx(offer.id)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/grand-bain/offers/<token>/message")
@limiter.limit("3/hour;10/day")
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
@limiter.limit("30/minute;300/hour")
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
