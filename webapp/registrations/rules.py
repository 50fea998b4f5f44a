"""Register, cancel, promote, approve: operations with no HTTP inside, that never commit.

Each one checks, changes rows, queues the person's mail and flushes; the caller's unit of
work (webapp/unit_of_work.py) commits once, or rolls back everything, the mail included.
A refusal raises RegistrationRefused (a stable code) before anything is written.

Every change to the registrations of one event starts by taking that event's row lock
(`lock_event`), on PostgreSQL (row lock) and SQLite (the database write lock) alike, so
counting places, choosing the waitlist order and promoting are serialised per event.

The building blocks below the operations (locked, first_status, take_place, set_status,
retire) are public for the team's actions of staff.py, which compose them under the same lock.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from webapp import audit, capacity, waitlist
from webapp.addresses import normalise_email
from webapp.agenda.models import Event
from webapp.agenda.places import card_places
from webapp.agenda.public_state import PublicState, public_state
from webapp.agenda.states import EventStatus, PlaceMode, RegistrationMode
from webapp.audit_actions import AuditAction
from webapp.content_state import note_change
from webapp.extensions import db
from webapp.registrations import notifications
from webapp.registrations.inami import normalise_inami
from webapp.registrations.models import ACTIVE_STATUSES, AccommodationRequest, Registration
from webapp.registrations.states import AccommodationNeed, RegistrationStatus
from webapp.timezones import utcnow
from webapp.tokens import new_token


class RegistrationRefused(Exception):
    """The event does not take this registration now; `reason` is a stable code."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Outcome:
    registration: Registration
    created: bool


PERSON_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "organisation",
    "sector",
    "job_title",
    "commune",
    # Asked by an accredited event's form only (registrations/inami.py).
    "inami_number",
)


# An event's seats: places are not what calendars show, so counting them leaves the event's
# change time alone; nor do they move the content generation (see capacity.py): the event
# page keys on its own count, and `cards_follow` moves the generation when a card changes.
# Places on site and online are two pairs of columns of the event's row, each with its own
# waitlist; the one row lock (`lock_event`) serialises both.
SEATS = capacity.Places(Event, taken="confirmed_count", capacity="capacity", keep=("updated_at",))
ONLINE_SEATS = capacity.Places(
    Event, taken="online_confirmed_count", capacity="online_capacity", keep=("updated_at",)
)
PLACES = {PlaceMode.ONSITE: SEATS, PlaceMode.ONLINE: ONLINE_SEATS}
WAITLISTS = {
    mode: waitlist.Waitlist(
        Registration,
        parent="event_id",
        places=places,
        waiting=RegistrationStatus.WAITLISTED,
        confirmed=RegistrationStatus.CONFIRMED,
        cancelled=RegistrationStatus.CANCELLED,
        among=("mode", mode.value),
    )
    for mode, places in PLACES.items()
}
COUNTS = ["confirmed_count", "online_confirmed_count"]


def lock_event(event_id):
    """Take the event's row lock for the rest of the transaction."""
    capacity.lock(SEATS, event_id)


def place_mode_for(event, asked=None):
    """The place a registration takes: the one asked for among the event's ways to attend;
    an event with one way needs no choice. Refuses (`mode-required`) otherwise."""
    modes = event.place_modes
    if asked in modes:
        return PlaceMode(asked)
    if asked in (None, "") and len(modes) == 1:
        return modes[0]
    raise RegistrationRefused("mode-required")


@contextmanager
def cards_follow(event):
    """Move the content generation if the places taken inside change the event's card.

    Most registrations leave the card as it was ('Places disponibles'), and with it every
    cached list page; compared over the whole block, a cancellation that promotes someone
    changes nothing. Used under the event's lock, so before and after are this
    transaction's own.
    """
    before = card_places(event)
    yield
    if card_places(event) != before:
        note_change(db.session)


# The refusal code of each public state that takes no registration (agenda/public_state.py).
REFUSED_STATES = {
    PublicState.CANCELLED: "cancelled",
    PublicState.POSTPONED: "postponed",
    PublicState.NO_REGISTRATION: "no-registration",
    PublicState.PAST: "past",
    PublicState.NOT_YET_OPEN: "not-yet-open",
    PublicState.CLOSED: "closed",
    PublicState.FULL: "full",
}


def refusal_reason(event, now=None):
    """Why the event takes no registration now, or None when it does: its public state."""
    if event.status == EventStatus.DRAFT:
        return "not-published"
    return REFUSED_STATES.get(public_state(event, now).state)


# What staff adding a person by hand may pass over: the registration window, and the
# approval of a closed group (they are the ones who approve).
STAFF_MAY_PASS = frozenset({"closed", "not-yet-open"})


def register(
    event_id, person, answers=None, language="fr", now=None, by_staff=False, mode=None, needs=()
):
    """Register a person to an event: confirmed, waitlisted or pending.

    `mode`: the place asked for (PlaceMode) when the event is hybrid; `needs`: the
    accommodations asked for (AccommodationNeed values), for the team to answer.

    Registering again with the same email creates nothing and re-sends the personal link.
    Raises RegistrationRefused when the event does not take registrations (closed, full...).
    `by_staff`: an organiser adds the person (outside the window; confirmed or waitlisted,
    never pending; no link re-sent to someone already registered).
    """
    now = now or utcnow()
    email = normalise_email(person["email"])
    lock_event(event_id)
    event = db.session.get(Event, event_id, populate_existing=True)
    reason = refusal_reason(event, now) if event else "not-published"
    if reason and not (by_staff and reason in STAFF_MAY_PASS):
        raise RegistrationRefused(reason)
    place_mode = place_mode_for(event, mode)
    existing = db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.email == email)
    )
    if existing is not None and existing.is_active:
        if not by_staff:
            notifications.queue(existing, "already-registered")
        db.session.flush()
        return Outcome(existing, created=False)
    # A cancelled person comes back: a new row, so a new place at the end of the waitlist
    # (ids give the arrival order); the old row stays, anonymised, for the statistics.
    inherited = retire(existing, now) if existing is not None else {}
    registration = Registration(event=event, email=email, mode=place_mode, **inherited)
    for field in PERSON_FIELDS:
        if field != "email":
            setattr(registration, field, person.get(field) or None)
    # Asked, and kept, for an accredited training only; as its 11 digits.
    registration.inami_number = inami_of(event, person.get("inami_number"))
    registration.answers = answers or {}
    registration.language = language
    registration.consent_at = now
    registration.cancelled_at = None
    with cards_follow(event):
        status = first_status(event, approved=by_staff, mode=place_mode)
    if status is None:  # no place, no waitlist: the caller's unit of work undoes the rest
        raise RegistrationRefused("full")
    set_status(registration, status, now)
    db.session.add(registration)
    ask_accommodations(registration, needs)
    db.session.flush()
    if not by_staff:  # staff.add records its own line, with the account
        audit.record(
            audit.Actor.personal_link(registration.id),
            AuditAction.REGISTRATION_CREATED,
            "registration",
            registration.id,
            after={"event_id": event_id, "status": status},
        )
    notifications.queue(registration, f"registered-{status}")
    db.session.flush()
    return Outcome(registration, created=True)


def retire(cancelled, now):
    """Anonymise a cancelled row whose person comes back; its calendar links, to pass on.

    A calendar subscribed to from the first mail or page keeps answering, with the new
    registration: same event, same address. The old row gets fresh tokens nobody knows
    (the columns are unique), written before the new row takes the old ones.
    """
    inherited = {
        "calendar_token": cancelled.calendar_token,
        "mailbox_token": cancelled.mailbox_token,
    }
    cancelled.anonymise(now)
    cancelled.calendar_token, cancelled.mailbox_token = new_token(), new_token()
    db.session.flush()
    return inherited


def ask_accommodations(registration, needs):
    """Record what the person asked for to take part (each need once), for the team."""
    asked = {request.need for request in registration.accommodations}
    for need in AccommodationNeed:
        if need in needs and need not in asked:
            registration.accommodations.append(AccommodationRequest(need=need))


def first_status(event, approved=False, mode=PlaceMode.ONSITE):
    """The status a new registration gets, given the places left in its mode (under the
    event lock)."""
    if event.registration_mode == RegistrationMode.APPROVAL and not approved:
        return RegistrationStatus.PENDING
    if take_place(event, mode):
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED if event.waitlist_enabled else None


def take_place(event, mode=PlaceMode.ONSITE):
    """Count one more confirmed place of that mode if one is free; False when it is full."""
    taken = capacity.take(PLACES[PlaceMode(mode)], event.id)
    db.session.refresh(event, COUNTS)
    return taken


def set_status(registration, status, now):
    registration.status = status
    if status != RegistrationStatus.CANCELLED:
        registration.refused_at = None  # active again: no longer a refusal
    if status == RegistrationStatus.CONFIRMED:
        registration.confirmed_at = now
    if status == RegistrationStatus.CANCELLED:
        registration.cancelled_at = now


def waitlist_position(registration):
    """1 for the first person waiting for a place of their mode, or None when not waiting."""
    return waitlist.position(WAITLISTS[registration.place_mode], registration)


def cancel(registration_id, now=None, notify=True, actor=None):
    """Cancel a registration; a freed place goes to the first on the waitlist.

    Returns the registration promoted, if any. Cancelling twice changes nothing. `actor`:
    who cancels, when the audit line is this function's to write (the person's own link,
    an erasure; staff write their own).
    """
    now = now or utcnow()
    if db.session.get(Registration, registration_id) is None:
        return None
    registration = locked(registration_id)
    if not registration.is_active:
        return None
    was_confirmed = registration.holds_place  # a walk-in at the door held no place
    before = registration.status
    promoted = None
    if was_confirmed:
        event = db.session.get(Event, registration.event_id, populate_existing=True)
        line = WAITLISTS[registration.place_mode]
        with cards_follow(event):
            promoted = waitlist.leave(line, registration, now, event.start_at, True)
            db.session.refresh(event, COUNTS)
    else:
        waitlist.leave(WAITLISTS[registration.place_mode], registration, now, None, False)
    if actor is not None:
        audit.record(
            actor,
            AuditAction.REGISTRATION_CANCELLED,
            "registration",
            registration.id,
            before={"status": before},
            after={"status": RegistrationStatus.CANCELLED},
        )
    if notify:
        notifications.queue(registration, "cancelled")
    if promoted is not None:
        notifications.queue(promoted, "promoted")
        if actor is not None:
            audit.record(
                audit.SYSTEM,
                AuditAction.REGISTRATION_PROMOTED,
                "registration",
                promoted.id,
                before={"status": RegistrationStatus.WAITLISTED},
                after={"status": RegistrationStatus.CONFIRMED},
            )
    db.session.flush()
    return promoted


def locked(registration_id):
    """The registration, re-read under its event's lock."""
    registration = db.session.get(Registration, registration_id)
    lock_event(registration.event_id)
    db.session.refresh(registration)
    return registration


def approve(registration_id, now=None):
    """An organiser accepts a pending registration: confirmed, or waitlisted when full."""
    registration = locked(registration_id)
    if registration.status != RegistrationStatus.PENDING:
        return registration
    event = db.session.get(Event, registration.event_id, populate_existing=True)
    with cards_follow(event):
        status = (
            RegistrationStatus.CONFIRMED
            if take_place(event, registration.place_mode)
            else RegistrationStatus.WAITLISTED
        )
    set_status(registration, status, now or utcnow())
    notifications.queue(registration, f"approved-{status}")
    db.session.flush()
    return registration


def refuse(registration_id, now=None):
    """An organiser declines a pending registration; the person is told."""
    registration = locked(registration_id)
    if registration.status != RegistrationStatus.PENDING:
        return registration
    now = now or utcnow()
    set_status(registration, RegistrationStatus.CANCELLED, now)
    registration.refused_at = now
    notifications.queue(registration, "refused")
    db.session.flush()
    return registration


def inami_of(event, typed):
    """The INAMI number to keep: its 11 digits for an accredited event, else none."""
    return normalise_inami(typed or "") if event.accreditation else None


def update_details(registration_id, person, answers):
    """The registrant corrects their details or answers (not their email)."""
    registration = db.session.get(Registration, registration_id)
    noted = (*PERSON_FIELDS, "inami_number", "answers")
    before = {name: getattr(registration, name) for name in noted}
    for field in PERSON_FIELDS:
        if field != "email" and field in person:
            setattr(registration, field, person[field] or None)
    if "inami_number" in person or not registration.event.accreditation:
        registration.inami_number = inami_of(registration.event, person.get("inami_number"))
    registration.answers = answers
    db.session.flush()
    changed = [name for name in noted if getattr(registration, name) != before[name]]
    if changed:
        # Which fields, never their values: the line names no one.
        audit.record(
            audit.Actor.personal_link(registration.id),
            AuditAction.REGISTRATION_DETAILS_UPDATED,
            "registration",
            registration.id,
            after={"fields": changed},
        )
    return registration


def active_registrations(event_id):
    return db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)
    ).all()


def due_reminders(now=None, within=timedelta(hours=48)):
    """Ids of the confirmed registrations of events starting within 48 hours, not reminded."""
    now = now or utcnow()
    return db.session.scalars(
        select(Registration.id)
        .join(Event, Registration.event_id == Event.id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.reminder_queued_at.is_(None),
            Registration.email.is_not(None),
            Event.status == EventStatus.PUBLISHED,
            Event.start_at > now,
            Event.start_at <= now + within,
        )
        .order_by(Registration.id)
    ).all()


def queue_reminder(registration_id, now=None):
    """Queue the reminder of one registration; False when it was already queued.

    The registration is claimed first by a conditional UPDATE: two runs at once never
    remind twice, whichever commits first.
    """
    claimed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.reminder_queued_at.is_(None))
        .values(reminder_queued_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    notifications.queue(db.session.get(Registration, registration_id), "reminder")
    db.session.flush()
    return True
