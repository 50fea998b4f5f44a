"""import-events as a whole: the agenda's operations, their notices, then the registrations."""

import json
import logging
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from tests.agenda.test_import import CONTRACT_EXAMPLE, counts, entry, snapshot
from tests.factories import local
from tests.smtp import attachments
from webapp.agenda.models import Event, EventOccurrence
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.mail.outbox import deliver_all
from webapp.registrations.models import Registration
from webapp.timezones import to_local, utcnow

PEOPLE = [
    {"first_name": "Anne", "last_name": "Un", "email": "anne.1@example.org", "sector": "cpas"},
    {"first_name": "Anne", "last_name": "Deux", "email": "anne.2@example.org", "sector": "cpas"},
    {
        "first_name": "Anne",
        "last_name": "Trois",
        "email": "anne.3@example.org",
        "status": "cancelled",
    },
]
NEW_VENUE = {"name": "Maison des Savoirs", "address": "Rue de la Glacière 12", "commune": "Forest"}


@pytest.fixture
def run_cli(app, territory, tmp_path):
    def run(data, *options):
        path = tmp_path / "events.json"
        path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
        return app.test_cli_runner().invoke(args=["import-events", str(path), *options])

    return run


def upcoming(days=10, **changes):
    """The test entry of sud-liaison-9, starting in `days` days at the same minute."""
    start = (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
    return entry(
        "sud-liaison-9",
        start=to_local(start).isoformat(),
        end=to_local(start + timedelta(hours=3)).isoformat(),
        **changes,
    )


def audit_lines(event_id):
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_id == event_id).order_by(AuditEntry.id)
    ).all()


def outbox_count():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def calendar_of(message):
    (part,) = attachments(message)
    return icalendar.Calendar.from_ical(part.get_content())


@pytest.fixture
def imported(run_cli):
    """sud-liaison-9 imported with two active registrants and a cancelled one; its id."""
    result = run_cli([upcoming(registrations=PEOPLE)])
    assert result.exit_code == 0, result.output
    assert outbox_count() == 0  # imported registrations record what happened: no mail
    return json.loads(result.output)["id"]


def test_an_event_moved_by_import_mails_each_active_registrant_once(
    run_cli, imported, smtp, caplog
):
    old_start = db.session.get(Event, imported).start_at
    caplog.set_level(logging.INFO)
    moved = upcoming(days=11, venue=NEW_VENUE)
    result = run_cli([moved])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"external_id": "sud-liaison-9", "id": imported}
    assert deliver_all() == (2, 0)
    for n in (1, 2):
        (message,) = smtp.inbox.to(f"anne.{n}@example.org")
        assert message["Subject"].startswith("Changement")
        calendar = calendar_of(message)
        (vevent,) = calendar.walk("VEVENT")
        assert str(calendar["METHOD"]) == "REQUEST"
        assert int(vevent["SEQUENCE"]) == 1  # 0 when imported
        assert vevent["DTSTART"].dt == to_local(old_start + timedelta(days=1))
        assert "Maison des Savoirs" in str(vevent["LOCATION"])
    assert smtp.inbox.to("anne.3@example.org") == []
    created, moved_line = audit_lines(imported)
    assert (created.action, created.actor_kind) == ("event.created", "import")
    assert (moved_line.action, moved_line.actor_kind) == ("event.moved", "import")
    assert set(moved_line.before) == {"start_at", "end_at", "venue_id"}
    assert moved_line.before["start_at"] == old_start.isoformat()
    assert moved_line.after["start_at"] == (old_start + timedelta(days=1)).isoformat()
    assert moved_line.after["venue_id"] != moved_line.before["venue_id"]
    # The operator's lines: a summary and one per change, ids only.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("webapp"))
    assert "1 event(s): 0 created, 1 updated, 0 unchanged; 2 notice(s) queued" in ours
    assert f"event.moved event {imported} by import" in ours
    assert "example.org" not in ours and "Anne" not in ours


def test_no_notify_records_the_move_and_mails_no_one(run_cli, imported, smtp):
    result = run_cli([upcoming(days=12)], "--no-notify")
    assert result.exit_code == 0, result.output
    assert outbox_count() == 0
    assert [line.action for line in audit_lines(imported)] == ["event.created", "event.moved"]
    assert db.session.get(Event, imported).sequence == 1  # calendars still see the change


def test_an_event_cancelled_by_import_sends_a_cancel(run_cli, imported, smtp):
    result = run_cli([upcoming(status="cancelled", status_reason="Travaux.")])
    assert result.exit_code == 0, result.output
    assert deliver_all() == (2, 0)
    for n in (1, 2):
        (message,) = smtp.inbox.to(f"anne.{n}@example.org")
        assert message["Subject"].startswith("Activité annulée")
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    line = audit_lines(imported)[-1]
    assert line.action == "event.cancelled"
    assert line.before == {"status": "published", "status_reason_fr": None}
    assert line.after == {"status": "cancelled", "status_reason_fr": "Travaux."}


def test_the_same_file_again_writes_and_sends_nothing(run_cli, imported, smtp):
    again = run_cli([upcoming(registrations=PEOPLE)])
    assert again.exit_code == 0, again.output
    assert [line.action for line in audit_lines(imported)] == ["event.created"]
    assert outbox_count() == 0


def test_a_bad_entry_after_a_move_writes_nothing(run_cli, imported, smtp):
    result = run_cli([upcoming(days=13), {**entry("b"), "kind": "party"}])
    assert result.exit_code != 0 and "entry 1" in result.output
    assert db.session.get(Event, imported).sequence == 0
    assert outbox_count() == 0 and len(audit_lines(imported)) == 1


def test_contract_example_imports(run_cli, client):
    result = run_cli([CONTRACT_EXAMPLE])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert line["external_id"] == "sud-liaison-4"
    event = db.session.get(Event, line["id"])
    assert event.title_nl == "Overleg ambulant-ziekenhuis #4"
    assert event.series.slug == "sud-liaison-ambulatoire-hopital"
    assert event.series.title_fr == "Liaison ambulatoire-hôpital"
    assert event.venue.commune.municipality_slug == "forest"
    assert event.capacity == 20 and event.waitlist_enabled and event.registration_mode == "open"
    assert event.online_url == "https://meet.example.org/liaison"
    assert event.rrule and event.exdates == ["2027-07-19"]
    assert event.start_at == local(2027, 3, 23, 13)
    registrations = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id)
    ).all()
    assert [r.email for r in registrations] == ["anne.dupont@example.org"]
    # A recurring entry: third Mondays from March, July skipped (2027: 15 March is before the
    # start, so April 19 is the second date).
    days = [
        o.start_at.date()
        for o in db.session.scalars(
            select(EventOccurrence)
            .where(EventOccurrence.event_id == event.id)
            .order_by(EventOccurrence.start_at)
        )
    ]
    assert "2027-07-19" not in {d.isoformat() for d in days}
    assert client.get(f"/events/{event.id}").status_code == 200
    # Idempotent too.
    before, state = counts(), snapshot()
    assert run_cli([CONTRACT_EXAMPLE]).output == result.output
    assert counts() == before and snapshot() == state


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", "Ma\x00rie"),
        ("last_name", "Dupont\x00"),
        ("organisation", "CPAS\x00"),
        ("first_name", "Marie\r\nBcc: x@example.org"),
    ],
)
def test_cli_a_control_character_in_a_registrant_names_the_field_not_the_people(
    run_cli, field, value
):
    person = {
        "first_name": "Marie",
        "last_name": "Dubois-Secret",
        "email": "marie.dubois@example.org",
        "sector": "cpas",
        field: value,
    }
    result = run_cli([entry(registrations=[person])])
    assert result.exit_code != 0
    assert f"registrations[0].{field}" in result.output
    assert "Traceback" not in result.output
    assert "Dubois-Secret" not in result.output and "marie.dubois" not in result.output
    assert counts()["Event"] == 0
