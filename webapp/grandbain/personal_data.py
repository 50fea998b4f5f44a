"""Erasure and retention of the Grand Bain's visitors and hosts' contact persons: what
identifies a person is wiped, what the edition's figures need stays (sector, language,
bookings' status and attendance; the offers' services, addresses and slots).

Each function changes rows and flushes; the caller's unit of work commits.
"""

from sqlalchemy import select

from webapp import audit
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.grandbain import notices, rules
from webapp.grandbain.models import Booking, Edition, Offer, Slot, Visitor
from webapp.grandbain.states import ACTIVE_BOOKINGS
from webapp.mail import outbox
from webapp.registrations.personal_data import personal_data_erased
from webapp.timezones import months_before, to_local, utcnow


def erase(visitor_id, now=None):
    """Self-service erasure: cancel her coming visits (their places go to the waitlist, the
    hosts are told), then wipe her data and her messages. One audit line, ids only. Erasing
    again changes nothing; returns whether this call erased."""
    now = now or utcnow()
    # The visitor's row first, as booking does: no visit can be added while she is erased.
    visitor = db.session.get(Visitor, visitor_id, with_for_update=True, populate_existing=True)
    if visitor is None or visitor.anonymised_at is not None:
        return False
    coming = db.session.scalars(
        select(Booking.id)
        .join(Slot, Booking.slot_id == Slot.id)
        .where(
            Booking.visitor_id == visitor_id,
            Booking.status.in_(ACTIVE_BOOKINGS),
            Slot.start_at > now,
        )
        .order_by(Booking.slot_id)  # the slots' locks in id order (rules, capacity.py)
    ).all()
    for booking_id in coming:
        rules.cancel(booking_id, now, notify=False)  # no mail to an address being erased
    _anonymise(visitor, now)
    audit.record(
        audit.Actor.personal_link(visitor_id),
        AuditAction.GRAND_BAIN_ERASED,
        "grand_bain_visitor",
        visitor_id,
        after={"cancelled": len(coming)},
    )
    db.session.flush()
    return True


def purge_visitors(older_than_months=12, now=None):
    """Anonymise the visitors of editions whose week ended more than N months ago (local
    days); returns how many. Safe to run again: an anonymised visitor is not counted twice."""
    now = now or utcnow()
    cutoff = _cutoff(now, older_than_months)
    stale = db.session.scalars(
        select(Visitor)
        .join(Edition, Visitor.edition_id == Edition.id)
        .where(Edition.week_end < cutoff, Visitor.anonymised_at.is_(None))
        .order_by(Visitor.id)
    ).all()
    for visitor in stale:
        _anonymise(visitor, now)
        audit.purged(
            AuditAction.GRAND_BAIN_PURGED, "grand_bain_visitor", visitor.id, older_than_months
        )
    db.session.flush()
    return len(stale)


def purge_offer_contacts(older_than_months=12, now=None):
    """Clear the contact person of offers of editions whose week ended more than N months ago
    (the same cut as the visitors'), delete the messages to her and retire the host's link;
    returns how many. Safe to run again: a cleared offer is not counted twice."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Offer)
        .join(Edition, Offer.edition_id == Edition.id)
        .where(
            Edition.week_end < _cutoff(now, older_than_months), Offer.contact_cleared_at.is_(None)
        )
        .order_by(Offer.id)
    ).all()
    for offer in stale:
        offer.clear_contact(now)
        outbox.forget(notices.offer_reference(offer.id))
        audit.purged(
            AuditAction.GRAND_BAIN_OFFER_CONTACT_PURGED,
            "grand_bain_offer",
            offer.id,
            older_than_months,
        )
    db.session.flush()
    return len(stale)


def _cutoff(now, older_than_months):
    """The last local day of a week that is still kept: editions ending before it are purged."""
    return to_local(months_before(now, older_than_months)).date()


def _anonymise(visitor, now):
    """Wipe the visitor, her messages and (through the signal) her evaluation invitations."""
    visitor.anonymise(now)
    outbox.forget(notices.visitor_reference(visitor.id))
    db.session.flush()
    personal_data_erased.send(booking_ids=[booking.id for booking in visitor.bookings])
