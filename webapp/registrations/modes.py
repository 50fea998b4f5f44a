"""An event's mode changed (on site to online, hybrid to on site...): its registrations follow.

The registrations of a way to attend that the event no longer offers take the way it offers,
their places with them, under the event's lock, before anyone is told (the agenda sends
`signals.mode_changed` before `event_changed`, whose notice then mails them like a move).
"""

from sqlalchemy import select

from webapp import capacity, waitlist
from webapp.agenda.operations import EventRefused
from webapp.agenda.states import PlaceMode
from webapp.extensions import db
from webapp.registrations import notifications, rules
from webapp.registrations.models import ACTIVE_STATUSES, Registration
from webapp.timezones import utcnow


def follow_mode(event, now=None):
    """After the event's mode changed (on site to online...): the registrations of a way to
    attend it no longer offers move to the one it offers, places with them (the agenda
    checked there is room); those waiting join that waitlist in arrival order, and any place
    left free goes to the first waiting. Returns (moved, promoted) registrations."""
    now = now or utcnow()
    rules.lock_event(event.id)
    db.session.refresh(event)
    target = event.place_modes[0]
    moved = []
    with rules.cards_follow(event):
        for dropped in PlaceMode:
            if dropped in event.place_modes:
                continue
            rows = db.session.scalars(
                select(Registration)
                .where(
                    Registration.event_id == event.id,
                    Registration.mode == dropped,
                    Registration.status.in_(ACTIVE_STATUSES),
                )
                .order_by(Registration.id)
            ).all()
            held = sum(1 for row in rows if row.holds_place)
            if held:
                capacity.give_back(rules.PLACES[dropped], event.id, held)
                if not capacity.take(rules.PLACES[target], event.id, held):
                    raise EventRefused("capacity-below-taken")
            for row in rows:
                row.mode = target
            moved += rows
        db.session.flush()
        promoted = []
        while entry := waitlist.promote_next(
            rules.WAITLISTS[target], event.id, now, event.start_at
        ):
            promoted.append(entry)
        db.session.refresh(event, rules.COUNTS)
    for entry in promoted:
        notifications.queue(entry, "promoted")
    db.session.flush()
    return moved, promoted
