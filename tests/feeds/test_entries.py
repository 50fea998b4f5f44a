"""Calendar entries that are not events (a Grand Bain visit) written as VEVENTs."""

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from tests.conftest import make_config
from tests.feeds.test_injection import assert_no_injection
from webapp import create_app
from webapp.feeds.ical import CalendarEntry, EntryStatus, entries_text

VISIT = CalendarEntry(
    uid="visit-12@agenda.test",
    url="http://agenda.test/grand-bain/2027/offers/3",
    summary="Grand Bain : visite du CPAS de Forest",
    start_at=datetime(2027, 5, 20, 8, 0, tzinfo=UTC),
    end_at=datetime(2027, 5, 20, 9, 30, tzinfo=UTC),
    updated_at=datetime(2027, 4, 1, 10, 0, tzinfo=UTC),
    sequence=2,
    status=EntryStatus.TENTATIVE,
    description="Accueil au rez-de-chaussée.",
    categories=("Grand Bain", "Portes ouvertes"),
    location="CPAS de Forest, Rue de Belgrade 88, 1190 Forest",
    organizer=("grandbain@bassin-sud.be", "Bassin Sud"),
)


@pytest.fixture(scope="module")
def app():
    app = create_app(make_config("sqlite://"))
    with app.app_context():
        yield app


def vevents(body):
    return Calendar.from_ical(body).walk("VEVENT")


def test_a_visit_is_one_vevent_with_everything_the_entry_says(app):
    (vevent,) = vevents(entries_text([VISIT], name="Mes visites"))
    assert str(vevent["uid"]) == "visit-12@agenda.test"
    assert str(vevent["url"]) == VISIT.url
    assert str(vevent["summary"]) == VISIT.summary
    assert vevent.decoded("dtstart") == VISIT.start_at
    assert vevent.decoded("dtend") == VISIT.end_at
    assert vevent["dtstart"].params["TZID"] == "Europe/Brussels"
    assert str(vevent["location"]) == VISIT.location
    assert str(vevent["description"]) == VISIT.description
    assert [str(c) for c in vevent["categories"].cats] == ["Grand Bain", "Portes ouvertes"]
    assert str(vevent["organizer"]) == "mailto:grandbain@bassin-sud.be"
    assert vevent["organizer"].params["CN"] == "Bassin Sud"
    assert str(vevent["status"]) == "TENTATIVE"
    assert vevent["sequence"] == 2


def test_an_entry_without_optional_parts_writes_none_of_their_lines(app):
    bare = CalendarEntry(
        uid="visit-13@agenda.test",
        url=None,
        summary="Visite",
        start_at=VISIT.start_at,
        end_at=VISIT.end_at,
        updated_at=VISIT.updated_at,
    )
    body = entries_text([bare]).decode()
    body = body[body.index("BEGIN:VEVENT") :]  # the VTIMEZONE has rules of its own
    for absent in ("URL", "LOCATION", "DESCRIPTION", "CATEGORIES", "ORGANIZER", "CREATED", "RRULE"):
        assert f"\r\n{absent}" not in body
    assert "\r\nSTATUS:CONFIRMED\r\n" in body


def test_a_scheduling_message_is_stamped_now_and_a_published_one_at_its_revision(app):
    published = entries_text([VISIT], method="PUBLISH").decode()
    assert "\r\nDTSTAMP:20270401T100000Z\r\n" in published
    request = entries_text([VISIT], method="REQUEST").decode()
    assert "\r\nMETHOD:REQUEST\r\n" in request
    assert "\r\nDTSTAMP:20270401T100000Z\r\n" not in request


@pytest.mark.parametrize("separator", ["\r\n", "\r", "\n", "\x00", "\x0b"])
def test_no_field_of_an_entry_can_start_a_property(app, separator):
    evil = f"x{separator}ATTENDEE:mailto:evil@example.org{separator}"
    entry = replace(
        VISIT,
        uid=f"visit-14@agenda.test{evil}",
        url=f"http://agenda.test/v{evil}",
        summary=evil,
        description=evil,
        location=evil,
        categories=(evil, "ok"),
        organizer=(f"a@example.org{evil}", evil),
    )
    assert_no_injection(entries_text([entry]))


def test_an_unknown_status_is_refused_rather_than_written(app):
    with pytest.raises(ValueError):
        entries_text([replace(VISIT, status="MAYBE")])


def test_entries_are_frozen():
    with pytest.raises(FrozenInstanceError):
        VISIT.summary = "changed"


def test_a_recurring_event_is_its_rule_then_one_entry_per_changed_date(app):
    from tests.feeds.test_golden import recurring_with_overrides
    from webapp.feeds.entries import event_entries

    event = recurring_with_overrides()
    rule, moved, cancelled = event_entries(event, "fr", tentative=True)
    assert {rule.uid, moved.uid, cancelled.uid} == {f"event-{event.id}@agenda.test"}
    assert rule.rrule and rule.recurrence_id is None and len(rule.exdates) == 2
    assert moved.recurrence_id == event.overrides[0].recurrence_start
    assert moved.location.startswith("Étage 1, Maison médicale du Midi")
    assert [e.status for e in (rule, moved, cancelled)] == [
        EntryStatus.TENTATIVE,
        EntryStatus.TENTATIVE,
        EntryStatus.CANCELLED,
    ]
