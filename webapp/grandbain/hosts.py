"""What a host does with its visitors: the list per slot, its export, one message to them.

A host reaches only its own offer's bookings (the caller found the offer by its token or
within the account's scope); each visitor is written to alone, so no visitor sees another.
"""

import logging

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp import audit
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.grandbain.attendance import attendance_by_slot
from webapp.grandbain.models import Booking, Offer, Slot
from webapp.grandbain.notices import visitor_reference
from webapp.grandbain.states import BookingStatus
from webapp.mail.outbox import queue_message
from webapp.spreadsheets import spreadsheet
from webapp.templating import when
from webapp.vocabulary import sector_label

logger = logging.getLogger(__name__)

SUBJECT_MAX = 150
BODY_MAX = 3000


def active_bookings(offer_id):
    """The offer's confirmed and waiting bookings, by slot then booking order."""
    return db.session.scalars(
        select(Booking)
        .join(Booking.slot)
        .where(Slot.offer_id == offer_id, Booking.status != BookingStatus.CANCELLED)
        .options(joinedload(Booking.visitor), joinedload(Booking.slot))
        .order_by(Slot.start_at, Slot.id, Booking.id)
    ).all()


def visitors_by_slot(offer_id):
    """slot id -> the active bookings of that slot."""
    grouped = {}
    for booking in active_bookings(offer_id):
        grouped.setdefault(booking.slot_id, []).append(booking)
    return grouped


def export_rows(offer_id):
    """(header, rows) of the host's visitors, as `spreadsheets` writes them."""
    header = [
        _("Visite"),
        _("Statut"),
        _("Prénom"),
        _("Nom"),
        _("Organisation"),
        _("Secteur"),
        _("Fonction"),
        _("Question"),
        _("Présent·e"),
    ]
    rows = []
    bookings = active_bookings(offer_id)
    taken = attendance_by_slot({b.slot_id for b in bookings})
    for booking in bookings:
        visitor = booking.visitor
        status = (
            _("liste d'attente") if booking.status == BookingStatus.WAITLISTED else _("confirmé")
        )
        cells = [
            when(booking.slot.start_at, booking.slot.end_at),
            status,
            visitor.first_name,
            visitor.last_name,
            visitor.organisation,
            sector_label(visitor.sector) if visitor.sector else "",
            visitor.job_title,
            booking.question,
            presence(booking, taken[booking.slot_id]),
        ]
        rows.append(cells)
    return header, rows


def presence(booking, slot_attendance):
    """Oui / Non for a confirmed visit of a slot whose attendance was taken, else empty."""
    if booking.status != BookingStatus.CONFIRMED or not slot_attendance.taken:
        return ""
    return _("Oui") if booking.attended else _("Non")


def export_file(offer_id, kind):
    """The visitors' spreadsheet of kind "csv" or "xlsx": its body and its content type."""
    header, rows = export_rows(offer_id)
    return spreadsheet(kind, _("Visiteurs"), header, rows)


def message_visitors(offer_id, subject, body, actor):
    """One message from the host to each of its confirmed visitors (each alone: nobody sees
    the other addresses), through the outbox; returns how many were queued."""
    offer = db.session.get(Offer, offer_id)
    visitors = {}
    for booking in active_bookings(offer_id):
        # An erased visitor keeps her past visits (the figures) but has no address left.
        if booking.status == BookingStatus.CONFIRMED and booking.visitor.email:
            visitors.setdefault(booking.visitor_id, booking.visitor)
    for visitor in visitors.values():
        language = visitor.language or "fr"
        with force_locale(language):
            context = {
                "offer": offer,
                "visitor": visitor,
                "body": body,
                "language": language,
                "reply_to": offer.reply_address,
            }
            queue_message(
                visitor.email,
                _("Grand Bain : un message de %(host)s", host=offer.name) + " – " + subject,
                render_template("mail/grand_bain_host_message.txt", **context),
                render_template("mail/grand_bain_host_message.html", **context),
                reference=visitor_reference(visitor.id),
                reply_to=offer.reply_address,
            )
    audit.record(
        actor,
        AuditAction.GRAND_BAIN_HOST_MESSAGE_SENT,
        "grand_bain_offer",
        offer.id,
        after={"subject": subject, "recipients": len(visitors)},
    )
    db.session.flush()
    return len(visitors)
