"""The waitlist of places taken with capacity.py: an event's registrations, a Grand Bain visit
slot's bookings. One shape for both areas.

Entries wait in arrival order (their ids): a person's position is the number of entries
waiting before them, plus one. When a place is given back, the first entry waiting takes it
(a conditional UPDATE in capacity.take, under the parent row's lock the caller holds), as long
as the meeting or visit has not started. Each area then says what follows (its mail, its
audit line, its counts on the pages).
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from webapp import capacity
from webapp.extensions import db


@dataclass(frozen=True)
class Waitlist:
    """Where a model's entries wait for the places of their parent row: the entry model, the
    column naming the parent, the parent's places, and the status values."""

    model: type
    parent: str
    places: capacity.Places
    waiting: str
    confirmed: str
    cancelled: str
    # (column, value): the entries of one kind of place only, when a parent has several
    # (an event's places on site and online, each with its own waitlist).
    among: tuple[str, str] | None = None

    def of(self, parent_id):
        """The WHERE clause of the entries waiting for that parent's places."""
        clause = (getattr(self.model, self.parent) == parent_id) & (
            self.model.status == self.waiting
        )
        if self.among is not None:
            column, value = self.among
            clause = clause & (getattr(self.model, column) == value)
        return clause


def position(waitlist: Waitlist, entry):
    """1 for the first entry waiting for its parent's places, or None when not waiting."""
    if entry.status != waitlist.waiting:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(waitlist.model)
        .where(waitlist.of(getattr(entry, waitlist.parent)), waitlist.model.id < entry.id)
    )
    return ahead + 1


def leave(waitlist: Waitlist, entry, now, starts_at, held_place):
    """Cancel an entry (the caller holds the parent's lock); the place it held, if any, goes
    to the first entry waiting. Returns the entry promoted, or None."""
    entry.status = waitlist.cancelled
    entry.cancelled_at = now
    if not held_place:
        return None
    parent_id = getattr(entry, waitlist.parent)
    capacity.give_back(waitlist.places, parent_id)
    return promote_next(waitlist, parent_id, now, starts_at)


def promote_next(waitlist: Waitlist, parent_id, now, starts_at):
    """Confirm the first entry waiting if a place is free, before the start (under the
    parent's lock). Returns the entry promoted, or None."""
    if starts_at <= now:
        return None
    first = db.session.scalar(
        select(waitlist.model).where(waitlist.of(parent_id)).order_by(waitlist.model.id).limit(1)
    )
    if first is None or not capacity.take(waitlist.places, parent_id):
        return None
    first.status = waitlist.confirmed
    first.confirmed_at = now
    return first
