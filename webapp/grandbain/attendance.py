"""Who came to a visit: the host (or its bassin's team) ticks a slot's visitors once the
visit has started, and the figures read the no-shows from it. No HTTP inside.

The agenda's meaning (registrations/attendance_counts.py), kept on `Booking.attended`: a
slot's attendance is taken once one of its confirmed bookings is marked either way; from then
on a confirmed booking not marked as attended did not come. Waitlisted and cancelled bookings
are never marked. Evaluations read the column with this same meaning.
"""

from dataclasses import dataclass

from sqlalchemy import select

from webapp import audit, capacity
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.grandbain.models import Booking, Slot
from webapp.grandbain.rules import SLOT_PLACES
from webapp.grandbain.states import BookingStatus
from webapp.timezones import utcnow


class AttendanceRefused(Exception):
    """Nothing was recorded. `reason`: not-found (no such slot in that offer), not-started,
    no-visitors (no confirmed booking to mark), not-confirmed (`booking_ids` names ids that
    are not confirmed bookings of that slot)."""

    def __init__(self, reason, booking_ids=()):
        super().__init__(reason)
        self.reason = reason
        self.booking_ids = frozenset(booking_ids)


@dataclass(frozen=True)
class SlotAttendance:
    """A slot's attendance: its confirmed visits, those who came, and whether it was taken."""

    visits: int = 0
    came: int = 0
    taken: bool = False

    @property
    def no_shows(self):
        """Confirmed visitors who did not come (0 while attendance is not taken)."""
        return self.visits - self.came if self.taken else 0

    def as_counts(self):
        """The figures an audit line keeps (counts, never names)."""
        return {"taken": self.taken, "came": self.came, "no_shows": self.no_shows}


def tally(marks):
    """The attendance of one slot from the `attended` values of its confirmed bookings: the
    one place the meaning of a mark (and of no mark) is decided."""
    marks = list(marks)
    return SlotAttendance(
        visits=len(marks),
        came=sum(mark is True for mark in marks),
        taken=any(mark is not None for mark in marks),
    )


def attendance_by_slot(slot_ids):
    """slot id -> SlotAttendance for each of `slot_ids` (one query; a slot without a
    confirmed booking has an empty one)."""
    marks = {slot_id: [] for slot_id in slot_ids}
    rows = db.session.execute(
        select(Booking.slot_id, Booking.attended).where(
            Booking.slot_id.in_(list(marks) or [0]),
            Booking.status == BookingStatus.CONFIRMED,
        )
    )
    for slot_id, attended in rows:
        marks[slot_id].append(attended)
    return {slot_id: tally(values) for slot_id, values in marks.items()}


def slot_attendance(slot_id):
    """The attendance of one slot (see the module's docstring for what it means)."""
    return attendance_by_slot([slot_id])[slot_id]


def record(offer_id, slot_id, came_ids, actor, now=None):
    """Record who came to the slot: the confirmed bookings of `came_ids` came, the slot's
    other confirmed bookings did not. Recording again replaces the marks.

    Under the slot's row lock, so two people ticking at once leave one list, not a mix.
    Raises AttendanceRefused (nothing written) for a slot not of that offer, not started,
    without visitors, or an id that is not a confirmed booking of that slot. Returns the
    slot's SlotAttendance after recording.
    """
    now = now or utcnow()
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.offer_id != offer_id:
        raise AttendanceRefused("not-found")
    if slot.start_at > now:
        raise AttendanceRefused("not-started")
    capacity.lock(SLOT_PLACES, slot_id)
    confirmed = db.session.scalars(
        select(Booking)
        .where(Booking.slot_id == slot_id, Booking.status == BookingStatus.CONFIRMED)
        .order_by(Booking.id)
        .execution_options(populate_existing=True)
    ).all()
    came_ids = set(came_ids)
    foreign = came_ids - {booking.id for booking in confirmed}
    if foreign:
        raise AttendanceRefused("not-confirmed", foreign)
    if not confirmed:
        raise AttendanceRefused("no-visitors")
    before = tally(booking.attended for booking in confirmed)
    for booking in confirmed:
        booking.attended = booking.id in came_ids
    after = tally(booking.attended for booking in confirmed)
    audit.record(
        actor,
        AuditAction.GRAND_BAIN_ATTENDANCE_RECORDED,
        "grand_bain_slot",
        slot_id,
        before=before.as_counts(),
        after=after.as_counts(),
    )
    db.session.flush()
    return after
