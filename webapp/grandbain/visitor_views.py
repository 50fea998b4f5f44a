"""The Grand Bain visitor's personal pages, reached by her link: her visits, cancelling one
or all, erasing her data, and her visits as a calendar feed."""

from flask import abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.feeds.ical import entries_text
from webapp.grandbain import personal_data, rules
from webapp.grandbain.calendar import visit_entries
from webapp.grandbain.models import Booking, Offer, Slot, Visitor
from webapp.grandbain.views import bp
from webapp.timezones import utcnow
from webapp.tokens import find_by_token
from webapp.unit_of_work import unit_of_work


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
