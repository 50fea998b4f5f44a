"""SEQUENCE and the agenda index (event_occurrences) follow committed changes of an event."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import local, series, venue
from webapp.agenda.models import Event, EventOccurrence, OccurrenceOverride
from webapp.extensions import db


def reload(event_id):
    db.session.expire_all()
    return db.session.get(Event, event_id)


def rows(event_id):
    return db.session.execute(
        select(EventOccurrence.start_at, EventOccurrence.end_at, EventOccurrence.venue_id)
        .where(EventOccurrence.event_id == event_id)
        .order_by(EventOccurrence.start_at)
    ).all()


def test_creation_leaves_sequence_at_zero(make_event):
    event = make_event("Nouvelle")
    assert reload(event.id).sequence == 0
    assert len(rows(event.id)) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda e: setattr(e, "start_at", e.start_at + timedelta(hours=1)),
        lambda e: setattr(e, "end_at", e.end_at + timedelta(hours=1)),
        lambda e: setattr(e, "venue", venue("Autre salle", "ixelles", "Rue Autre 1")),
        lambda e: setattr(e, "room", "Salle 2"),
        lambda e: setattr(e, "online_url", "https://meet.example.org/x"),
        lambda e: setattr(e, "status", "cancelled"),
        lambda e: setattr(e, "status", "postponed"),
        lambda e: setattr(e, "rrule", "FREQ=WEEKLY;COUNT=3"),
    ],
)
def test_time_place_status_change_bumps_sequence_by_one(make_event, change):
    event = make_event("À modifier")
    change(event)
    db.session.commit()
    assert reload(event.id).sequence == 1


def test_each_commit_bumps_once(make_event):
    event = make_event("À déplacer")
    for number in range(1, 4):
        event = reload(event.id)
        # Several fields in one transaction: still one step.
        event.start_at += timedelta(days=1)
        event.end_at += timedelta(days=1)
        event.room = f"Salle {number}"
        db.session.commit()
        assert reload(event.id).sequence == number
    # Several flushes in one transaction: still one step.
    event = reload(event.id)
    event.start_at += timedelta(hours=1)
    db.session.flush()
    event.room = "Salle finale"
    db.session.flush()
    db.session.commit()
    assert reload(event.id).sequence == 4


def test_title_and_description_changes_do_not_bump(make_event):
    event = make_event("Titre")
    event.title_fr = "Nouveau titre"
    event.title_nl = "Nieuwe titel"
    event.description_fr = "Texte"
    event.capacity = 40
    db.session.commit()
    event = reload(event.id)
    assert event.sequence == 0 and event.title_fr == "Nouveau titre"


def test_rolled_back_change_does_not_bump(make_event):
    event = make_event("Rollback")
    event.start_at += timedelta(hours=2)
    db.session.flush()
    db.session.rollback()
    assert reload(event.id).sequence == 0
    event = reload(event.id)
    event.room = "B"
    db.session.commit()
    assert reload(event.id).sequence == 1


def test_override_changes_bump(make_event):
    event = make_event("Mensuel", start=local(2027, 1, 18, 14), rrule="FREQ=MONTHLY;COUNT=3")
    first = event.start_at
    event.overrides.append(
        OccurrenceOverride(
            recurrence_start=first,
            start_at=first,
            end_at=first + timedelta(hours=1),
            cancelled=True,
        )
    )
    db.session.commit()
    assert reload(event.id).sequence == 1
    event = reload(event.id)
    db.session.delete(event.overrides[0])
    db.session.commit()
    assert reload(event.id).sequence == 2


def test_occurrence_rows_follow_edits(make_event):
    event = make_event("Mobile", start=local(2027, 3, 1, 10), hours=2)
    original_venue = event.venue_id
    assert rows(event.id) == [(local(2027, 3, 1, 10), local(2027, 3, 1, 12), original_venue)]
    event.start_at = local(2027, 3, 8, 10)
    event.end_at = local(2027, 3, 8, 13)
    db.session.commit()
    assert rows(event.id) == [(local(2027, 3, 8, 10), local(2027, 3, 8, 13), original_venue)]
    event = reload(event.id)
    other = venue("Salle nouvelle", "uccle", "Rue Neuve 9")
    event.venue = other
    db.session.commit()
    assert rows(event.id)[0][2] == other.id
    event = reload(event.id)
    event.rrule = "FREQ=WEEKLY;COUNT=4"
    db.session.commit()
    assert [r[0] for r in rows(event.id)] == [local(2027, 3, 8 + 7 * n, 10) for n in range(4)]
    event = reload(event.id)
    event.exdates = ["2027-03-15"]
    db.session.commit()
    assert [r[0] for r in rows(event.id)] == [
        local(2027, 3, 8, 10),
        local(2027, 3, 22, 10),
        local(2027, 3, 29, 10),  # after the March change: still 10:00 local
    ]
    event = reload(event.id)
    event.rrule = None
    event.exdates = None
    db.session.commit()
    assert len(rows(event.id)) == 1
    # Deleting the event deletes its rows.
    db.session.delete(reload(event.id))
    db.session.commit()
    assert rows(event.id) == []


def test_title_change_keeps_rows(make_event):
    event = make_event("Stable", start=local(2027, 3, 1, 10))
    before = db.session.scalars(
        select(EventOccurrence.id).where(EventOccurrence.event_id == event.id)
    ).all()
    event.title_fr = "Stable renommé"
    db.session.commit()
    after = db.session.scalars(
        select(EventOccurrence.id).where(EventOccurrence.event_id == event.id)
    ).all()
    assert before == after


def test_refresh_occurrences_extends_an_open_rule_past_its_old_horizon(app, make_event):
    from datetime import timedelta

    from sqlalchemy import delete, func, select

    from webapp.agenda.models import EventOccurrence
    from webapp.extensions import db
    from webapp.timezones import utcnow

    make_event(
        title="Rendez-vous mensuel",
        rrule="FREQ=MONTHLY;BYDAY=3MO",
        start=utcnow() + timedelta(days=1),
    )
    full = db.session.scalar(select(func.count()).select_from(EventOccurrence))
    # As if the index had been built long ago and only its first dates were left.
    db.session.execute(
        delete(EventOccurrence).where(EventOccurrence.start_at > utcnow() + timedelta(days=60))
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["refresh-occurrences"])
    assert "1 repeating event(s) re-indexed" in result.output
    assert db.session.scalar(select(func.count()).select_from(EventOccurrence)) == full >= 24


def test_a_venue_edit_moves_its_events_once_and_leaves_the_others(make_event):
    from webapp.agenda.models import Venue

    here = make_event("À la Maison de Quartier", venue_name="Maison de Quartier Chambéry")
    elsewhere = make_event("Ailleurs", venue_name="Centre culturel")
    moved_here = make_event("Une date ici", venue_name="Salle Rossini", rrule="FREQ=WEEKLY;COUNT=3")
    override = OccurrenceOverride(
        recurrence_start=moved_here.start_at,
        start_at=moved_here.start_at,
        end_at=moved_here.end_at,
        venue_id=here.venue_id,
    )
    reload(moved_here.id).overrides.append(override)
    db.session.commit()
    sequences = {e.id: reload(e.id).sequence for e in (here, elsewhere, moved_here)}
    changed_at = reload(elsewhere.id).updated_at
    reload(here.id).room = "Salle polyvalente"  # the same transaction: still one step
    db.session.get(Venue, here.venue_id).address = "Rue de Chambéry 24"
    db.session.commit()
    assert reload(here.id).sequence == sequences[here.id] + 1
    assert reload(moved_here.id).sequence == sequences[moved_here.id] + 1
    assert reload(elsewhere.id).sequence == sequences[elsewhere.id]
    assert reload(elsewhere.id).updated_at == changed_at


def facts(event_id):
    return db.session.execute(
        select(
            EventOccurrence.listed,
            EventOccurrence.kind,
            EventOccurrence.audience,
            EventOccurrence.series_id,
        ).where(EventOccurrence.event_id == event_id)
    ).all()


def test_index_rows_keep_the_facts_the_filters_use_in_step(make_event):
    event = make_event("Brouillon", status="draft", rrule="FREQ=WEEKLY;COUNT=3")
    assert facts(event.id) == [(False, "concertation", "professionals", None)] * 3
    event = reload(event.id)
    event.status = "published"
    event.kind = "formation"
    event.audience = "public"
    event.series = series("formations-sud", "Formations")
    db.session.commit()
    series_id = reload(event.id).series_id
    assert facts(event.id) == [(True, "formation", "public", series_id)] * 3
    reload(event.id).status = "cancelled"  # a cancelled event stays listed, marked so
    db.session.commit()
    assert {row.listed for row in facts(event.id)} == {True}
    reload(event.id).status = "draft"
    db.session.commit()
    assert {row.listed for row in facts(event.id)} == {False}
