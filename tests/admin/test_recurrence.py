"""The recurrence editor (/admin/events/<id>/recurrence): its dates against dates computed
here with `calendar` and plain offsets, the preview that writes nothing, the save and its
audit line, skipped, moved and cancelled dates in the agenda index and the feed, bad input,
and who may use it.
"""

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.clock import before_the_fixed_dates
from tests.factories import local, venue
from webapp.agenda.models import Event, EventOccurrence, OccurrenceOverride
from webapp.audit import AuditEntry
from webapp.extensions import db

pytestmark = before_the_fixed_dates


def last_sunday(year, month):
    return max(w[calendar.SUNDAY] for w in calendar.monthcalendar(year, month) if w[6])


def utc_for_local(day, hour, minute=0):
    """Brussels wall-clock time as UTC: +2 from the last Sunday of March to the last Sunday of
    October, +1 otherwise (the changes happen at night, our times are in the day)."""
    summer = (
        date(day.year, 3, last_sunday(day.year, 3))
        <= day
        < date(day.year, 10, last_sunday(day.year, 10))
    )
    naive = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
    return naive - timedelta(hours=2 if summer else 1)


def second_tuesdays_2027():
    return [
        date(2027, m, [w[calendar.TUESDAY] for w in calendar.monthcalendar(2027, m) if w[1]][1])
        for m in range(1, 13)
    ]


def thursdays(first, last):
    day = first + timedelta(days=(calendar.THURSDAY - first.weekday()) % 7)
    while day <= last:
        yield day
        day += timedelta(days=7)


def indexed_starts(event_id):
    rows = db.session.scalars(
        select(EventOccurrence)
        .where(EventOccurrence.event_id == event_id)
        .order_by(EventOccurrence.start_at)
    ).all()
    return [r.start_at.astimezone(UTC) for r in rows]


def audit_count():
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


SECOND_TUESDAY = {
    "frequency": "monthly",
    "ordinal": "2",
    "weekday": "1",
    "interval": "",
    "until": "2027-12-31",
    "count": "",
    "dates": "",
}


@pytest.fixture
def forest(make_event):
    """The Forest prevention rendez-vous, a plain event on a Monday, 9:30-12:00, not yet repeating."""
    return make_event(
        "Rendez-vous de la Prévention santé",
        start=local(2027, 1, 4, 9, 30),
        end_at=local(2027, 1, 4, 12),
        kind="rdv-prevention",
        audience="public",
        registration_mode="none",
    )


def url(event, tail=""):
    return f"/admin/events/{event.id}/recurrence{tail}"


def saved(sud_client, event, form=SECOND_TUESDAY):
    response = sud_client.post(url(event), data={**form, "save": "Enregistrer"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return db.session.get(Event, event.id)


def test_second_tuesday_preview_gives_the_dates_computed_here_and_writes_nothing(
    sud_client, forest
):
    before = audit_count()
    response = sud_client.post(url(forest), data={**SECOND_TUESDAY, "preview": "Voir"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    shown = [
        datetime.fromisoformat(part.split('"')[0])
        for part in page.split("data-preview")[1].split('<time datetime="')[1:]
    ]
    expected = [utc_for_local(d, 9, 30) for d in second_tuesdays_2027()]
    assert [s.astimezone(UTC) for s in shown] == expected
    assert {(s.hour, s.minute) for s in shown} == {(9, 30)}  # local, while UTC moves
    assert {e.hour for e in expected} == {7, 8}
    assert audit_count() == before
    event = db.session.get(Event, forest.id)
    assert event.rrule is None and event.start_at == local(2027, 1, 4, 9, 30)


def test_saving_second_tuesday_indexes_those_dates_and_writes_one_audit_line(sud_client, forest):
    before = audit_count()
    event = saved(sud_client, forest)
    assert event.rrule == "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271231T235959Z"
    # The first date moved from Monday 4 to the first second Tuesday, at the same hours.
    assert event.start_at == local(2027, 1, 12, 9, 30) and event.end_at == local(2027, 1, 12, 12)
    assert indexed_starts(event.id) == [utc_for_local(d, 9, 30) for d in second_tuesdays_2027()]
    assert audit_count() == before + 1
    line = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert line.subject_id == event.id and line.action == "event.moved"
    assert line.before["rrule"] is None
    assert line.after["rrule"] == event.rrule
    page = sud_client.get(url(event)).get_data(as_text=True)
    assert "chaque deuxième mardi du mois" in page


def test_every_thursday_keeps_14h_across_both_changes(sud_client, make_event):
    event = make_event("Permanence", start=local(2027, 3, 4, 14), hours=2)
    form = {
        **SECOND_TUESDAY,
        "frequency": "weekly",
        "weekdays": ["3"],
        "until": "2027-11-25",
    }
    event = saved(sud_client, event, form)
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TH;UNTIL=20271125T235959Z"
    expected_days = list(thursdays(date(2027, 3, 4), date(2027, 11, 25)))
    assert indexed_starts(event.id) == [utc_for_local(d, 14) for d in expected_days]
    hours = {d: utc_for_local(d, 14).hour for d in expected_days}
    assert hours[date(2027, 3, 25)] == 13 and hours[date(2027, 4, 1)] == 12
    assert hours[date(2027, 10, 28)] == 12 and hours[date(2027, 11, 4)] == 13
    ends = db.session.scalars(
        select(EventOccurrence.end_at).where(EventOccurrence.event_id == event.id)
    ).all()
    assert {(e - s) for e, s in zip(ends, indexed_starts(event.id), strict=True)} == {
        timedelta(hours=2)
    }


def test_skipping_august_leaves_the_index_and_the_feed_says_exdate(sud_client, client, forest):
    event = saved(sud_client, forest)
    response = sud_client.post(url(event, "/skip"), data={"day": "2027-08-10"})
    assert response.status_code == 303
    event = db.session.get(Event, event.id)
    assert event.exdates == ["2027-08-10"]
    assert utc_for_local(date(2027, 8, 10), 9, 30) not in indexed_starts(event.id)
    assert len(indexed_starts(event.id)) == 11
    feed = client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    assert "EXDATE;TZID=Europe/Brussels:20270810T093000" in feed
    bassin_feed = client.get("/bassins/sud/agenda.ics").get_data(as_text=True)
    assert "EXDATE;TZID=Europe/Brussels:20270810T093000" in bassin_feed
    page = sud_client.get(url(event)).get_data(as_text=True)
    assert 'data-day="2027-08-10" data-skipped' in page

    assert sud_client.post(url(event, "/restore"), data={"day": "2027-08-10"}).status_code == 303
    assert not db.session.get(Event, event.id).exdates
    assert len(indexed_starts(event.id)) == 12


def test_a_moved_date_carries_its_recurrence_id_new_time_and_venue(sud_client, client, forest):
    event = saved(sud_client, forest)
    hall = venue("Salle polyvalente", "ixelles", "Rue de la Paix 3")
    db.session.commit()
    response = sud_client.post(
        url(event, "/2027-09-14"),
        data={
            "day": "2027-09-16",
            "start": "10:00",
            "end": "12:30",
            "venue": str(hall.id),
            "room": "Salle 2",
            "note_fr": "Exceptionnellement un jeudi",
            "save": "Enregistrer",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    override = db.session.scalar(select(OccurrenceOverride))
    assert override.recurrence_start == utc_for_local(date(2027, 9, 14), 9, 30)
    assert override.start_at == utc_for_local(date(2027, 9, 16), 10)
    assert override.venue_id == hall.id and override.room == "Salle 2"
    assert utc_for_local(date(2027, 9, 16), 10) in indexed_starts(event.id)
    feed = client.get(f"/events/{event.id}.ics").get_data(as_text=True).replace("\r\n ", "")
    moved = feed.split("RECURRENCE-ID;TZID=Europe/Brussels:20270914T093000")[1]
    moved = moved.split("END:VEVENT")[0]
    assert "DTSTART;TZID=Europe/Brussels:20270916T100000" in moved
    assert "DTEND;TZID=Europe/Brussels:20270916T123000" in moved
    assert "LOCATION:Salle 2\\, Salle polyvalente\\, Rue de la Paix 3" in moved
    assert "Exceptionnellement un jeudi" in moved

    # Back to what the series says.
    response = sud_client.post(url(event, "/2027-09-14"), data={"undo": "Revenir"})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(OccurrenceOverride)) == 0
    assert utc_for_local(date(2027, 9, 14), 9, 30) in indexed_starts(event.id)


def test_a_cancelled_date_shows_as_cancelled(sud_client, client, forest):
    event = saved(sud_client, forest)
    response = sud_client.post(
        url(event, "/2027-10-12"),
        data={"day": "2027-10-12", "start": "09:30", "end": "12:00", "cancelled": "y"},
    )
    assert response.status_code == 303
    row = db.session.scalar(
        select(EventOccurrence).where(
            EventOccurrence.start_at == utc_for_local(date(2027, 10, 12), 9, 30)
        )
    )
    assert row.cancelled
    feed = client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    override = feed.split("RECURRENCE-ID;TZID=Europe/Brussels:20271012T093000")[1]
    assert "STATUS:CANCELLED" in override.split("END:VEVENT")[0]
    page = sud_client.get(url(event)).get_data(as_text=True)
    assert 'data-day="2027-10-12" data-cancelled' in page


def test_chosen_dates_are_rdates_in_the_index_and_the_feed(sud_client, client, forest):
    form = {**SECOND_TUESDAY, "frequency": "dates", "dates": "15/03/2027\n2027-02-08\n19/04/2027"}
    event = saved(sud_client, forest, form)
    assert event.rrule is None and event.rdates == ["2027-03-15", "2027-04-19"]
    assert event.start_at == local(2027, 2, 8, 9, 30)
    days = [date(2027, 2, 8), date(2027, 3, 15), date(2027, 4, 19)]
    assert indexed_starts(event.id) == [utc_for_local(d, 9, 30) for d in days]
    feed = client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    assert "RDATE;TZID=Europe/Brussels:20270315T093000,20270419T093000" in feed
    assert "RRULE" not in feed.split("END:VTIMEZONE")[1]
    assert sud_client.post(url(event, "/skip"), data={"day": "2027-03-15"}).status_code == 303
    assert len(indexed_starts(event.id)) == 2


def test_no_repetition_clears_the_rule_and_its_skipped_dates(sud_client, forest):
    event = saved(sud_client, forest)
    sud_client.post(url(event, "/skip"), data={"day": "2027-08-10"})
    event = saved(sud_client, event, {**SECOND_TUESDAY, "frequency": "none"})
    assert event.rrule is None and event.exdates is None and event.rdates is None
    assert len(indexed_starts(event.id)) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"interval": "13"}, "interval", "entre 1 et 12"),
        ({"interval": "0"}, "interval", "entre 1 et 12"),
        ({"interval": "deux"}, "interval", "entre 1 et 12"),
        ({"until": "2027-01-05"}, "until", "doit suivre la première date"),
        ({"until": "31/02/2027"}, "until", "n'est pas une date"),
        ({"until": "2027-06-30", "count": "4"}, "count", "pas les deux"),
        ({"count": "401"}, "count", "entre 1 et 400"),
        (
            {"frequency": "weekly", "weekdays": ["0", "1", "2", "3", "4", "5"], "until": ""},
            "until",
            "Plus de 400 dates",
        ),
        ({"frequency": "weekly", "weekdays": []}, "weekdays", "au moins un jour"),
        ({"frequency": "weekly", "weekdays": ["9"]}, "weekdays", "de la liste"),
        ({"ordinal": "7"}, "ordinal", "de la liste"),
        ({"frequency": "dates", "dates": "2027-03-01\n31/02/2027"}, "dates", "31/02/2027"),
        ({"frequency": "dates", "dates": ""}, "dates", "au moins une date"),
        ({"frequency": "yearly"}, "frequency", "une des possibilités"),
    ],
)
def test_bad_input_is_said_beside_its_field_and_writes_nothing(
    sud_client, forest, changes, field, message
):
    before = audit_count()
    for button in ("save", "preview"):
        data = {**SECOND_TUESDAY, **changes, button: "x"}
        response = sud_client.post(url(forest), data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        error = page.split(f'id="{field}-error">')[1].split("</p>")[0]
        assert message in error.replace("&#39;", "'")
        assert "data-preview" not in page
    assert audit_count() == before
    assert db.session.get(Event, forest.id).rrule is None


def test_the_hour_skipped_in_march_is_refused(sud_client, make_event):
    event = make_event("De nuit", start=local(2027, 3, 21, 2, 30), hours=1)
    form = {**SECOND_TUESDAY, "frequency": "dates", "dates": "21/03/2027\n28/03/2027"}
    response = sud_client.post(url(event), data={**form, "save": "x"})
    assert response.status_code == 422
    assert "heure d'été" in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.session.get(Event, event.id).rdates is None
    event = saved(sud_client, event, {**form, "dates": "21/03/2027\n04/04/2027"})
    moved = sud_client.post(
        url(event, "/2027-03-21"),
        data={"day": "2027-03-28", "start": "02:30", "end": "03:30"},
    )
    assert moved.status_code == 422
    assert "heure d'été" in moved.get_data(as_text=True).replace("&#39;", "'")
    assert not db.session.get(Event, event.id).overrides


def test_a_date_page_refuses_a_foreign_venue_and_an_end_before_the_start(
    sud_client, forest, make_event
):
    event = saved(sud_client, forest)
    foreign = make_event("Nord", bassins=("nord",), commune="ganshoren").venue_id
    before = audit_count()
    for data, field in (
        ({"venue": str(foreign)}, "venue"),
        ({"end": "09:00"}, "end"),
        ({"day": "2027-02-30"}, "day"),
        ({"start": "25:00"}, "start"),
        ({"room": "Salle\x00 2"}, "room"),
    ):
        form = {"day": "2027-09-14", "start": "09:30", "end": "12:00", **data}
        response = sud_client.post(url(event, "/2027-09-14"), data=form)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert audit_count() == before
    assert db.session.scalar(select(func.count()).select_from(OccurrenceOverride)) == 0


def test_a_date_the_rule_does_not_give_is_not_found_nor_skipped(sud_client, forest):
    event = saved(sud_client, forest)
    before = audit_count()
    assert sud_client.get(url(event, "/2027-09-15")).status_code == 404
    assert sud_client.get(url(event, "/2027-02-30")).status_code == 404
    assert sud_client.get(url(event, "/tuesday")).status_code == 404
    response = sud_client.post(url(event, "/skip"), data={"day": "2027-09-15"})
    assert response.status_code == 422
    assert "pas une date de la série" in response.get_data(as_text=True)
    assert sud_client.post(url(event, "/restore"), data={"day": "2027-09-14"}).status_code == 422
    assert audit_count() == before and db.session.get(Event, event.id).exdates is None


def test_another_bassins_event_is_not_found_and_unchanged(app, make_staff, forest, make_event):
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    before = audit_count()
    assert nord.get(url(forest)).status_code == 404
    assert nord.post(url(forest), data={**SECOND_TUESDAY, "save": "x"}).status_code == 404
    assert nord.post(url(forest, "/skip"), data={"day": "2027-01-04"}).status_code == 404
    assert nord.get(url(forest, "/2027-01-04")).status_code == 404
    assert audit_count() == before
    assert db.session.get(Event, forest.id).rrule is None


def test_a_service_account_may_not_use_the_editor(app, make_staff, forest):
    service = sign_in(app.test_client(), make_staff("service", organisation="Infor-Jeunes"))
    assert service.get(url(forest)).status_code == 403
    assert service.post(url(forest), data={**SECOND_TUESDAY, "save": "x"}).status_code == 403
    assert service.post(url(forest, "/skip"), data={"day": "2027-01-04"}).status_code == 403


def test_an_admin_reaches_every_bassin(admin_client, make_event):
    event = make_event("Nord", bassins=("nord",), commune="ganshoren")
    page = admin_client.get(url(event))
    assert page.status_code == 200
    assert "Voir les prochaines dates" in page.get_data(as_text=True)


def test_the_editor_speaks_dutch(sud_client, forest):
    event = saved(sud_client, forest)
    page = sud_client.get(url(event) + "?lang=nl").get_data(as_text=True)
    assert "elke tweede dinsdag van de maand" in page
    assert "Sauter cette date" not in page


def test_a_skipped_date_is_news_for_the_registrants(sud_client, make_event):
    from tests.edge import rules
    from tests.factories import PERSON
    from webapp.mail.models import OutboxMessage

    event = make_event("Groupe de parole", start=local(2027, 1, 12, 14), hours=2, capacity=10)
    event = saved(sud_client, event, {**SECOND_TUESDAY, "until": "2027-06-30"})
    registration = rules.register(event.id, PERSON).registration
    queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert sud_client.post(url(event, "/skip"), data={"day": "2027-03-09"}).status_code == 303
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.reference == f"registration:{registration.id}")
    ).all()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == queued + 1
    assert messages[-1].recipient == PERSON["email"]
