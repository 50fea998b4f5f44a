"""The attendance sheet and the check-in view: taps recorded with their time, a replayed tap
counted once, walk-ins apart, a repeating event per date, foreign ids 404, services 403."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.edge import rules
from tests.factories import PERSON
from webapp.agenda.models import Event
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.registrations.models import CheckIn, Registration
from webapp.timezones import to_local, utcnow


@pytest.fixture
def make_event(make_event):
    """The events of this file began an hour ago (taps are taken from a date's day on),
    unless a test says otherwise."""

    def make(**fields):
        fields.setdefault("start", (utcnow() - timedelta(hours=1)).replace(microsecond=0))
        return make_event(**fields)

    return make


def people(event_id, *names):
    """Registrations made two days before the event began (it may have begun since)."""
    event = db.session.get(Event, event_id)
    with time_machine.travel(event.start_at - timedelta(days=2), tick=False):
        return [
            rules.register(
                event_id, PERSON | {"email": f"{n.lower()}@example.org", "last_name": n}
            ).registration.id
            for n in names
        ]


def day_of(event):
    return to_local(event.start_at).date().isoformat()


def tap(client, event, registration_id, present="1", **extra):
    data = {"registration": registration_id, "date": day_of(event), "present": present, **extra}
    return client.post(f"/admin/events/{event.id}/attendance/tap", data=data)


def check_ins():
    db.session.expire_all()
    return db.session.scalars(select(CheckIn).order_by(CheckIn.id)).all()


def test_the_sheet_lists_confirmed_people_by_last_name_then_empty_rows(sud_client, make_event):
    event = make_event(capacity=3, title="Concertation liaison #4")
    people(event.id, "Zola", "Éluard", "Aragon", "Waiting")
    html = sud_client.get(f"/admin/events/{event.id}/attendance-sheet").get_data(as_text=True)
    assert "Concertation liaison #4" in html and "Signature" in html
    assert html.index("Aragon") < html.index("Éluard") < html.index("Zola")
    assert "Waiting" not in html
    assert html.count('class="sheet-empty"') == 12
    # Walk-ins without an address evaluate through the event's open link: its QR code.
    qr = f"/admin/events/{event.id}/evaluation/qr.svg"
    assert qr in html
    svg = sud_client.get(qr)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


def test_a_tap_records_its_time_and_the_same_tap_twice_counts_once(sud_client, make_event):
    event = make_event()
    (anne,) = people(event.id, "Peeters")
    first = tap(sud_client, event, anne)
    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"#r-{anne}")
    tap(sud_client, event, anne)
    (check,) = check_ins()
    assert check.present and check.tapped_at <= utcnow()
    assert db.session.get(Registration, anne).attended is True
    taps = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "registration.checked_in")
    )
    assert db.session.scalar(taps) == 1


def test_a_queued_tap_keeps_its_original_time_and_an_older_one_changes_nothing(
    sud_client, make_event
):
    event = make_event()
    (anne,) = people(event.id, "Peeters")
    then = utcnow().replace(microsecond=0) - timedelta(minutes=20)
    assert tap(sud_client, event, anne, tapped_at=then.isoformat()).status_code == 303
    assert check_ins()[0].tapped_at == then
    # Untick later, then an older "present" replayed: the later untick stands.
    tap(sud_client, event, anne, "0", tapped_at=(then + timedelta(minutes=5)).isoformat())
    tap(sud_client, event, anne, "1", tapped_at=(then + timedelta(minutes=1)).isoformat())
    (check,) = check_ins()
    assert check.present is False and check.tapped_at == then + timedelta(minutes=5)
    assert db.session.get(Registration, anne).attended is False


def test_javascript_taps_get_json_with_the_counts(sud_client, make_event):
    event = make_event()
    anne, bob = people(event.id, "Peeters", "Bodart")
    response = sud_client.post(
        f"/admin/events/{event.id}/attendance/tap",
        data={"registration": anne, "date": day_of(event), "present": "1"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json["changed"] is True and response.json["present"] is True
    assert response.json["counts"] == {
        "registered": 2,
        "present": 1,
        "walk_ins": 0,
        "not_come": 1,
    }


def test_a_tap_dated_in_the_future_is_refused_not_moved_to_now(sud_client, make_event):
    event = make_event()
    (anne,) = people(event.id, "Peeters")
    for ahead in (timedelta(days=1), timedelta(minutes=5)):
        future = (utcnow() + ahead).isoformat()
        assert tap(sud_client, event, anne, tapped_at=future).status_code == 422
    assert check_ins() == []
    # A phone's clock a few seconds ahead is only a clock: that tap is now.
    assert tap(sud_client, event, anne, tapped_at=(utcnow() + timedelta(seconds=20)).isoformat())
    assert check_ins()[0].tapped_at <= utcnow()


def test_a_bad_time_or_state_is_refused(sud_client, make_event):
    event = make_event()
    (anne,) = people(event.id, "Peeters")
    assert tap(sud_client, event, anne, tapped_at="yesterday").status_code == 422
    assert tap(sud_client, event, anne, tapped_at="2020-01-01T10:00:00+00:00").status_code == 422
    assert tap(sud_client, event, anne, present="toggle").status_code == 422
    naive = utcnow().replace(tzinfo=None).isoformat()
    assert tap(sud_client, event, anne, tapped_at=naive).status_code == 422


def test_walk_ins_are_counted_apart_and_take_no_place(sud_client, make_event):
    event = make_event(capacity=1)
    (anne,) = people(event.id, "Peeters")
    response = sud_client.post(
        f"/admin/events/{event.id}/attendance/walk-in",
        data={
            "date": day_of(event),
            "walk-in-first_name": "Marc",
            "walk-in-last_name": "Janssens",
            "walk-in-organisation": "Maison médicale du Midi",
            "walk-in-sector": "cpas",
        },
    )
    assert response.status_code == 303
    walk_in = db.session.scalar(select(Registration).where(Registration.walk_in.is_(True)))
    assert (walk_in.last_name, walk_in.sector, walk_in.email) == ("Janssens", "cpas", None)
    assert db.session.get(Event, event.id).confirmed_count == 1
    tap(sud_client, event, anne)
    page = sud_client.get(f"/admin/events/{event.id}/attendance").get_data(as_text=True)
    assert 'data-count="registered">1<' in page
    assert 'data-count="present">1<' in page
    assert 'data-count="walk_ins">1<' in page
    assert 'data-count="not_come">0<' in page
    assert "Janssens" in page
    # Cancelling a walk-in gives back no place it never took.
    rules.cancel(walk_in.id)
    assert db.session.get(Event, event.id).confirmed_count == 1


def test_a_walk_in_without_a_name_is_refused_beside_the_field(sud_client, make_event):
    event = make_event()
    response = sud_client.post(
        f"/admin/events/{event.id}/attendance/walk-in",
        data={"date": day_of(event), "walk-in-first_name": "Marc", "walk-in-last_name": ""},
    )
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_the_search_finds_three_letters_without_accents(sud_client, make_event):
    event = make_event()
    people(event.id, "Éluard", "Zola")
    page = sud_client.get(f"/admin/events/{event.id}/attendance?q=elu").get_data(as_text=True)
    assert "Éluard" in page and "Zola" not in page


def test_a_repeating_event_is_checked_in_per_date(sud_client, make_event):
    start = (utcnow() - timedelta(days=8)).replace(microsecond=0)
    event = make_event(start=start, rrule="FREQ=WEEKLY;COUNT=3")
    (anne,) = people(event.id, "Peeters")
    second = to_local(start + timedelta(days=7)).date().isoformat()
    response = sud_client.post(
        f"/admin/events/{event.id}/attendance/tap",
        data={"registration": anne, "date": second, "present": "1"},
    )
    assert response.status_code == 303
    (check,) = check_ins()
    assert check.on_date.isoformat() == second
    first_page = sud_client.get(f"/admin/events/{event.id}/attendance?date={day_of(event)}")
    assert 'data-count="present">0<' in first_page.get_data(as_text=True)
    second_page = sud_client.get(f"/admin/events/{event.id}/attendance?date={second}")
    assert 'data-count="present">1<' in second_page.get_data(as_text=True)
    # A date the event does not meet is not found.
    off = to_local(start + timedelta(days=1)).date().isoformat()
    answer = sud_client.post(
        f"/admin/events/{event.id}/attendance/tap",
        data={"registration": anne, "date": off, "present": "1"},
    )
    assert answer.status_code == 404


def test_foreign_events_and_registrations_are_404_for_bassins_and_services(
    app, sud_client, make_event, make_staff
):
    ours = make_event()
    theirs = make_event(bassins=("nord",), commune="schaerbeek")
    other = make_event()
    (foreign,) = people(theirs.id, "Foreign")
    (elsewhere,) = people(other.id, "Elsewhere")
    for path in ("attendance", "attendance-sheet"):
        assert sud_client.get(f"/admin/events/{theirs.id}/{path}").status_code == 404
    assert tap(sud_client, theirs, foreign).status_code == 404
    assert tap(sud_client, ours, foreign).status_code == 404  # not this event's
    assert tap(sud_client, ours, elsewhere).status_code == 404
    assert tap(sud_client, ours, "1 OR 1=1").status_code == 404
    walk_in = sud_client.post(
        f"/admin/events/{theirs.id}/attendance/walk-in",
        data={"date": day_of(theirs), "walk-in-first_name": "A", "walk-in-last_name": "B"},
    )
    assert walk_in.status_code == 404
    assert check_ins() == []

    service = sign_in(app.test_client(), make_staff("service", organisation="Infor-Jeunes"))
    # A service checks in its own organisation's events only: another's is not found.
    for path in ("attendance", "attendance-sheet"):
        assert service.get(f"/admin/events/{ours.id}/{path}").status_code == 404
    assert service.post(f"/admin/events/{ours.id}/attendance/tap").status_code == 404


def test_only_the_check_in_page_may_run_its_script(sud_client, make_event):
    event = make_event()
    page = sud_client.get(f"/admin/events/{event.id}/attendance")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert re.search(
        r'<script src="/static/js/checkin\.js\?v=[0-9a-f]+" defer></script>', page.text
    )
    for other in (f"/admin/events/{event.id}/participants", "/admin/", "/"):
        policy = sud_client.get(other).headers["Content-Security-Policy"]
        assert "script-src 'none'" in policy, other


def test_taps_are_taken_from_a_dates_day_until_seven_days_after(sud_client, make_event):
    """Dates 13 and 6 days ago and tomorrow: only the one 6 days ago takes taps."""
    start = (utcnow() - timedelta(days=13)).replace(microsecond=0)
    event = make_event(start=start, rrule="FREQ=WEEKLY;COUNT=3")
    (anne,) = people(event.id, "Peeters")
    old, recent, coming = (to_local(start + timedelta(days=7 * n)).date() for n in range(3))
    walk_in = {"walk-in-first_name": "Zoé", "walk-in-last_name": "Sans-Inscription"}

    def post(day, what="tap"):
        data = {"registration": anne, "date": day.isoformat(), "present": "1"}
        return sud_client.post(
            f"/admin/events/{event.id}/attendance/{what}",
            data=walk_in | {"date": day.isoformat()} if what == "walk-in" else data,
        )

    assert post(old).status_code == 409 and post(coming).status_code == 409
    assert post(coming, "walk-in").status_code == 409 and post(old, "walk-in").status_code == 409
    assert check_ins() == []
    assert post(recent).status_code == 303
    assert [c.on_date for c in check_ins()] == [recent]
    page = sud_client.get(f"/admin/events/{event.id}/attendance?date={coming.isoformat()}")
    assert "data-check-in-closed" in page.get_data(as_text=True)
    open_page = sud_client.get(f"/admin/events/{event.id}/attendance?date={recent.isoformat()}")
    assert "data-check-in-closed" not in open_page.get_data(as_text=True)


def test_an_event_to_come_takes_no_tap(sud_client, make_event):
    event = make_event(start=(utcnow() + timedelta(days=2)).replace(microsecond=0))
    (anne,) = people(event.id, "Peeters")
    assert tap(sud_client, event, anne).status_code == 409
    assert check_ins() == []
