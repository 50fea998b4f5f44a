"""Registrants hear of their event's move or cancellation (registrations/event_notices.py)."""

from datetime import timedelta

from sqlalchemy import select

from tests.edge import rules
from webapp.agenda import operations, signals
from webapp.audit import SYSTEM
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.registrations.event_notices import queue_event_notices
from webapp.unit_of_work import unit_of_work


def test_the_receiver_is_connected_once_the_app_exists(app):
    assert queue_event_notices in [ref() for ref in signals.event_changed.receivers.values()]


def test_event_cancelled_tells_every_active_registrant(make_event, person):
    event = make_event(capacity=1)
    rules.register(event.id, person(1))
    rules.register(event.id, person(2))
    gone = rules.register(event.id, person(3)).registration
    rules.cancel(gone.id)
    with unit_of_work():
        operations.cancel(event.id, SYSTEM)
    told = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.ics_method == "CANCEL")
    ).all()
    assert sorted(m.recipient for m in told) == [
        "anne.1@example.org",
        "anne.2@example.org",
        "anne.3@example.org",
    ]
    assert sum("Activité annulée" in m.subject for m in told) == 2


def test_a_move_updates_the_waitlisted_tentative_calendar_entry_too(make_event, person):
    event = make_event(capacity=1, registration_mode="open")
    rules.register(event.id, person(1))
    rules.register(event.id, person(2))  # waitlisted
    start = event.start_at + timedelta(days=1)
    with unit_of_work():
        change = operations.move(event.id, start, start + timedelta(hours=2), SYSTEM)
    assert change.notices_queued == 2
    notices = {
        m.recipient: m
        for m in db.session.scalars(select(OutboxMessage)).all()
        if m.subject.startswith("Changement")
    }
    assert notices["anne.1@example.org"].ics_method == "REQUEST"
    waitlisted = notices["anne.2@example.org"]
    assert waitlisted.ics_method == "REQUEST"
    assert "STATUS:TENTATIVE" in waitlisted.ics
    assert "STATUS:TENTATIVE" not in notices["anne.1@example.org"].ics
