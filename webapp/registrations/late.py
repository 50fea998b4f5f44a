"""People added to a meeting after it took place, from a paper sheet: the record of who came
is corrected, at any time after the meeting (the check-in's taps stop after 7 days).

Each person is a registration of the walk-in kind (confirmed, no place taken, see
attendance.add_walk_in), present or not as ticked, with an address when the sheet gives one:
they count in the figures as the people checked in at the door do, and the evaluation job
invites those present with an address like the others (evaluations.invitations.recipients).
Several people at once, all or none; nobody is mailed here.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.agenda.models import Event
from webapp.agenda.occurrences import occurrences
from webapp.agenda.states import EventStatus
from webapp.extensions import db
from webapp.registrations import rules
from webapp.registrations.attendance import walk_in
from webapp.registrations.models import Registration
from webapp.registrations.rules import RegistrationRefused
from webapp.timezones import to_local, utcnow


@dataclass(frozen=True)
class LatePerson:
    first_name: str
    last_name: str
    email: str | None = None
    organisation: str | None = None
    sector: str | None = None
    language: str = "fr"
    present: bool = True


class LateRefused(RegistrationRefused):
    """A refusal naming the rows it is about (0-based), for the form to mark them."""

    def __init__(self, reason, rows=()):
        super().__init__(reason)
        self.rows = tuple(rows)


def past_dates(event, now=None):
    """The local dates of the event's meetings that have begun, latest first: the dates
    people may be added to."""
    now = now or utcnow()
    return sorted(
        {
            to_local(o.start).date()
            for o in occurrences(event, end=now)
            if not o.cancelled and o.start <= now
        },
        reverse=True,
    )


def add_after_meeting(event_id, on_date, people, actor, now=None):
    """Add these people (LatePerson) to the meeting of that date, which has begun. Returns
    the registrations made. Refusals: "cancelled" (the event), "not-yet" (the date has not
    begun or is none of the event's), "already-registered" (an address already on the
    event, or twice in the list: `rows` says which)."""
    now = now or utcnow()
    rules.lock_event(event_id)
    event = db.session.get(Event, event_id)
    if event is None:
        raise LateRefused("not-found")
    if event.status == EventStatus.CANCELLED:
        raise LateRefused("cancelled")
    if on_date not in past_dates(event, now):
        raise LateRefused("not-yet")
    _refuse_known_addresses(event_id, people)
    made = []
    for person in people:
        registration = walk_in(
            event,
            on_date,
            now,
            present=person.present,
            actor=actor,
            noted={"after_meeting": True},
            language=person.language,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            organisation=person.organisation,
            sector=person.sector,
        )
        made.append(registration)
    db.session.flush()
    return made


def _refuse_known_addresses(event_id, people):
    typed = [(n, p.email.lower()) for n, p in enumerate(people) if p.email]
    seen, twice = {}, []
    for n, email in typed:
        if email in seen:
            twice += [seen[email], n]
        seen.setdefault(email, n)
    known = set(
        db.session.scalars(
            select(func.lower(Registration.email)).where(
                Registration.event_id == event_id,
                func.lower(Registration.email).in_([email for _n, email in typed] or [""]),
            )
        )
    )
    rows = sorted(set(twice) | {n for n, email in typed if email in known})
    if rows:
        raise LateRefused("already-registered", rows)
