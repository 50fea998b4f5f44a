"""The unit of work commits once, or rolls everything back."""

import pytest
from sqlalchemy import func, select

from tests.conftest import postgresql_only
from webapp.agenda.models import Venue
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work


def venues():
    return db.session.scalar(select(func.count()).select_from(Venue))


def test_a_unit_of_work_commits_what_it_did(territory):
    with unit_of_work():
        db.session.add(Venue(name="Maison de quartier", address="Rue A 1"))
    db.session.rollback()  # nothing left to roll back: it was committed
    assert venues() == 1


def test_any_error_rolls_everything_back(territory):
    with pytest.raises(RuntimeError), unit_of_work():
        db.session.add(Venue(name="Maison de quartier", address="Rue A 1"))
        db.session.flush()
        raise RuntimeError("crash mid-request")
    assert venues() == 0


def test_audit_lines_and_place_locks_refuse_to_run_outside_a_unit_of_work(make_event):
    from webapp import audit, capacity
    from webapp.registrations.rules import SEATS
    from webapp.unit_of_work import OutsideUnitOfWork

    event = make_event(capacity=3)
    with pytest.raises(OutsideUnitOfWork):
        audit.record(audit.SYSTEM, AuditAction.EVENT_UPDATED, "event", event.id)
    with pytest.raises(OutsideUnitOfWork):
        capacity.lock(SEATS, event.id)
    with unit_of_work():
        with unit_of_work():  # nested: still inside the outer one afterwards
            pass
        capacity.lock(SEATS, event.id)
        audit.record(audit.SYSTEM, AuditAction.EVENT_UPDATED, "event", event.id)
    with pytest.raises(OutsideUnitOfWork):
        audit.record(audit.SYSTEM, AuditAction.EVENT_UPDATED, "event", event.id)


@postgresql_only
def test_a_lock_held_too_long_is_a_503_to_retry_not_a_hung_request(app, client, make_event):
    """Another transaction holds the event's row (a stuck job, say): a registration waits
    LOCK_TIMEOUT_MS, then answers the 503 with Retry-After, and nothing is written."""
    from sqlalchemy import create_engine, text

    from webapp.registrations.models import Registration

    app.config["LOCK_TIMEOUT_MS"] = 200
    event = make_event(capacity=3)
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with other.connect() as holder:
        holder.execute(text("SELECT id FROM events WHERE id = :id FOR UPDATE"), {"id": event.id})
        answer = client.post(
            f"/events/{event.id}/register",
            data={
                "first_name": "Anne",
                "last_name": "Peeters",
                "email": "anne@example.org",
                "organisation": "CPAS",
                "sector": "cpas",
                "job_title": "Assistante sociale",
                "consent": "y",
            },
        )
        holder.rollback()
    other.dispose()
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
