"""The audit log: one line per change, in the change's own transaction."""

import pytest
from sqlalchemy import func, select

from webapp.audit import IMPORT, Actor, AuditEntry, changes, record
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


def count():
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_a_line_records_who_what_before_after_and_why(make_event):
    event = make_event(room="Salle 1")
    old_start = event.start_at
    event.room = "Salle 2"
    event.start_at = old_start.replace(hour=(old_start.hour + 1) % 24)
    before, after = changes(event, ("room", "start_at", "title_fr"))
    with unit_of_work():
        record(
            Actor.account(7),
            AuditAction.EVENT_MOVED,
            "event",
            event.id,
            before,
            after,
            "salle en travaux",
        )
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.actor_kind, entry.actor_id, entry.action) == ("account", 7, "event.moved")
    assert (entry.subject_type, entry.subject_id) == ("event", event.id)
    assert entry.before == {"room": "Salle 1", "start_at": old_start.isoformat()}
    assert entry.after["room"] == "Salle 2" and "title_fr" not in entry.after
    assert entry.reason == "salle en travaux" and entry.at <= utcnow()


def test_a_line_is_rolled_back_with_its_change(make_event):
    event = make_event()
    with pytest.raises(RuntimeError), unit_of_work():
        event.room = "Salle 3"
        record(
            IMPORT,
            AuditAction.EVENT_UPDATED,
            "event",
            event.id,
            {"room": None},
            {"room": "Salle 3"},
        )
        raise RuntimeError("the change fails after its line")
    assert count() == 0
    db.session.refresh(event)
    assert event.room is None


def test_a_dict_value_is_kept_as_json_not_as_its_repr(make_event):
    with unit_of_work():
        record(
            IMPORT,
            AuditAction.REPORT_SAVED,
            "event",
            make_event().id,
            {"participant_sectors": {}},
            {"participant_sectors": {"hopital": 4, "domicile": 3}},
        )
    entry = db.session.scalar(select(AuditEntry))
    assert entry.after == {"participant_sectors": {"hopital": 4, "domicile": 3}}
    assert entry.before == {"participant_sectors": {}}
