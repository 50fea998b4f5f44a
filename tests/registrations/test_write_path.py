"""One write path: the rules flush and never commit; the edge's unit of work commits once or
rolls back everything, the person's mail included."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.registrations import notifications, personal_data, rules
from webapp.registrations.models import Registration
from webapp.unit_of_work import unit_of_work

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_rule_commits_nothing_itself(make_event, person):
    event = make_event(capacity=3)
    with pytest.raises(RuntimeError), unit_of_work():
        rules.register(event.id, person(1))
        assert count(Registration) == 1 and count(OutboxMessage) == 1  # flushed
        raise RuntimeError("the request fails after the rule")
    assert count(Registration) == 0 and count(OutboxMessage) == 0
    db.session.refresh(event)
    assert event.confirmed_count == 0


def test_a_failure_after_queuing_leaves_neither_the_change_nor_the_message(
    make_event, person, monkeypatch
):
    event = make_event(capacity=3)
    real_queue = notifications.queue

    def queue_then_crash(registration, kind):
        real_queue(registration, kind)
        raise RuntimeError("the worker died after queuing the mail")

    monkeypatch.setattr(notifications, "queue", queue_then_crash)
    with pytest.raises(RuntimeError), unit_of_work():
        rules.register(event.id, person(1))
    assert count(Registration) == 0 and count(OutboxMessage) == 0
    db.session.refresh(event)
    assert event.confirmed_count == 0


def test_cancelling_with_a_promotion_is_one_transaction(make_event, person, monkeypatch):
    event = make_event(capacity=1)
    with unit_of_work():
        first = rules.register(event.id, person(1)).registration
        rules.register(event.id, person(2))
    messages = count(OutboxMessage)
    from webapp import waitlist

    monkeypatch.setattr(
        waitlist, "promote_next", lambda *args: (_ for _ in ()).throw(RuntimeError("crash"))
    )
    with pytest.raises(RuntimeError), unit_of_work():
        rules.cancel(first.id)
    db.session.expire_all()
    assert db.session.get(Registration, first.id).status == "confirmed"
    assert count(OutboxMessage) == messages
    assert db.session.get(type(event), event.id).confirmed_count == 1


def test_erasure_is_one_transaction(make_event, person):
    event = make_event(capacity=1)
    with unit_of_work():
        first = rules.register(event.id, person(1)).registration
        rules.register(event.id, person(2))
    with unit_of_work():
        personal_data.erase(first.id)
    db.session.expire_all()
    erased = db.session.get(Registration, first.id)
    assert erased.status == "cancelled" and erased.email is None
    statuses = db.session.scalars(select(Registration.status).order_by(Registration.id)).all()
    assert statuses == ["cancelled", "confirmed"]


def test_no_module_commits_outside_the_unit_of_work():
    offenders = []
    for path in sorted(WEBAPP.rglob("*.py")):
        if path.name == "unit_of_work.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.commit\(\)", line):
                offenders.append(f"{path.relative_to(WEBAPP)}:{number}: {line.strip()}")
    assert offenders == []
