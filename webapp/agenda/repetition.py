"""A repeating event as its editor offers it, to and from what the event stores.

The shapes: no repetition; every week (some weekdays, every n weeks); the n-th weekday of
the month (1st to 4th, or the last; every n months); chosen dates. A rule (RFC 5545 RRULE)
holds the first two, RDATE values (`Event.rdates`, local dates after the first) the last.
A rule ends on a date (UNTIL, written as the house writes it: 23:59:59 of that day), after a
number of dates (COUNT), or not at all (the agenda's horizon applies).

`plan` checks a repetition against the event's first date and says what to store; it never
touches the database. No HTTP here: the back office's form builds `Repetition`s.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import islice

from dateutil.rrule import rrulestr

from webapp.agenda.occurrences import OPEN_RULE_HORIZON, rule_starts, skipped_dates
from webapp.timezones import exists_locally, to_local, to_utc, utcnow

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = (1, 2, 3, 4, -1)
MAX_INTERVAL = 12
# More dates than a year of weekly meetings on every weekday, fewer than a mistake makes.
MAX_DATES = 400
PREVIEW_SIZE = 12


class Frequency(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    DATES = "dates"


@dataclass(frozen=True)
class Repetition:
    """What the editor's form says. Weekdays count from 0 (Monday)."""

    frequency: Frequency = Frequency.NONE
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # weekly
    ordinal: int | None = None  # monthly: 1..4, or -1 for the last
    weekday: int | None = None  # monthly
    until: date | None = None  # the last day the rule may give
    count: int | None = None  # or the number of dates it gives
    dates: tuple[date, ...] = ()  # chosen dates, in order


class RepetitionRefused(Exception):
    """The repetition cannot be saved: `field` is the form's field, `reason` a stable code."""

    def __init__(self, field, reason):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class SeriesPlan:
    """What to store for a repetition: the first date's times, the rule, the RDATE values."""

    start_at: datetime  # UTC
    end_at: datetime  # UTC
    rrule: str | None
    rdates: list[str] | None


def build_rrule(repetition):
    """The RRULE of a weekly or monthly repetition; None for the other shapes."""
    if repetition.frequency not in (Frequency.WEEKLY, Frequency.MONTHLY):
        return None
    parts = [f"FREQ={repetition.frequency.upper()}"]
    if repetition.interval != 1:
        parts.append(f"INTERVAL={repetition.interval}")
    if repetition.frequency == Frequency.WEEKLY:
        parts.append("BYDAY=" + ",".join(WEEKDAY_CODES[d] for d in sorted(repetition.weekdays)))
    else:
        parts.append(f"BYDAY={repetition.ordinal}{WEEKDAY_CODES[repetition.weekday]}")
    if repetition.until is not None:
        parts.append(f"UNTIL={repetition.until:%Y%m%d}T235959Z")
    if repetition.count is not None:
        parts.append(f"COUNT={repetition.count}")
    return ";".join(parts)


def parse_rrule(rule):
    """The repetition an RRULE says, or None when the editor cannot show it (a yearly rule,
    several weekdays of the month...: imported rules may say more than the form)."""
    if not rule:
        return Repetition()
    try:
        parts = dict(p.split("=", 1) for p in rule.upper().removeprefix("RRULE:").split(";"))
        frequency = {"WEEKLY": Frequency.WEEKLY, "MONTHLY": Frequency.MONTHLY}[parts.pop("FREQ")]
        interval = int(parts.pop("INTERVAL", "1"))
        until = parts.pop("UNTIL", None)
        until = date(int(until[:4]), int(until[4:6]), int(until[6:8])) if until else None
        count = int(parts.pop("COUNT")) if "COUNT" in parts else None
        days = parts.pop("BYDAY").split(",")
        position = parts.pop("BYSETPOS", None)
        if parts.pop("WKST", "MO") != "MO" or parts:
            return None
        if frequency == Frequency.WEEKLY:
            weekdays = tuple(sorted(WEEKDAY_CODES.index(d) for d in days))
            if position is not None or len(set(weekdays)) != len(weekdays):
                return None
            return Repetition(frequency, interval, weekdays=weekdays, until=until, count=count)
        (day,) = days
        ordinal = int(position if position is not None else day[:-2])
        if position is not None and day[:-2]:
            return None
        weekday = WEEKDAY_CODES.index(day[-2:])
    except (KeyError, ValueError, IndexError):
        return None
    if ordinal not in ORDINALS:
        return None
    return Repetition(
        frequency, interval, ordinal=ordinal, weekday=weekday, until=until, count=count
    )


def repetition_of(event):
    """The repetition an event's rule and RDATE values say (None: not a shape of the form)."""
    if event.rdates:
        if event.rrule:
            return None
        first = to_local(event.start_at).date()
        dates = {first} | {date.fromisoformat(str(d)[:10]) for d in event.rdates}
        return Repetition(Frequency.DATES, dates=tuple(sorted(dates)))
    return parse_rrule(event.rrule)


def plan(repetition, start_at, end_at, now=None):
    """What an event starting at `start_at` (its times: those of every date) stores for this
    repetition; the first date moves to the first one it gives. RepetitionRefused if not."""
    _check_shape(repetition)
    local_start, local_end = to_local(start_at), to_local(end_at)
    clock = local_start.replace(tzinfo=None)
    days_long = (local_end.date() - local_start.date()).days
    if repetition.frequency == Frequency.NONE:
        return SeriesPlan(start_at, end_at, None, None)
    if repetition.frequency == Frequency.DATES:
        days = sorted(set(repetition.dates))
        rule, extra = None, [d.isoformat() for d in days[1:]] or None
        first_day = days[0]
    else:
        rule, extra = build_rrule(repetition), None
        found = next(iter(_naive_starts(rule, clock, None)), None)
        if found is None or (repetition.until and found.date() > repetition.until):
            raise RepetitionRefused("until", "until-before-first")
        first_day = found.date()
        if repetition.until is not None and repetition.until <= first_day:
            raise RepetitionRefused("until", "until-before-first")
    first = datetime.combine(first_day, clock.time())
    last = datetime.combine(first_day + timedelta(days=days_long), local_end.time())
    new_start, new_end = to_utc(first), to_utc(last)
    if repetition.frequency == Frequency.DATES:
        _check_dates(days, clock)
    else:
        _check_rule_dates(rule, first, max(now or utcnow(), new_start) + OPEN_RULE_HORIZON)
    return SeriesPlan(new_start, new_end, rule, extra)


def preview(series_plan, skipped=(), now=None, size=PREVIEW_SIZE):
    """The next `size` starts (UTC) a plan gives from now, without the skipped local dates."""
    now = now or utcnow()
    if series_plan.rrule is None and not series_plan.rdates:
        return [series_plan.start_at] if series_plan.end_at > now else []
    duration = series_plan.end_at - series_plan.start_at
    horizon = max(now, series_plan.start_at) + OPEN_RULE_HORIZON
    for value in series_plan.rdates or ():
        horizon = max(horizon, to_utc(datetime.fromisoformat(value)) + timedelta(days=1))
    starts = (
        start
        for start in rule_starts(
            series_plan.rrule, series_plan.start_at, horizon, series_plan.rdates or ()
        )
        if start + duration > now and to_local(start).date() not in skipped
    )
    return list(islice(starts, size))


def _check_shape(repetition):
    if repetition.frequency in (Frequency.WEEKLY, Frequency.MONTHLY):
        if not 1 <= repetition.interval <= MAX_INTERVAL:
            raise RepetitionRefused("interval", "interval-out-of-range")
        if repetition.until is not None and repetition.count is not None:
            raise RepetitionRefused("count", "until-and-count")
        if repetition.count is not None and not 1 <= repetition.count <= MAX_DATES:
            raise RepetitionRefused("count", "too-many-dates")
    if repetition.frequency == Frequency.WEEKLY:
        if not repetition.weekdays or not set(repetition.weekdays) <= set(range(7)):
            raise RepetitionRefused("weekdays", "weekday-required")
    elif repetition.frequency == Frequency.MONTHLY:
        if repetition.ordinal not in ORDINALS:
            raise RepetitionRefused("ordinal", "ordinal-required")
        if repetition.weekday not in range(7):
            raise RepetitionRefused("weekday", "weekday-required")
    elif repetition.frequency == Frequency.DATES:
        if not repetition.dates:
            raise RepetitionRefused("dates", "dates-required")
        if len(set(repetition.dates)) > MAX_DATES:
            raise RepetitionRefused("dates", "too-many-dates")


def _naive_starts(rule, first, until):
    """The local (naive) starts of a rule from `first`, as dateutil gives them."""
    starts = rrulestr(rule, dtstart=first, ignoretz=True)
    return starts if until is None else starts.between(first, until, inc=True)


def _check_rule_dates(rule, first, horizon):
    """At most MAX_DATES dates up to the horizon, each at a time that exists locally."""
    local_horizon = to_local(horizon).replace(tzinfo=None)
    starts = islice(_naive_starts(rule, first, None), MAX_DATES + 1)
    within = [s for s in starts if s <= local_horizon]
    if len(within) > MAX_DATES:
        raise RepetitionRefused("until", "too-many-dates")
    if not all(exists_locally(s) for s in within):
        raise RepetitionRefused("frequency", "hour-skipped")


def _check_dates(days, clock):
    for day in days:
        if not exists_locally(datetime.combine(day, clock.time())):
            raise RepetitionRefused("dates", "hour-skipped")


@dataclass(frozen=True)
class SeriesDate:
    """One date the event's rule gives: skipped, changed (its override) or as the rule says."""

    day: date  # local
    rule_start: datetime  # UTC: the RECURRENCE-ID
    end: datetime  # UTC, as the rule gives it
    skipped: bool
    override: object | None


def series_dates(event, since, size=24):
    """The next `size` dates the event's rule and RDATE values give, ending after `since`."""
    if not event.is_recurring:
        return []
    duration = event.end_at - event.start_at
    skipped = skipped_dates(event)
    overrides = {o.recurrence_start: o for o in event.overrides}
    horizon = max(since, event.start_at) + OPEN_RULE_HORIZON
    for value in event.rdates or ():
        horizon = max(horizon, to_utc(datetime.fromisoformat(str(value)[:10])) + timedelta(days=1))
    found = []
    for start in rule_starts(event.rrule, event.start_at, horizon, event.rdates):
        if start + duration <= since:
            continue
        day = to_local(start).date()
        found.append(SeriesDate(day, start, start + duration, day in skipped, overrides.get(start)))
        if len(found) == size:
            break
    return found


def rule_start_on(event, day):
    """The start (UTC) the event's rule gives on a local date, or None if it gives none."""
    if not event.is_recurring:
        return None
    until = to_utc(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    for start in rule_starts(event.rrule, event.start_at, until, event.rdates):
        if to_local(start).date() == day:
            return start
    return None


def carried_over(series_plan, exdates, override_starts):
    """The skipped dates and the overrides' starts that are still dates of the new plan."""
    if series_plan.rrule is None and not series_plan.rdates:
        return [], []
    days = {date.fromisoformat(str(d)[:10]) for d in exdates or ()}
    wanted = [to_utc(datetime.combine(d, datetime.min.time())) for d in days]
    wanted += list(override_starts)
    if not wanted:
        return [], []
    horizon = max(wanted) + timedelta(days=1)
    starts = set(
        rule_starts(series_plan.rrule, series_plan.start_at, horizon, series_plan.rdates or ())
    )
    given_days = {to_local(s).date() for s in starts}
    return (
        sorted(d.isoformat() for d in days if d in given_days),
        [s for s in override_starts if s in starts],
    )
