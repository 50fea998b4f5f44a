"""Grand Bain visits: one form per offer (the host's visit; all its slots share it), copied
from the `grand-bain` template when its first slot has ended, and one invitation per booking
the day after its slot, to those who came. Operations flush; the edge commits.

As for events, each invitation is claimed first (an INSERT that a unique booking_id lets
through once), then its mail is queued in the same transaction.
"""

from datetime import timedelta

from sqlalchemy import exists, select

from webapp import audit
from webapp.audit_actions import AuditAction
from webapp.evaluations import letters
from webapp.evaluations.invitations import (
    OPEN_FOR,
    day_after,
    insert_ignoring_conflict,
    template_of,
)
from webapp.evaluations.models import EvaluationForm, Invitation
from webapp.extensions import db
from webapp.grandbain.models import Booking, Offer, Slot, Visitor
from webapp.grandbain.states import BookingStatus, OfferStatus
from webapp.timezones import utcnow
from webapp.tokens import new_token

KIND = "grand-bain"


def due_slots(now=None):
    """Slots of accepted offers that ended before today (local), form not yet closed."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Slot)
        .join(Offer, Slot.offer_id == Offer.id)
        .where(
            Offer.status == OfferStatus.ACCEPTED,
            Slot.end_at < now,
            Slot.end_at > now - OPEN_FOR - timedelta(days=1),
        )
        .order_by(Slot.id)
    ).all()
    return [slot for slot in candidates if day_after(slot.end_at) <= now]


def recipients(slot):
    """The bookings invited to evaluate a visit: the confirmed ones who came, or every
    confirmed one when the slot's attendance was not taken (no confirmed booking marked).
    Never cancelled, waitlisted or absent visitors, nor one who erased her data."""
    confirmed = (Booking.slot_id == slot.id, Booking.status == BookingStatus.CONFIRMED)
    attendance_taken = db.session.scalar(
        select(exists().where(*confirmed, Booking.attended.is_not(None)))
    )
    query = (
        select(Booking)
        .join(Visitor, Booking.visitor_id == Visitor.id)
        .where(*confirmed, Visitor.anonymised_at.is_(None))
    )
    if attendance_taken:
        query = query.where(Booking.attended.is_(True))
    return db.session.scalars(query.order_by(Booking.id)).all()


def form_of(offer_id):
    return db.session.scalar(select(EvaluationForm).where(EvaluationForm.offer_id == offer_id))


def open_form(offer, now=None):
    """The offer's form, copied from the `grand-bain` template the first time; it stays
    open until fourteen days after the day following its last slot. Safe when two runs
    open it at once (unique offer_id); None without a template."""
    form = form_of(offer.id)
    if form is not None:
        return form
    template = template_of(KIND)
    if template is None:
        return None
    now = now or utcnow()
    last_end = max(slot.end_at for slot in offer.slots)
    values = {
        "offer_id": offer.id,
        "questions": template.questions,
        "open_token": new_token(),
        "opened_at": now,
        "closes_at": max(now, day_after(last_end)) + OPEN_FOR,
    }
    db.session.execute(insert_ignoring_conflict(EvaluationForm, values, "offer_id"))
    return form_of(offer.id)


def invite(booking_id, now=None):
    """Invite one booking's visitor (claim, then queue the mail naming the host and the
    day); False when already invited, or when the form is closed or missing."""
    now = now or utcnow()
    booking = db.session.get(Booking, booking_id)
    form = open_form(booking.slot.offer, now)
    if form is None or not form.is_open(now):
        return False
    values = {
        "booking_id": booking_id,
        "form_id": form.id,
        "token": new_token(),
        "language": booking.visitor.language or "fr",
        "answered": False,
        "sent_at": now,
    }
    claimed = db.session.execute(insert_ignoring_conflict(Invitation, values, "booking_id")).first()
    if claimed is None:
        return False
    letters.queue(db.session.get(Invitation, claimed.id), "invitation")
    audit.record(audit.SYSTEM, AuditAction.EVALUATION_INVITED, "grand_bain_booking", booking_id)
    db.session.flush()
    return True
