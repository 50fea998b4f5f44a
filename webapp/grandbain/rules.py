"""Booking a programme of visits, cancelling, promoting: operations with no HTTP inside.

Each one checks, changes rows, queues the mail and an audit line, and flushes; the caller's
unit of work commits once or rolls everything back. A refusal raises BookingRefused before
the caller commits: a set of slots is booked whole or not at all (the unit of work undoes
any place taken before the refusal).

Locks, always in this order: the visitor's row (so two requests of one person see each
other's visits when checking overlaps and the cap), then the slots' rows in id order
(capacity.py). Cancelling takes one slot's lock and never a visitor's: no cycle.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from webapp import audit, capacity, waitlist
from webapp.addresses import normalise_email
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.grandbain import notices
from webapp.grandbain.models import Booking, Edition, Offer, Slot, Visitor
from webapp.grandbain.states import ACTIVE_BOOKINGS, BookingStatus, OfferStatus
from webapp.timezones import utcnow
from webapp.tokens import new_token

# A slot's places: counting them is not an edit public pages key on (content_state).
SLOT_PLACES = capacity.Places(Slot, taken="booked_count", capacity="capacity")
WAITLIST = waitlist.Waitlist(
    Booking,
    parent="slot_id",
    places=SLOT_PLACES,
    waiting=BookingStatus.WAITLISTED,
    confirmed=BookingStatus.CONFIRMED,
    cancelled=BookingStatus.CANCELLED,
)
PERSON_FIELDS = ("first_name", "last_name", "organisation", "sector", "job_title", "commune")


@dataclass(frozen=True)
class SlotProblem:
    """Why one slot of a set cannot be booked; `other` is the visit it collides with."""

    code: str  # unknown, twice, closed, already, overlap, full
    other: Slot | None = None


class BookingRefused(Exception):
    """The set cannot be booked. `reason`: not-open, closed, no-slot, cap, or slots (then
    `problems` maps each refused slot id to its SlotProblem).

    `private`: the reason lies in the visits the address booked earlier (one booked again,
    the cap they reach, an overlap with one of them). Whoever typed the address must not
    learn them: the edge tells the address by mail (tell_refusal), not the page.
    """

    def __init__(self, reason, problems=None, private=False):
        super().__init__(reason)
        self.reason = reason
        self.problems = problems or {}
        self.private = private


@dataclass
class Outcome:
    visitor: Visitor
    bookings: list[Booking] = field(default_factory=list)
    # The link of the page this request lands on: these bookings and no other.
    request_token: str = ""


def book(edition_id, slot_ids, person, questions=None, waitlist=False, language="fr", now=None):
    """Book every slot of `slot_ids` for the person, or none (BookingRefused says why).

    A full slot refuses the set, unless `waitlist`: then its booking waits for a place.
    `questions` maps a slot id to the person's question for that host.
    """
    now = now or utcnow()
    edition = db.session.get(Edition, edition_id)
    if edition is None:
        raise BookingRefused("slots", {sid: SlotProblem("unknown") for sid in slot_ids})
    _check_window(edition, now)
    if not slot_ids:
        raise BookingRefused("no-slot")
    slots = _checked_slots(edition, slot_ids, now)
    _check_set(edition, slots)
    if not waitlist:
        _refuse_full_without_waiting(slots)
    visitor = _locked_visitor(edition, person, language, now)
    _check_programme(edition, slots, _active_bookings(visitor.id))
    capacity.lock_rows(SLOT_PLACES, slots)
    counts = capacity.take_each(SLOT_PLACES, slots)
    full = {sid: SlotProblem("full") for sid in sorted(slots) if sid not in counts}
    if full and not waitlist:
        raise BookingRefused("slots", full)
    bookings, request_token = [], new_token()
    for slot_id in sorted(slots):
        slot = slots[slot_id]
        confirmed = slot_id in counts
        # What the UPDATE returned (no reload); a full slot's count is its capacity (CHECK).
        taken = counts[slot_id] if confirmed else slot.capacity
        set_committed_value(slot, "booked_count", taken)
        booking = Booking(
            slot=slot,
            visitor=visitor,
            status=BookingStatus.CONFIRMED if confirmed else BookingStatus.WAITLISTED,
            request_token=request_token,
            question=(questions or {}).get(slot_id) or None,
            confirmed_at=now if confirmed else None,
        )
        db.session.add(booking)
        bookings.append(booking)
    db.session.flush()
    for booking in bookings:
        audit.record(
            audit.Actor.personal_link(visitor.id),
            AuditAction.GRAND_BAIN_BOOKED,
            "grand_bain_booking",
            booking.id,
            after={"slot_id": booking.slot_id, "status": booking.status},
        )
        # Written by the worker after the commit (mail.deferred): the request renders none.
        notices.defer_to_host(booking, "booked")
    # To the address, whoever typed it: the owner sees (and can undo) what is booked in her name.
    notices.defer_to_visitor(visitor, "booked", bookings)
    db.session.flush()
    return Outcome(visitor, bookings, request_token)


def window_refusal(edition, now):
    """Why visitors may not book now ("not-open", "closed"), or None while booking is open:
    the booking window, checked here only (the booking page asks it before the form)."""
    if edition.is_booking_open(now):
        return None
    opened = edition.booking_opens_at is not None and edition.booking_opens_at <= now
    return "closed" if opened else "not-open"


def _refuse_full_without_waiting(slots):
    """A set holding a slot already full is refused before any lock: when a slot is wanted
    by many, those who come after its last place do not queue behind its row lock to learn
    it. The count read here is only a shortcut; capacity.take under the lock decides."""
    full = {
        slot_id: SlotProblem("full")
        for slot_id, slot in slots.items()
        if slot.booked_count >= slot.capacity
    }
    if full:
        raise BookingRefused("slots", full)


def _check_window(edition, now):
    refusal = window_refusal(edition, now)
    if refusal:
        raise BookingRefused(refusal)


def _checked_slots(edition, slot_ids, now):
    """The slots asked for, each of this edition's accepted offers, bookable, asked once."""
    slots = {
        slot.id: slot
        for slot in db.session.scalars(
            select(Slot)
            .join(Offer)
            .where(
                Slot.id.in_(set(slot_ids)),
                Offer.edition_id == edition.id,
                Offer.status == OfferStatus.ACCEPTED,
            )
            .options(joinedload(Slot.offer))
            .execution_options(populate_existing=True)
        )
    }
    _check_slots(slots, slot_ids, now)
    return slots


def _check_slots(slots, slot_ids, now):
    """Each slot asked for is among `slots` (this edition's, accepted), bookable, asked once."""
    problems, wanted = {}, set()
    for slot_id in slot_ids:
        if slot_id in wanted:
            problems[slot_id] = SlotProblem("twice")
        wanted.add(slot_id)
    for slot_id in wanted:
        slot = slots.get(slot_id)
        if slot is None:
            problems[slot_id] = SlotProblem("unknown")
        elif slot.closed or slot.start_at <= now:
            problems[slot_id] = SlotProblem("closed")
    if problems:
        raise BookingRefused("slots", problems)


def refuse_as_read(edition, shown, slot_ids, waitlist=False, now=None):
    """Raise the BookingRefused that book() would raise for these slots as already read (the
    booking page's `shown`: this edition's accepted slots among `slot_ids`), before any
    transaction or lock: when many want a slot, those who come after its last place, or ask
    for two visits at once, are answered without a lock or a write. The same checks in the
    same order as book(); what they let through, book() decides under its locks."""
    now = now or utcnow()
    _check_window(edition, now)
    if not slot_ids:
        raise BookingRefused("no-slot")
    slots = {slot.id: slot for slot in shown}
    _check_slots(slots, slot_ids, now)
    _check_set(edition, slots)
    if not waitlist:
        _refuse_full_without_waiting(slots)


def _locked_visitor(edition, person, language, now):
    """The visitor of that address in this edition, created if new, row locked. An existing
    visitor keeps the details she first gave."""
    table = Visitor.__table__
    values = {name: person.get(name) or None for name in PERSON_FIELDS}
    values.update(
        edition_id=edition.id,
        email=normalise_email(person["email"]),
        token=new_token(),
        language=language,
        consent_at=now,
        created_at=now,
    )
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(**values)
    # One statement creates the row or finds it, and locks it either way (an upsert's
    # no-op update: the row lock on PostgreSQL, the write lock on SQLite).
    statement = statement.on_conflict_do_update(
        index_elements=["edition_id", "email"], set_={"email": statement.excluded.email}
    ).returning(*table.c)
    return db.session.scalars(
        select(Visitor).from_statement(statement).execution_options(populate_existing=True)
    ).one()


def _active_bookings(visitor_id):
    return db.session.scalars(
        select(Booking)
        .where(Booking.visitor_id == visitor_id, Booking.status.in_(ACTIVE_BOOKINGS))
        .options(joinedload(Booking.slot).joinedload(Slot.offer))
        .order_by(Booking.id)
        .execution_options(populate_existing=True)
    ).all()


def _check_set(edition, slots):
    """The set on its own: within the cap per visitor, no two of its visits too close. What
    it refuses the page may say: it names only what was asked."""
    if len(slots) > edition.max_visits_per_visitor:
        raise BookingRefused("cap")
    problems = collisions(_in_time_order(slots), [], timedelta(minutes=edition.margin_minutes))
    if problems:
        raise BookingRefused("slots", problems)


def _check_programme(edition, slots, existing):
    """The set beside the visits the address booked earlier: one booking per slot, the cap,
    no visit too close to one of them. A refusal is private (told by mail only)."""
    booked = {b.slot_id for b in existing}
    problems = {sid: SlotProblem("already") for sid in slots if sid in booked}
    if problems:
        raise BookingRefused("slots", problems, private=True)
    if len(existing) + len(slots) > edition.max_visits_per_visitor:
        raise BookingRefused("cap", private=True)
    problems = collisions(
        _in_time_order(slots),
        [b.slot for b in existing],
        timedelta(minutes=edition.margin_minutes),
    )
    if problems:  # the set alone passed _check_set: each one collides with an earlier visit
        raise BookingRefused("slots", problems, private=True)


def _in_time_order(slots):
    return sorted(slots.values(), key=lambda s: (s.start_at, s.id))


def tell_refusal(edition_id, email, slot_ids, refused):
    """Mail the address why a request was refused when the reason lies in its earlier visits
    (`refused.private`); the page that asked says only that a mail was sent. Returns the
    message queued, or None (no such visitor any more)."""
    visitor = db.session.scalar(
        select(Visitor).where(
            Visitor.edition_id == edition_id,
            Visitor.email == normalise_email(email),
            Visitor.anonymised_at.is_(None),
        )
    )
    if visitor is None:
        return None
    slots = db.session.scalars(
        select(Slot)
        .where(Slot.id.in_(set(slot_ids)))
        .options(joinedload(Slot.offer).joinedload(Offer.commune))
        .order_by(Slot.start_at, Slot.id)
    ).all()
    return notices.refusal_to_visitor(visitor, slots, refused.reason, refused.problems)


def too_close(first, second, margin):
    """Whether two visits overlap or leave less than `margin` between them (visits that
    touch are fine when the margin is 0)."""
    return first.start_at < second.end_at + margin and second.start_at < first.end_at + margin


def collisions(new_slots, booked_slots, margin):
    """slot id -> SlotProblem('overlap', the visit it collides with) for each new slot too
    close to a visit already booked or to an earlier slot of the same set."""
    problems, kept = {}, list(booked_slots)
    for slot in new_slots:
        other = next((b for b in kept if too_close(slot, b, margin)), None)
        if other is not None:
            problems[slot.id] = SlotProblem("overlap", other)
        else:
            kept.append(slot)
    return problems


def waitlist_position(booking):
    """1 for the first person waiting for that slot, or None when not waiting."""
    return waitlist.position(WAITLIST, booking)


def cancel(booking_id, now=None, notify=True):
    """Cancel one visit: its place goes to the first person waiting for that slot.

    Returns the booking promoted, if any. Cancelling twice changes nothing; no other
    booking of the visitor is touched. `notify=False` leaves the visitor's mail to the
    caller (cancel_all sends one for all).
    """
    now = now or utcnow()
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        return None
    capacity.lock(SLOT_PLACES, booking.slot_id)
    db.session.refresh(booking)
    if not booking.is_active:
        return None
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    promoted = waitlist.leave(WAITLIST, booking, now, booking.slot.start_at, was_confirmed)
    audit.record(
        audit.Actor.personal_link(booking.visitor_id),
        AuditAction.GRAND_BAIN_CANCELLED,
        "grand_bain_booking",
        booking.id,
        before={"status": BookingStatus.CONFIRMED if was_confirmed else BookingStatus.WAITLISTED},
        after={"status": BookingStatus.CANCELLED},
    )
    if promoted is not None:
        _promoted(promoted)
    db.session.refresh(booking.slot, ["booked_count"])
    notices.to_host(booking, "cancelled")
    if notify:
        notices.to_visitor(booking.visitor, "cancelled", [booking])
    db.session.flush()
    return promoted


def cancel_all(visitor_id, now=None):
    """Cancel every visit of a visitor (slots in id order, as locks are taken); one mail.
    Returns the bookings cancelled."""
    now = now or utcnow()
    bookings = sorted(_active_bookings(visitor_id), key=lambda b: b.slot_id)
    for booking in bookings:
        cancel(booking.id, now, notify=False)
    cancelled = [b for b in bookings if b.status == BookingStatus.CANCELLED]
    if cancelled:
        notices.to_visitor(cancelled[0].visitor, "cancelled", cancelled)
    db.session.flush()
    return cancelled


def _promoted(first):
    """What follows a visit confirmed from the waitlist: its line, the visitor's and the
    host's mail."""
    audit.record(
        audit.SYSTEM,
        AuditAction.GRAND_BAIN_PROMOTED,
        "grand_bain_booking",
        first.id,
        before={"status": BookingStatus.WAITLISTED},
        after={"status": BookingStatus.CONFIRMED},
    )
    db.session.flush()
    notices.to_visitor(first.visitor, "promoted", [first])
    notices.to_host(first, "booked")


def due_reminders(now=None, within=timedelta(hours=48)):
    """Ids of the confirmed bookings whose visit starts within 48 hours, not reminded."""
    now = now or utcnow()
    return db.session.scalars(
        select(Booking.id)
        .join(Slot, Booking.slot_id == Slot.id)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Booking.reminder_queued_at.is_(None),
            Slot.start_at > now,
            Slot.start_at <= now + within,
        )
        .order_by(Booking.id)
    ).all()


def queue_reminder(booking_id, now=None):
    """Queue one booking's reminder, claimed first (two runs never remind twice)."""
    claimed = db.session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.reminder_queued_at.is_(None))
        .values(reminder_queued_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    booking = db.session.get(Booking, booking_id)
    notices.to_visitor(booking.visitor, "reminder", [booking])
    db.session.flush()
    return True
