"""The dates of an event: one for a plain event, each date of its rule for a repeating one."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dateutil.rrule import rruleset, rrulestr

from webapp.agenda.models import PUBLIC_STATUSES
from webapp.timezones import app_zone, to_local, utcnow

# How far ahead an open-ended rule (no UNTIL, no COUNT) is listed in the agenda.
OPEN_RULE_HORIZON = timedelta(days=2 * 366)


@dataclass(frozen=True)
class Occurrence:
    recurrence_start: datetime  # what the rule gives, UTC: the RECURRENCE-ID
    start: datetime  # UTC
    end: datetime  # UTC
    venue_id: int | None
    cancelled: bool = False
    override: object | None = None


def rule_starts(rule: str | None, first_start: datetime, until: datetime, rdates=()):
    """Start times (UTC) that an RRULE and RDATE values give from first_start up to until.

    The rule runs on local wall-clock time, so a 13:00 meeting stays at 13:00 across
    the daylight-saving changes. RDATE values are local dates, at the first start's time;
    without a rule the first start is a date too (RFC 5545: DTSTART is always one).
    """
    local_first = to_local(first_start)
    naive_first = local_first.replace(tzinfo=None)
    local_until = to_local(until).replace(tzinfo=None)
    zone = app_zone()
    if rule:
        rule_set = rrulestr(rule, dtstart=naive_first, forceset=True, ignoretz=True)
    else:
        rule_set = rruleset()
        rule_set.rdate(naive_first)
    for value in rdates or ():
        rule_set.rdate(datetime.combine(date.fromisoformat(str(value)[:10]), naive_first.time()))
    seen = set()
    for naive in rule_set.between(naive_first, local_until, inc=True):
        start = naive.replace(tzinfo=zone).astimezone(first_start.tzinfo)
        # A wall-clock time in the spring-forward gap lands on the same instant as the hour
        # after it: one occurrence, not two.
        # (Compared in UTC: two datetimes of the same zone compare by their wall-clock time.)
        instant = start.astimezone(UTC)
        if instant not in seen:
            seen.add(instant)
            yield start


def skipped_dates(event) -> set[date]:
    """The local dates an event's EXDATE list skips."""
    result = set()
    for value in event.exdates or ():
        result.add(date.fromisoformat(str(value)[:10]))
    return result


def occurrences(event, start: datetime | None = None, end: datetime | None = None):
    """The occurrences of an event that overlap [start, end), in order of start.

    Skipped dates are left out; overridden dates come with their new time and venue
    (and cancelled ones stay, flagged, so pages and feeds can say so).
    """
    duration = event.end_at - event.start_at
    if not event.rrule and not event.rdates:
        found = [Occurrence(event.start_at, event.start_at, event.end_at, event.venue_id)]
    else:
        horizon = end or _horizon(event)
        overrides = {o.recurrence_start: o for o in event.overrides}
        skipped = skipped_dates(event)
        found = []
        for rule_start in rule_starts(event.rrule, event.start_at, horizon, event.rdates):
            if to_local(rule_start).date() in skipped:
                continue
            override = overrides.get(rule_start)
            if override is None:
                found.append(
                    Occurrence(rule_start, rule_start, rule_start + duration, event.venue_id)
                )
            else:
                found.append(
                    Occurrence(
                        rule_start,
                        override.start_at,
                        override.end_at,
                        override.venue_id or event.venue_id,
                        override.cancelled,
                        override,
                    )
                )
    return sorted(
        (o for o in found if (start is None or o.end > start) and (end is None or o.start < end)),
        key=lambda o: o.start,
    )


def _horizon(event):
    """How far ahead an event's dates are listed: the open rule's horizon, or its last RDATE."""
    horizon = max(utcnow(), event.start_at) + OPEN_RULE_HORIZON
    for value in event.rdates or ():
        day = date.fromisoformat(str(value)[:10]) + timedelta(days=1)
        horizon = max(horizon, datetime.combine(day, datetime.min.time(), tzinfo=UTC))
    return horizon


def occurrence_rows(event):
    """The agenda index rows (EventOccurrence columns) of one event."""
    return [
        {
            "event_id": event.id,
            "recurrence_start": o.recurrence_start,
            "start_at": o.start,
            "end_at": o.end,
            "venue_id": o.venue_id,
            "cancelled": o.cancelled,
            "listed": event.status in PUBLIC_STATUSES,
            "kind": event.kind,
            "audience": event.audience,
            "series_id": event.series_id,
        }
        for o in occurrences(event)
    ]
