"""The Grand Bain visitor's personal pages: her visits, cancelling one or all, erasing her
data, and her visits as a calendar feed.

Two kinds of link reach them. The page a booking request lands on (`Booking.request_token`)
covers that request's visits alone: its page, its feed, cancelling one of them. Whoever
typed an address holds it, so it shows nothing else of the address. The link to every visit
of the address (`Visitor.token`: all visits, cancel all, erase, the full feed) is only ever
sent by mail (notices.py), so only the mailbox owner holds it.
"""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Link:
    """What a personal link reaches: every visit of the address (`full`: the mailed link)
    or the visits one booking request booked (the link its page gave)."""

    token: str
    visitor: Visitor
    full: bool

    def covers(self):
        """The bookings this link reaches, as a query filter."""
        if self.full:
            return Booking.visitor_id == self.visitor.id
        return Booking.request_token == self.token


def find_link(token):
    """What the personal link `token` reaches, or None (no such link, or an erased visitor)."""
    # An erased visitor's links were retired (Visitor.anonymise): they find nobody; the check
    # on anonymised_at says the same should a link ever reach an erased row.
    visitor, full = find_by_token(Visitor.token, token), True
    if visitor is None:
        booking = find_by_token(Booking.request_token, token)
        visitor, full = (booking.visitor if booking is not None else None), False
    if visitor is None or visitor.anonymised_at is not None:
        return None
    return Link(token, visitor, full)


def _link_or_404(token):
    link = find_link(token)
    if link is None:
        abort(404)
    return link


def _visitor_or_404(token):
    """The visitor of the mailed link; a request's link reaches no further than its visits."""
    link = _link_or_404(token)
    if not link.full:
        abort(404)
    return link.visitor


def _bookings(link):
    return db.session.scalars(
        select(Booking)
        .where(link.covers())
        .options(joinedload(Booking.slot).joinedload(Slot.offer).joinedload(Offer.commune))
        .join(Booking.slot)
        .order_by(Slot.start_at, Booking.id)
    ).all()


@bp.get("/grand-bain/visits/<token>")
def visits(token):
    link = _link_or_404(token)
    bookings = _bookings(link)
    return render_template(
        "grandbain/visits.html",
        link=link,
        visitor=link.visitor,
        edition=link.visitor.edition,
        bookings=bookings,
        positions={b.id: rules.waitlist_position(b) for b in bookings},
        active=any(b.is_active for b in bookings),
    )


@bp.route("/grand-bain/visits/<token>/<int:booking_id>/cancel", methods=["GET", "POST"])
def cancel_visit(token, booking_id):
    """GET asks for confirmation (no JavaScript needed); POST cancels that visit only."""
    link = _link_or_404(token)
    booking = db.session.scalar(select(Booking).where(Booking.id == booking_id, link.covers()))
    if booking is None:
        abort(404)
    if request.method == "GET":
        if not booking.is_active:
            return redirect(url_for(".visits", token=token), 303)
        return render_template("grandbain/confirm.html", token=token, bookings=[booking])
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
        return render_template("grandbain/confirm.html", token=token, bookings=active, all=True)
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
    """The visits the link reaches as a calendar feed (cancelled ones stay, marked so)."""
    g.cookieless = True
    link = _link_or_404(token)
    language = link.visitor.language or "fr"
    with force_locale(language):
        body = entries_text(
            visit_entries(_bookings(link), language),
            name=_("Mes visites du Grand Bain %(year)d", year=link.visitor.edition.year),
        )
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="grand-bain.ics"'
    return response
