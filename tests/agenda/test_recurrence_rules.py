"""The editor's shapes to RRULE/RDATE and back (agenda/repetition.py), the plan of a series and
its refusals, and chosen dates (RDATE) through the occurrences and the feed writer."""

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories import local
from webapp.agenda.occurrences import occurrences
from webapp.agenda.repetition import (
    Frequency,
    Repetition,
    RepetitionRefused,
    build_rrule,
    carried_over,
    parse_rrule,
    plan,
    preview,
    repetition_of,
    rule_start_on,
)
from webapp.feeds.entries import event_entries
from webapp.feeds.ical import calendar_text

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)

SHAPES = [
    Repetition(),
    Repetition(Frequency.WEEKLY, weekdays=(3,)),
    Repetition(Frequency.WEEKLY, interval=2, weekdays=(0, 3), until=date(2027, 6, 30)),
    Repetition(Frequency.WEEKLY, weekdays=(0, 1, 2, 3, 4, 5, 6), count=10),
    Repetition(Frequency.MONTHLY, ordinal=2, weekday=1, until=date(2027, 12, 31)),
    Repetition(Frequency.MONTHLY, ordinal=-1, weekday=4),
    Repetition(Frequency.MONTHLY, interval=3, ordinal=1, weekday=0, count=4),
    Repetition(Frequency.MONTHLY, interval=12, ordinal=4, weekday=6),
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: build_rrule(s) or "none")
def test_every_rule_shape_comes_back_from_its_rrule(shape):
    assert parse_rrule(build_rrule(shape)) == shape


def test_the_rules_are_written_as_rfc_5545_says():
    assert build_rrule(SHAPES[4]) == "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271231T235959Z"
    assert build_rrule(SHAPES[2]) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630T235959Z"
    assert build_rrule(SHAPES[5]) == "FREQ=MONTHLY;BYDAY=-1FR"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=3", Repetition(Frequency.MONTHLY, 1, (), 3, 0)),
        ("freq=weekly;byday=we", Repetition(Frequency.WEEKLY, weekdays=(2,))),
        ("FREQ=YEARLY;BYMONTH=3", None),
        ("FREQ=MONTHLY;BYMONTHDAY=15", None),
        ("FREQ=MONTHLY;BYDAY=1MO,3MO", None),
        ("FREQ=MONTHLY;BYDAY=5MO", None),
        ("FREQ=WEEKLY;BYDAY=XX", None),
        ("FREQ=DAILY", None),
        ("nonsense", None),
    ],
)
def test_rules_said_otherwise_are_read_or_left_to_the_dates(rule, expected):
    assert parse_rrule(rule) == expected


def test_chosen_dates_come_back_from_the_event(make_event):
    event = make_event(start=local(2027, 2, 8, 9, 30), rdates=["2027-03-15", "2027-04-19"])
    assert repetition_of(event) == Repetition(
        Frequency.DATES, dates=(date(2027, 2, 8), date(2027, 3, 15), date(2027, 4, 19))
    )


def test_the_plan_moves_the_first_date_to_the_rules_first_and_keeps_the_hours(app):
    shape = Repetition(Frequency.MONTHLY, ordinal=2, weekday=1, until=date(2027, 12, 31))
    series = plan(shape, local(2027, 1, 4, 9, 30), local(2027, 1, 4, 12), NOW)
    assert series.start_at == local(2027, 1, 12, 9, 30)
    assert series.end_at == local(2027, 1, 12, 12)
    assert series.rdates is None
    second_tuesdays = [
        date(2027, m, [w[1] for w in calendar.monthcalendar(2027, m) if w[1]][1])
        for m in range(1, 13)
    ]
    assert [s.astimezone(local(2027, 1, 1).tzinfo) for s in preview(series, now=NOW)] == [
        local(d.year, d.month, d.day, 9, 30) for d in second_tuesdays
    ]
    skipped = {date(2027, 8, 10)}
    assert local(2027, 8, 10, 9, 30) not in preview(series, skipped, now=NOW)


def test_chosen_dates_plan_starts_on_the_earliest(app):
    shape = Repetition(Frequency.DATES, dates=(date(2027, 5, 3), date(2027, 2, 1)))
    series = plan(shape, local(2027, 1, 4, 14), local(2027, 1, 4, 16), NOW)
    assert (series.start_at, series.rrule, series.rdates) == (
        local(2027, 2, 1, 14),
        None,
        ["2027-05-03"],
    )


@pytest.mark.parametrize(
    ("shape", "field", "reason"),
    [
        (
            Repetition(Frequency.WEEKLY, interval=13, weekdays=(1,)),
            "interval",
            "interval-out-of-range",
        ),
        (
            Repetition(Frequency.WEEKLY, interval=0, weekdays=(1,)),
            "interval",
            "interval-out-of-range",
        ),
        (Repetition(Frequency.WEEKLY), "weekdays", "weekday-required"),
        (Repetition(Frequency.MONTHLY, ordinal=5, weekday=1), "ordinal", "ordinal-required"),
        (
            Repetition(Frequency.MONTHLY, ordinal=2, weekday=1, until=date(2027, 1, 10)),
            "until",
            "until-before-first",
        ),
        (
            Repetition(Frequency.WEEKLY, weekdays=(1,), until=date(2027, 1, 5), count=3),
            "count",
            "until-and-count",
        ),
        (Repetition(Frequency.WEEKLY, weekdays=tuple(range(7))), "until", "too-many-dates"),
        (Repetition(Frequency.WEEKLY, weekdays=(1,), count=401), "count", "too-many-dates"),
        (Repetition(Frequency.DATES), "dates", "dates-required"),
    ],
)
def test_the_plan_refuses_with_the_field_and_a_reason(app, shape, field, reason):
    with pytest.raises(RepetitionRefused) as refused:
        plan(shape, local(2027, 1, 4, 9, 30), local(2027, 1, 4, 12), NOW)
    assert (refused.value.field, refused.value.reason) == (field, reason)


def test_the_plan_refuses_a_time_the_clocks_skip(app):
    # 02:30 every Sunday: on 28 March 2027 the clocks go from 02:00 to 03:00.
    shape = Repetition(Frequency.WEEKLY, weekdays=(6,), until=date(2027, 4, 30))
    with pytest.raises(RepetitionRefused) as refused:
        plan(shape, local(2027, 3, 7, 2, 30), local(2027, 3, 7, 3, 30), NOW)
    assert refused.value.reason == "hour-skipped"


def test_chosen_dates_are_occurrences_skipped_like_the_others(make_event):
    event = make_event(
        start=local(2027, 2, 8, 9, 30),
        end_at=local(2027, 2, 8, 12),
        rdates=["2027-03-15", "2027-04-19"],
        exdates=["2027-03-15"],
    )
    starts = [o.start for o in occurrences(event)]
    assert starts == [local(2027, 2, 8, 9, 30), local(2027, 4, 19, 9, 30)]
    assert [o.end - o.start for o in occurrences(event)] == [timedelta(hours=2, minutes=30)] * 2
    assert rule_start_on(event, date(2027, 4, 19)) == local(2027, 4, 19, 9, 30)
    assert rule_start_on(event, date(2027, 4, 20)) is None


def test_chosen_dates_are_written_as_rdate(app, make_event):
    event = make_event(start=local(2027, 2, 8, 9, 30), rdates=["2027-04-19"])
    with app.test_request_context():
        text = calendar_text([event], language="fr")
    assert b"RDATE;TZID=Europe/Brussels:20270419T093000" in text
    assert len(event_entries(event, "fr")) == 1


def test_skipped_and_changed_dates_of_another_rule_are_dropped(app):
    old_starts = [local(2027, 3, 9, 9, 30), local(2027, 3, 10, 9, 30)]
    shape = Repetition(Frequency.MONTHLY, ordinal=2, weekday=1)  # 9 March is a second Tuesday
    series = plan(shape, local(2027, 1, 4, 9, 30), local(2027, 1, 4, 12), NOW)
    exdates, starts = carried_over(series, ["2027-08-10", "2027-08-11"], old_starts)
    assert exdates == ["2027-08-10"]
    assert starts == [local(2027, 3, 9, 9, 30)]
    assert carried_over(plan(Repetition(), local(2027, 1, 4), local(2027, 1, 5)), ["x"], []) == (
        [],
        [],
    )
