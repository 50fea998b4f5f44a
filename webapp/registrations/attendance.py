"""Attendance at the door: who came to which date of an event, and the walk-ins.

A tap says "this person was present (or not) at time T", never "toggle": the same tap sent
twice (a phone replaying its queue after the Wi-Fi came back) counts once, and a tap older
than the one recorded changes nothing. `Registration.attended` follows the check-ins (true
once the person was present at a date), for reports and statistics.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from webapp import audit
from webapp.agenda.models import Event
from webapp.agenda.occurrences import occurrences
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.registrations import rules
from webapp.registrations.models import CheckIn, Registration
from webapp.registrations.rules import RegistrationRefused
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import to_local, utcnow

# How late a phone may send a tap it kept while offline.
OLDEST_TAP = timedelta(days=30)
# Taps are taken for a date from that day on (people come in before the start) until a week
# after it; never for a date to come, nor for one long past (no rewriting of old registers).
CHECK_IN_DAYS = 7
# A phone's clock may be this far ahead of the server's; a tap dated later is refused.
CLOCK_SKEW = timedelta(minutes=1)


def event_dates(event):
    """The local dates of the event's meetings (not the cancelled ones), in order."""
    return [to_local(o.start).date() for o in occurrences(event) if not o.cancelled]


def meeting_over(event, on_date, now=None):
    """Whether the meeting of that local date has ended: until then, those not checked in
    are "not yet arrived", never absent."""
    now = now or utcnow()
    ends = [o.end for o in occurrences(event) if to_local(o.start).date() == on_date]
    return bool(ends) and max(ends) <= now


def tap_time(sent, now=None):
    """The time a tap was made: what the phone says, at most 30 days old; None (refused)
    when it is dated in the future (beyond a minute of clock skew, taken as now)."""
    now = now or utcnow()
    if sent is None:
        return now
    if sent.tzinfo is None or sent < now - OLDEST_TAP or sent > now + CLOCK_SKEW:
        return None
    return min(sent, now)


def check_in_open(on_date, now=None):
    """Whether taps are taken for that date: it has begun (local time) and is at most
    CHECK_IN_DAYS old."""
    today = to_local(now or utcnow()).date()
    return today - timedelta(days=CHECK_IN_DAYS) <= on_date <= today


def _refuse_closed(on_date):
    if not check_in_open(on_date):
        raise RegistrationRefused("check-in-closed")


def set_presence(event_id, registration_id, on_date, present, tapped_at, actor):
    """Record that the person was (or was not) present at that date, as tapped at
    `tapped_at`. Returns True when it changed something (one audit line), False otherwise.
    Raises RegistrationRefused ("check-in-closed", "not-found", "not-confirmed")."""
    _refuse_closed(on_date)
    rules.lock_event(event_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id:
        raise RegistrationRefused("not-found")
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationRefused("not-confirmed")
    check_in = db.session.scalar(
        select(CheckIn).where(
            CheckIn.registration_id == registration_id, CheckIn.on_date == on_date
        )
    )
    if check_in is not None and (check_in.present == present or check_in.tapped_at >= tapped_at):
        return False
    if check_in is None:
        check_in = CheckIn(event_id=event_id, registration_id=registration_id, on_date=on_date)
        db.session.add(check_in)
    check_in.present = present
    check_in.tapped_at = tapped_at
    check_in.recorded_at = utcnow()
    db.session.flush()
    registration.attended = _attended(registration_id)
    audit.record(
        actor,
        AuditAction.REGISTRATION_CHECKED_IN
        if present
        else AuditAction.REGISTRATION_CHECK_IN_UNDONE,
        "registration",
        registration_id,
        None,
        {"event_id": event_id, "date": on_date.isoformat(), "tapped_at": tapped_at},
    )
    db.session.flush()
    return True


def _attended(registration_id):
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .where(CheckIn.registration_id == registration_id, CheckIn.present.is_(True))
        )
    )


def walk_in(event, on_date, tapped_at, present, actor, noted, language=None, **person):
    """A registration of someone who came without registering (no place taken; an address
    only when given), with its check-in at that date and its audit line (`noted`: what the
    line adds): at the door or from a paper sheet."""
    registration = Registration(
        event=event,
        status=RegistrationStatus.CONFIRMED,
        walk_in=True,
        answers={},
        language=language or "fr",
        confirmed_at=tapped_at,
        attended=present,
        **{name: value or None for name, value in person.items()},
    )
    db.session.add(registration)
    db.session.flush()
    db.session.add(
        CheckIn(
            event_id=event.id,
            registration_id=registration.id,
            on_date=on_date,
            present=present,
            tapped_at=tapped_at,
        )
    )
    audit.record(
        actor,
        AuditAction.REGISTRATION_WALK_IN_ADDED,
        "registration",
        registration.id,
        None,
        {"event_id": event.id, "date": on_date.isoformat(), **noted},
    )
    return registration


def add_walk_in(event_id, on_date, person, tapped_at, actor):
    """Someone came without registering: a registration of its own kind (no address, no
    place taken), present at that date. `person`: first_name, last_name, organisation,
    sector. Raises RegistrationRefused("check-in-closed") outside the date's window."""
    _refuse_closed(on_date)
    rules.lock_event(event_id)
    event = db.session.get(Event, event_id)
    registration = walk_in(
        event,
        on_date,
        tapped_at,
        present=True,
        actor=actor,
        noted={"tapped_at": tapped_at},
        first_name=person.get("first_name"),
        last_name=person.get("last_name"),
        organisation=person.get("organisation"),
        sector=person.get("sector"),
    )
    db.session.flush()
    return registration


@dataclass
class Door:
    """The check-in list of one date: the people expected, the walk-ins, who is present."""

    expected: list
    walk_ins: list
    present: dict  # registration id -> CheckIn (present)

    @property
    def counts(self):
        registered = len(self.expected)
        came = sum(1 for r in self.expected if r.id in self.present)
        walk_ins = sum(1 for r in self.walk_ins if r.id in self.present)
        return {
            "registered": registered,
            "present": came,
            "walk_ins": walk_ins,
            "not_come": registered - came,
        }


def door(event_id, on_date: date):
    """Who is expected at that date (confirmed, by last name), the walk-ins of that date,
    and the check-ins that say present."""
    checks = db.session.scalars(
        select(CheckIn).where(CheckIn.event_id == event_id, CheckIn.on_date == on_date)
    ).all()
    dated = {c.registration_id for c in checks}
    confirmed = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Registration.id)
    ).all()
    return Door(
        expected=[r for r in confirmed if not r.walk_in],
        walk_ins=[r for r in confirmed if r.walk_in and r.id in dated],
        present={c.registration_id: c for c in checks if c.present},
    )
