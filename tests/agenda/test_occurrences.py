"""Recurring events: expansion on Brussels wall-clock time across the daylight-saving changes.

Expected dates are computed here with `calendar` and plain arithmetic, not with dateutil.
"""

import calendar
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from tests.factories import local
from webapp.agenda.models import EventOccurrence, OccurrenceOverride
from webapp.agenda.occurrences import occurrences
from webapp.extensions import db


def last_sunday(year, month):
    return max(
        week[calendar.SUNDAY]
        for week in calendar.monthcalendar(year, month)
        if week[calendar.SUNDAY]
    )


def nth_weekday(year, month, weekday, n):
    days = [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday]]
    return days[n - 1]


def brussels_offset_hours(day: date):
    """+2 between the last Sunday of March and the last Sunday of October (from 01:00 UTC), else +1."""
    summer_start = date(day.year, 3, last_sunday(day.year, 3))
    summer_end = date(day.year, 10, last_sunday(day.year, 10))
    return 2 if summer_start <= day < summer_end else 1


def utc_for_local(day: date, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(
        hours=brussels_offset_hours(day)
    )


def test_independent_dst_dates_are_right():
    # Sanity of the helpers themselves: 2027 changes on 28 March and 31 October.
    assert last_sunday(2027, 3) == 28 and last_sunday(2027, 10) == 31
    assert nth_weekday(2027, 1, calendar.MONDAY, 3) == 18


def third_mondays_2027():
    return [date(2027, m, nth_weekday(2027, m, calendar.MONDAY, 3)) for m in range(1, 13)]


def test_monthly_rule_stays_at_14h_local_across_both_changes(make_event):
    event = make_event(
        "Rendez-vous prévention",
        start=local(2027, 1, 18, 14),
        hours=2,
        rrule="FREQ=MONTHLY;BYDAY=MO;BYSETPOS=3;UNTIL=20271231T235959",
    )
    found = occurrences(event)
    expected = third_mondays_2027()
    assert [o.start.astimezone(UTC) for o in found] == [utc_for_local(d, 14) for d in expected]
    assert [o.end - o.start for o in found] == [timedelta(hours=2)] * 12
    hours_utc = {o.start.astimezone(UTC).month: o.start.astimezone(UTC).hour for o in found}
    assert hours_utc[3] == 13 and hours_utc[4] == 12  # March 15 is before the change
    assert hours_utc[10] == 12 and hours_utc[11] == 13
    from webapp.timezones import to_local

    assert {to_local(o.start).hour for o in found} == {14}


def test_rule_on_the_change_days_themselves(make_event):
    # The last Sunday of each month, 14:00: on 28 March and 31 October the clocks change at night.
    event = make_event(
        "Dimanche",
        start=local(2027, 2, 28, 14),
        rrule="FREQ=MONTHLY;BYDAY=-1SU;COUNT=10",
    )
    found = occurrences(event)
    expected_days = [date(2027, m, last_sunday(2027, m)) for m in range(2, 12)]
    assert [o.start.astimezone(UTC) for o in found] == [utc_for_local(d, 14) for d in expected_days]
    by_month = {o.start.month: o.start.astimezone(UTC).hour for o in found}
    assert by_month[2] == 13 and by_month[3] == 12 and by_month[10] == 13


def test_weekly_rule_across_october_change(make_event):
    event = make_event(
        "Permanence",
        start=local(2027, 10, 18, 9, 30),
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    found = occurrences(event)
    days = [date(2027, 10, 18) + timedelta(weeks=n) for n in range(4)]
    assert [o.start for o in found] == [utc_for_local(d, 9, 30) for d in days]
    assert [o.start.astimezone(UTC).hour for o in found] == [7, 7, 8, 8]


def test_exdate_skips_a_month(make_event):
    event = make_event(
        "Rendez-vous prévention",
        start=local(2027, 1, 18, 14),
        rrule="FREQ=MONTHLY;BYDAY=MO;BYSETPOS=3;UNTIL=20271231T235959",
        exdates=["2027-08-16"],
    )
    found = [o.start.date() for o in occurrences(event)]
    expected = [d for d in third_mondays_2027() if d.month != 8]
    assert found == expected and len(found) == 11


def test_override_moves_one_date_and_cancelled_is_flagged(make_event, territory):
    event = make_event(
        "Rendez-vous prévention",
        start=local(2027, 1, 18, 14),
        hours=2,
        rrule="FREQ=MONTHLY;BYDAY=MO;BYSETPOS=3;UNTIL=20271231T235959",
    )
    april = utc_for_local(date(2027, 4, 19), 14)
    november = utc_for_local(date(2027, 11, 15), 14)
    moved_to = utc_for_local(date(2027, 4, 21), 10)
    event.overrides.append(
        OccurrenceOverride(
            recurrence_start=april, start_at=moved_to, end_at=moved_to + timedelta(hours=3)
        )
    )
    event.overrides.append(
        OccurrenceOverride(
            recurrence_start=november,
            start_at=november,
            end_at=november + timedelta(hours=2),
            cancelled=True,
        )
    )
    db.session.commit()
    found = occurrences(event)
    assert len(found) == 12
    moved = [o for o in found if o.recurrence_start == april]
    assert len(moved) == 1
    assert moved[0].start == moved_to and moved[0].end == moved_to + timedelta(hours=3)
    assert moved_to not in {o.start for o in found if o.recurrence_start != april}
    assert [o.recurrence_start for o in found if o.cancelled] == [november]
    # The agenda index follows: 12 rows, the moved one at its new time, the cancelled one flagged.
    rows = db.session.scalars(
        select(EventOccurrence)
        .where(EventOccurrence.event_id == event.id)
        .order_by(EventOccurrence.start_at)
    ).all()
    assert len(rows) == 12
    assert moved_to in [r.start_at for r in rows]
    assert april not in [r.start_at for r in rows]
    assert [r.start_at for r in rows if r.cancelled] == [november]


def test_window_limits_occurrences(make_event):
    event = make_event(
        "Mensuel",
        start=local(2027, 1, 18, 14),
        rrule="FREQ=MONTHLY;BYDAY=MO;BYSETPOS=3;UNTIL=20271231T235959",
    )
    found = occurrences(event, datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC))
    assert [o.start.date() for o in found] == third_mondays_2027()[2:5]


def test_plain_event_has_one_occurrence(make_event):
    event = make_event("Unique", start=local(2027, 3, 28, 14))
    found = occurrences(event)
    assert [(o.start, o.end) for o in found] == [(event.start_at, event.end_at)]


def test_recurring_event_lists_each_date_on_one_entry(client, make_event):
    """Every date is listed and counted; the dates on one page share one entry (one title)."""
    event = make_event(
        "Rendez-vous de la Prévention Etterbeek",
        start=local(2027, 1, 18, 14),
        hours=2,
        commune="etterbeek",
        bassins=("sud-est",),
        kind="rdv-prevention",
        rrule="FREQ=MONTHLY;BYDAY=MO;BYSETPOS=3;UNTIL=20271231T235959",
        exdates=["2027-08-16"],
    )
    html = client.get("/?from=2027-01-01&to=2027-12-31").get_data(as_text=True)
    assert html.count("Rendez-vous de la Prévention Etterbeek") == 1
    assert "Puis 10 autres dates" in html
    assert "11 activités" in html
    for day in third_mondays_2027():
        stamp = f'datetime="{day.isoformat()}T14:00+0{brussels_offset_hours(day)}:00"'
        assert (stamp in html) == (day.month != 8), day
    # Filters apply to each date.
    html = client.get("/?from=2027-03-01&to=2027-04-30&commune=etterbeek").get_data(as_text=True)
    assert html.count("Rendez-vous de la Prévention Etterbeek") == 1
    assert "2 activités" in html and "Puis 1 autre date" in html
    html = client.get("/bassins/sud-est/?from=2027-10-01&to=2027-11-30").get_data(as_text=True)
    assert 'datetime="2027-10-18T14:00+02:00"' in html
    assert 'datetime="2027-11-15T14:00+01:00"' in html
    assert event.id


def test_spring_forward_gap_gives_one_occurrence_not_two(make_event):
    # 00:30, 01:30, 02:30 (does not exist on 28 March 2027) and 03:30 local: 02:30 lands on
    # the instant of 03:30. Saving two rows for it broke the unique index (IntegrityError).
    event = make_event(
        "Horaire", start=local(2027, 3, 28, 0, 30), hours=0.5, rrule="FREQ=HOURLY;COUNT=4"
    )
    starts = [o.start.astimezone(UTC) for o in occurrences(event)]
    assert starts == [
        datetime(2027, 3, 27, 23, 30, tzinfo=UTC),
        datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    ]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(EventOccurrence)
            .where(EventOccurrence.event_id == event.id)
        )
        == 3
    )


def test_event_page_lists_dates_with_cancelled_and_moved_ones(client, make_event):
    from tests.factories import venue

    now = datetime.now(UTC)
    first_day = (now + timedelta(days=3)).date()
    event = make_event(
        "Permanence hebdomadaire",
        start=local(first_day.year, first_day.month, first_day.day, 14),
        hours=2,
        commune="etterbeek",
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    dates = [o.recurrence_start for o in occurrences(event)]
    elsewhere = venue("Maison médicale du coin", "auderghem", "Rue des Champs 12")
    db.session.flush()
    event.overrides.append(
        OccurrenceOverride(
            recurrence_start=dates[1],
            start_at=dates[1],
            end_at=dates[1] + timedelta(hours=2),
            cancelled=True,
        )
    )
    event.overrides.append(
        OccurrenceOverride(
            recurrence_start=dates[2],
            start_at=dates[2],
            end_at=dates[2] + timedelta(hours=2),
            venue_id=elsewhere.id,
        )
    )
    db.session.commit()
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Rendez-vous récurrent" in html
    assert html.count('<li class="is-cancelled">') == 1
    assert "Maison médicale du coin, Auderghem" in html
    assert html.count("<time datetime=") == 4
    # In the list: four dates on one entry, the cancelled one said so; the moved one in its
    # commune.
    html = client.get("/").get_data(as_text=True)
    assert html.count("Permanence hebdomadaire") == 1
    assert "4 activités" in html and "Puis 3 autres dates" in html
    assert html.count("(annulée)") == 1
    html = client.get("/?commune=auderghem").get_data(as_text=True)
    assert html.count("Permanence hebdomadaire") == 1


def test_event_page_of_a_finished_rule(client, make_event):
    event = make_event("Cycle terminé", start=local(2025, 1, 6, 14), rrule="FREQ=WEEKLY;COUNT=3")
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Aucune date à venir." in html
    html = client.get("/archive/?from=2025-01-01&to=2025-01-31").get_data(as_text=True)
    assert html.count("Cycle terminé") == 1
    assert "3 activités" in html and "Et 2 dates plus tôt" in html
