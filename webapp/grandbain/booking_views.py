"""The Grand Bain's booking pages: one slot, or a set of visits booked all or none."""

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp import limits
from webapp.addresses import typed_address_key
from webapp.extensions import db, limiter
from webapp.grandbain import queries, rules, selection
from webapp.grandbain.forms import booking_form_class, question_field
from webapp.grandbain.models import Edition, Offer, Slot
from webapp.grandbain.states import OfferStatus
from webapp.grandbain.views import bp, edition_or_404
from webapp.templating import when
from webapp.timezones import to_local, utcnow
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import current_language

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


def _when(slot):
    return when(slot.start_at, slot.end_at)


def _edition_year():
    """The edition the form books in: the URL's year, or the slot's edition's."""
    if "year" in request.view_args:
        return request.view_args["year"]
    if "grand_bain_year" not in g:
        g.grand_bain_year = db.session.scalar(
            select(Edition.year)
            .join(Offer, Offer.edition_id == Edition.id)
            .join(Slot, Slot.offer_id == Offer.id)
            .where(Slot.id == request.view_args.get("slot_id"))
        )
    return g.grand_bain_year


def _address_key():
    """One bucket per edition and address, whichever form and slot: what sends a mail to
    the address counts (a booking, a refusal told by mail)."""
    address = (request.form.get("email") or "").strip() or limits.client_address()
    return f"grand-bain:{_edition_year()}:{typed_address_key(address)}"


def _mail_was_sent(response):
    return response.status_code == 303 or g.get("grand_bain_mail_sent", False)


# Both booking forms draw on the same budgets: one per client, one per edition and address.
per_client = limiter.shared_limit(limits.PUBLIC_FORM, scope="grand-bain-book", methods=["POST"])
per_address = limiter.shared_limit(
    limits.MAILS_TO_ONE_ADDRESS,
    scope="grand-bain-book-address",
    methods=["POST"],
    key_func=_address_key,
    deduct_when=_mail_was_sent,
)


@bp.route("/grand-bain/slots/<int:slot_id>/book", methods=["GET", "POST"])
@per_client
@per_address
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
@per_client
@per_address
def book(year):
    edition = edition_or_404(year)
    source = request.form if request.method == "POST" else request.args
    chosen = selection.read(source.getlist("slot"), drop=source.get("remove"), once=False)
    return _booking(edition, list(chosen.ids), url_for(".book", year=year), chosen.malformed)


def _booking(edition, slot_ids, action, malformed=False):
    """Show the chosen visits side by side with the person fields; book them all on POST.
    A POST that removes a visit ("Retirer") shows the form again without it, keeping
    everything typed, and books nothing."""
    shown = queries.edition_slots(edition, slot_ids)
    form = booking_form_class(shown)()
    general, problems = None, {}
    closed = rules.window_refusal(edition, utcnow())
    removing = request.method == "POST" and "remove" in request.form
    if removing and not malformed and not closed:
        return _booking_page(edition, shown, form, action, None, {}, slot_ids)
    if malformed or not slot_ids:
        general = SET_REFUSALS["no-slot"]()
    elif closed:
        general = SET_REFUSALS[closed]()
    elif request.method == "POST" and form.validate_on_submit():
        questions = {s.id: form[question_field(s.id)].data for s in shown}
        try:
            # The refusals the slots already read show (a full slot, two visits at once):
            # no transaction, and the page below is drawn from the rows as they are.
            rules.refuse_as_read(edition, shown, slot_ids, waitlist=form.waitlist.data)
            with unit_of_work("grand-bain-book"):
                outcome = rules.book(
                    edition.id,
                    slot_ids,
                    form.person(),
                    questions,
                    waitlist=form.waitlist.data,
                    language=current_language(),
                )
                # Made before the commit: nothing after it can turn saved visits into an error.
                answer = _booked(outcome)
        except rules.BookingRefused as refused:
            if refused.private:
                return _told_by_mail(edition, slot_ids, form.email.data, refused), 409
            general, problems = _refusal_messages(edition, refused)
            return _booking_page(edition, shown, form, action, general, problems, slot_ids), 409
        g.grand_bain_mail_sent = True
        return answer
    status = 422 if request.method == "POST" else 200
    if general:
        status = 409 if request.method == "POST" else 200
    return _booking_page(edition, shown, form, action, general, problems, slot_ids), status


def _told_by_mail(edition, slot_ids, email, refused):
    """A refusal that comes from the address's earlier visits: the address is told why by
    mail; the page says only that (whoever typed the address learns none of them)."""
    with unit_of_work("grand-bain-refusal-notice"):
        rules.tell_refusal(edition.id, email, slot_ids, refused)
    g.grand_bain_mail_sent = True
    return render_template(
        "grandbain/sent.html", edition=edition, email=rules.normalise_email(email)
    )


def _booked(outcome):
    """The answer to a booking: the page of this request's visits (the page of every visit
    of the address goes by mail)."""
    return redirect(url_for(".visits", token=outcome.request_token), 303)


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
    back = url_for(
        ".programme",
        year=edition.year,
        slot=[slot.id for slot in shown],
        date=to_local(shown[0].start_at).date().isoformat() if shown else None,
    )
    return render_template(
        "grandbain/book.html",
        edition=edition,
        slots=shown,
        set_form=request.endpoint == "grandbain.book",
        programme_url=back,
        form=form,
        action=action,
        general=general,
        problems=problems,
        unknown=unknown,
        question_field=question_field,
    )
