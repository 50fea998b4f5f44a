"""The agenda's operations: what each returns, its audit line, its refusals, its notices."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.edge import rules
from webapp.agenda import operations
from webapp.agenda.models import Bassin, Event
from webapp.agenda.operations import EventRefused
from webapp.agenda.states import EventStatus
from webapp.audit import IMPORT, SYSTEM, Actor, AuditEntry
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

STAFF = Actor.account(3)


def audit_lines():
    """The lines of the events' operations (a registration by the form writes its own)."""
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == "event").order_by(AuditEntry.id)
    ).all()


def outbox():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def registered(event, *numbers):
    """People registered to the event, each in a unit of work of their own."""
    return [
        rules.register(event.id, {"first_name": "Anne", "email": f"anne.{n}@example.org"})
        for n in numbers
    ]


def run(operation, *args, **kwargs):
    """An operation as the edge runs it: one unit of work."""
    with unit_of_work():
        return operation(*args, **kwargs)


def test_create_event_is_a_draft_with_one_created_line(territory):
    start = (utcnow() + timedelta(days=20)).replace(microsecond=0)
    sud = db.session.scalar(select(Bassin).where(Bassin.slug == "sud"))
    change = run(
        operations.create_event,
        {
            "kind": "concertation",
            "audience": "professionals",
            "title_fr": "Concertation santé mentale #1",
            "start_at": start,
            "end_at": start + timedelta(hours=3),
            "bassins": [sud],
        },
        STAFF,
    )
    assert change.created and change.notice is None
    event = db.session.get(Event, change.event.id)
    assert event.status == EventStatus.DRAFT and event.bassins == [sud]
    (line,) = audit_lines()
    assert (line.action, line.actor_kind, line.actor_id) == ("event.created", "account", 3)
    assert line.before is None
    assert line.after["start_at"] == start.isoformat() and line.after["bassins"] == ["sud"]


def test_update_with_the_same_values_writes_and_sends_nothing(make_event):
    event = make_event(room="Salle 1", capacity=10)
    registered(event, 1)
    sequence, updated_at = event.sequence, event.updated_at
    change = run(operations.update_event, event.id, {"room": "Salle 1"}, IMPORT)
    assert not change.changed and change.changed_fields == () and change.notice is None
    db.session.expire_all()
    assert (event.sequence, event.updated_at) == (sequence, updated_at)
    assert audit_lines() == []
    assert len(outbox()) == 1  # the confirmation alone


def test_a_new_title_is_one_updated_line_and_no_notice(make_event):
    event = make_event(title="Concertation", capacity=10)
    registered(event, 1)
    change = run(operations.update_event, event.id, {"title_fr": "Concertation (2)"}, STAFF)
    assert change.changed_fields == ("title_fr",) and change.notice is None
    (line,) = audit_lines()
    assert line.action == "event.updated"
    assert (line.before, line.after) == (
        {"title_fr": "Concertation"},
        {"title_fr": "Concertation (2)"},
    )
    assert len(outbox()) == 1


def test_move_tells_each_active_registrant_once(make_event):
    event = make_event(capacity=10)
    registered(event, 1, 2)
    gone = registered(event, 3)[0].registration
    rules.cancel(gone.id)
    old_start, old_end, sequence = event.start_at, event.end_at, event.sequence
    new_start = old_start + timedelta(days=7)
    change = run(
        operations.move, event.id, new_start, new_start + timedelta(hours=2), STAFF, room="B"
    )
    assert change.notice == "changed" and change.notices_queued == 2
    assert set(change.changed_fields) == {"start_at", "end_at", "room"}
    (line,) = audit_lines()
    assert line.action == "event.moved" and line.reason is None
    assert line.before == {
        "start_at": old_start.isoformat(),
        "end_at": old_end.isoformat(),
        "room": None,
    }
    assert line.after["start_at"] == new_start.isoformat() and line.after["room"] == "B"
    notices = [m for m in outbox() if m.subject.startswith("Changement")]
    assert sorted(m.recipient for m in notices) == ["anne.1@example.org", "anne.2@example.org"]
    assert {m.ics_method for m in notices} == {"REQUEST"}
    assert db.session.get(Event, event.id).sequence == sequence + 1


@pytest.mark.parametrize(
    "status, hours, venue_id, reason",
    [
        ("published", -1, operations.SAME, "ends-before-start"),
        ("published", 0, operations.SAME, "ends-before-start"),
        ("cancelled", 2, operations.SAME, "event-cancelled"),
        ("published", 2, 2**31 - 1, "unknown-venue"),
    ],
)
def test_move_refusals(make_event, status, hours, venue_id, reason):
    event = make_event(status=status)
    start = event.start_at + timedelta(days=1)
    with pytest.raises(EventRefused) as refused:
        run(
            operations.move,
            event.id,
            start,
            start + timedelta(hours=hours),
            STAFF,
            venue_id=venue_id,
        )
    assert refused.value.reason == reason
    assert audit_lines() == []


def test_an_unknown_event_is_refused_as_not_found(territory):
    for operation in (operations.publish, operations.cancel, operations.postpone):
        with pytest.raises(EventRefused) as refused:
            operation(2**31 - 1, STAFF)
        assert refused.value.reason == "not-found"


def test_postpone_then_move_publishes_again(make_event):
    event = make_event(capacity=10)
    registered(event, 1)
    change = run(operations.postpone, event.id, STAFF, reason="salle indisponible")
    assert change.notice == "changed" and change.notices_queued == 1
    assert db.session.get(Event, event.id).status == EventStatus.POSTPONED
    with pytest.raises(EventRefused) as refused:
        operations.postpone(event.id, STAFF)
    assert refused.value.reason == "already-postponed"
    with pytest.raises(EventRefused) as refused:
        operations.publish(event.id, STAFF)
    assert refused.value.reason == "event-postponed"
    start = event.start_at + timedelta(days=30)
    change = run(operations.move, event.id, start, start + timedelta(hours=3), STAFF)
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    assert "status" in change.changed_fields
    postponed, moved = audit_lines()
    assert (postponed.action, postponed.reason) == ("event.postponed", "salle indisponible")
    # The reason is the one the event's page shows.
    assert postponed.before == {"status": "published", "status_reason_fr": None}
    assert postponed.after == {"status": "postponed", "status_reason_fr": "salle indisponible"}
    assert moved.action == "event.moved" and moved.after["status"] == "published"
    # Public again: the postponement's reason no longer stands beside the event.
    assert moved.after["status_reason_fr"] is None
    assert db.session.get(Event, event.id).status_reason_fr is None


def test_cancel_sends_the_cancelled_notice_and_refuses_twice(make_event):
    event = make_event(capacity=1)
    registered(event, 1, 2)  # confirmed, waitlisted
    change = run(operations.cancel, event.id, SYSTEM, reason="intervenant malade")
    assert change.notice == "cancelled" and change.notices_queued == 2
    told = [m for m in outbox() if m.ics_method == "CANCEL"]
    assert sorted(m.recipient for m in told) == ["anne.1@example.org", "anne.2@example.org"]
    (line,) = audit_lines()
    assert (line.action, line.actor_kind, line.reason) == (
        "event.cancelled",
        "system",
        "intervenant malade",
    )
    with pytest.raises(EventRefused) as refused:
        operations.cancel(event.id, SYSTEM)
    assert refused.value.reason == "already-cancelled"
    with pytest.raises(EventRefused) as refused:
        operations.publish(event.id, SYSTEM)
    assert refused.value.reason == "event-cancelled"
    # A cancelled event's later edit of its place is no news to its registrants.
    before = len(outbox())
    change = run(operations.update_event, event.id, {"room": "Salle 9"}, SYSTEM)
    assert change.changed_fields == ("room",) and change.notice is None
    assert len(outbox()) == before


def test_notify_false_records_the_change_and_sends_nothing(make_event):
    event = make_event(capacity=10)
    registered(event, 1)
    start = event.start_at + timedelta(days=2)
    change = run(operations.move, event.id, start, start + timedelta(hours=1), IMPORT, notify=False)
    assert change.notice is None and change.notices_queued == 0
    assert [line.action for line in audit_lines()] == ["event.moved"]
    assert len(outbox()) == 1  # the confirmation alone
    run(operations.cancel, event.id, IMPORT, notify=False)
    assert len(outbox()) == 1


def test_publish_a_draft(make_event):
    event = make_event(status="draft")
    change = run(operations.publish, event.id, STAFF)
    assert change.changed_fields == ("status",)
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    (line,) = audit_lines()
    assert line.action == "event.published"
    with pytest.raises(EventRefused) as refused:
        operations.publish(event.id, STAFF)
    assert refused.value.reason == "already-published"


def test_update_refuses_an_end_before_the_start_and_an_unknown_status(make_event):
    event = make_event()
    with pytest.raises(EventRefused) as refused:
        operations.update_event(event.id, {"end_at": event.start_at - timedelta(hours=1)}, STAFF)
    assert refused.value.reason == "ends-before-start"
    with pytest.raises(EventRefused) as refused:
        operations.update_event(event.id, {"status": "maybe"}, STAFF)
    assert refused.value.reason == "unknown-status"
    with pytest.raises(ValueError):
        operations.update_event(event.id, {"colour": "red"}, STAFF)


def test_duplicate_as_next_numbers_the_next_meeting(make_event):
    event = make_event(
        title="Concertation liaison #3",
        title_nl="Overleg #3",
        series_slug="sud-liaison",
        series_number=3,
        capacity=12,
        room="Salle 2",
        external_id="sud-liaison-3",
        bassins=("sud", "sud-est"),
    )
    registered(event, 1)
    start = event.start_at + timedelta(days=90)
    change = run(operations.duplicate_as_next, event.id, start, start + timedelta(hours=3), STAFF)
    assert change.created
    copy = db.session.get(Event, change.event.id)
    assert copy.id != event.id and copy.external_id is None
    assert (copy.title_fr, copy.title_nl) == ("Concertation liaison #4", "Overleg #4")
    assert copy.series_id == event.series_id and copy.series_number == 4
    assert (copy.venue_id, copy.room, copy.capacity) == (event.venue_id, "Salle 2", 12)
    assert [b.slug for b in copy.bassins] == ["sud", "sud-est"]
    assert copy.status == EventStatus.DRAFT and copy.start_at == start
    assert copy.confirmed_count == 0
    (line,) = audit_lines()
    assert line.action == "event.duplicated" and line.subject_id == copy.id
    assert line.after["duplicated_from"] == event.id
    assert operations.numbered_title("Rencontre annuelle", 5) == "Rencontre annuelle"
    with pytest.raises(EventRefused) as refused:
        operations.duplicate_as_next(event.id, start, start, STAFF)
    assert refused.value.reason == "ends-before-start"


def test_an_operation_that_fails_after_queuing_leaves_nothing(make_event, monkeypatch):
    event = make_event(capacity=10, room="Salle 1")
    registered(event, 1, 2)
    sequence = event.sequence
    seen = {}

    def crash(*args):
        seen["queued"] = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        raise RuntimeError("the process dies after the notices were queued")

    monkeypatch.setattr(operations.logger, "info", crash)
    start = event.start_at + timedelta(days=3)
    with pytest.raises(RuntimeError):
        run(operations.move, event.id, start, start + timedelta(hours=1), STAFF, room="Salle 2")
    assert seen["queued"] == 4  # two confirmations, two notices: then it failed
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.room, event.sequence) == ("Salle 1", sequence)
    assert len(outbox()) == 2 and audit_lines() == []


def test_unpublish_takes_a_published_event_back_to_draft_only(make_event):
    event = make_event()
    change = run(operations.unpublish, event.id, STAFF)
    assert db.session.get(Event, event.id).status == EventStatus.DRAFT
    assert change.changed_fields == ("status",)
    assert [line.action for line in audit_lines()] == ["event.unpublished"]
    for status, reason in (("draft", "already-draft"), ("cancelled", "event-cancelled")):
        other = make_event(status=status)
        with pytest.raises(EventRefused) as refused:
            operations.unpublish(other.id, STAFF)
        assert refused.value.reason == reason


def test_cancel_and_postpone_refuse_a_draft_that_would_become_public(make_event):
    draft = make_event(status="draft")
    for operation in (operations.cancel, operations.postpone):
        with pytest.raises(EventRefused) as refused:
            operation(draft.id, STAFF, reason="pas de salle")
        assert refused.value.reason == "event-draft"
    assert audit_lines() == []


def test_cancel_shows_its_reason_in_both_languages(make_event):
    event = make_event()
    run(operations.cancel, event.id, STAFF, reason="Grève.", reason_nl="Staking.")
    cancelled = db.session.get(Event, event.id)
    assert (cancelled.status_reason_fr, cancelled.status_reason_nl) == ("Grève.", "Staking.")


def test_delete_draft_removes_a_draft_never_public(make_event):
    draft = make_event(title="Brouillon", status="draft")
    draft_id = draft.id
    run(operations.delete_draft, draft_id, STAFF)
    db.session.expire_all()
    assert db.session.get(Event, draft_id) is None
    (line,) = audit_lines()
    assert (line.action, line.subject_id, line.after) == ("event.deleted", draft_id, None)
    assert line.before["title_fr"] == "Brouillon" and line.before["status"] == "draft"


def test_delete_draft_refuses_what_was_ever_public(make_event):
    published = make_event()
    with pytest.raises(EventRefused) as refused:
        operations.delete_draft(published.id, STAFF)
    assert refused.value.reason == "not-draft"
    run(operations.unpublish, published.id, STAFF)
    with pytest.raises(EventRefused) as refused:
        operations.delete_draft(published.id, STAFF)
    assert refused.value.reason == "was-published"
    assert db.session.get(Event, published.id) is not None


def test_duplicate_as_next_moves_the_registration_window_with_the_start(make_event):
    event = make_event(registration_mode="approval", waitlist_enabled=False, languages="fr,nl")
    opens = event.start_at - timedelta(days=20)
    event.registration_opens_at, event.registration_closes_at = opens, None
    db.session.commit()
    start = event.start_at + timedelta(days=35)
    change = run(operations.duplicate_as_next, event.id, start, start + timedelta(hours=3), STAFF)
    copy = db.session.get(Event, change.event.id)
    assert copy.registration_opens_at == opens + timedelta(days=35)
    assert copy.registration_closes_at is None
    assert (copy.registration_mode, copy.waitlist_enabled) == ("approval", False)
    assert copy.languages == "fr,nl"


def test_update_refuses_a_capacity_below_the_places_taken(make_event):
    event = make_event(capacity=5)
    registered(event, 1, 2)
    with pytest.raises(EventRefused) as refused:
        run(operations.update_event, event.id, {"capacity": 1}, STAFF)
    assert refused.value.reason == "capacity-below-taken"
    assert db.session.get(Event, event.id).capacity == 5 and audit_lines() == []
    assert run(operations.update_event, event.id, {"capacity": 2}, STAFF).changed


ACTION_CALLS = {
    "publish": lambda event: operations.publish(event.id, STAFF),
    "unpublish": lambda event: operations.unpublish(event.id, STAFF),
    "cancel": lambda event: operations.cancel(event.id, STAFF),
    "postpone": lambda event: operations.postpone(event.id, STAFF),
    "move": lambda event: operations.move(
        event.id, event.start_at + timedelta(days=1), event.end_at + timedelta(days=1), STAFF
    ),
    "delete": lambda event: operations.delete_draft(event.id, STAFF),
}


@pytest.mark.parametrize("status", list(EventStatus))
@pytest.mark.parametrize("action", sorted(ACTION_CALLS))
def test_each_operation_refuses_exactly_what_the_status_table_refuses(make_event, action, status):
    """One table says what each status allows (agenda.states.STATUS_ACTIONS): the operations
    refuse by it, with its reason, and the back office's buttons read it too."""
    from webapp.agenda.states import STATUS_ACTIONS, action_refusal

    assert set(STATUS_ACTIONS) == set(ACTION_CALLS)
    event = make_event(status=status)
    expected = action_refusal(action, status)
    if expected is None:
        run(ACTION_CALLS[action], event)
    else:
        with pytest.raises(EventRefused) as refused:
            run(ACTION_CALLS[action], event)
        assert refused.value.reason == expected


def test_the_next_meeting_takes_the_next_free_number_of_its_series(make_event):
    """From #4 while #5 exists (and a cancelled #6), the next meeting is #7, never a second #5."""
    fourth = make_event(title="Concertation liaison #4", series_slug="liaison-sud", series_number=4)
    make_event(title="Concertation liaison #5", series_slug="liaison-sud", series_number=5)
    make_event(
        title="Concertation liaison #6",
        series_slug="liaison-sud",
        series_number=6,
        status=EventStatus.CANCELLED,
    )
    assert operations.next_number(fourth) == 7
    start = fourth.start_at + timedelta(days=90)
    with unit_of_work("test"):
        copy = operations.duplicate_as_next(
            fourth.id, start, start + timedelta(hours=3), STAFF
        ).event
    assert (copy.title_fr, copy.series_number) == ("Concertation liaison #7", 7)
    alone = make_event(title="Rencontre annuelle")
    assert operations.next_number(alone) is None
