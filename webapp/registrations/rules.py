"""Register, cancel, promote, approve: each one transaction, no HTTP inside.

Every change to the registrations of one event starts by taking that event's row lock
(`lock_event`), on PostgreSQL (row lock) and SQLite (the database write lock) alike, so
counting places, choosing the waitlist order and promoting are serialised per event.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from webapp.agenda.models import Event
from webapp.agenda.places import card_places
from webapp.content_state import PLACES_COUNTER, note_change
from webapp.extensions import db
from webapp.mail import outbox
from webapp.registrations import notifications
from webapp.registrations.models import ACTIVE_STATUSES, Registration
from webapp.timezones import utcnow


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
)


def normalise_email(email):
    return (email or "").strip().lower()


# Places are not what calendars show: counting them leaves the event's change time alone.
# Nor do they move the content generation (PLACES_COUNTER): the event page keys on its own
# count, and `cards_follow` moves the generation when an agenda card's text changes.
PLACES_OPTIONS = {"synchronize_session": False, PLACES_COUNTER: True}


def lock_event(event_id):
    """Take the event's row lock for the rest of the transaction (a no-op UPDATE)."""
    db.session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(confirmed_count=Event.confirmed_count, updated_at=Event.updated_at)
        .execution_options(**PLACES_OPTIONS)
    )


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


def refusal_reason(event, now=None):
    """Why the event takes no registration now, or None when it does."""
    now = now or utcnow()
    if event.status != "published":
        return "not-published"
    if event.registration_mode == "none":
        return "no-registration"
    if event.start_at <= now:
        return "past"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not-yet-open"
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "closed"
    full = event.capacity is not None and event.places_left == 0
    if full and not event.waitlist_enabled and event.registration_mode != "approval":
        return "full"
    return None


def register(event_id, person, answers=None, language="fr", now=None):
    """Register a person to an event: confirmed, waitlisted or pending; commits.

    Registering again with the same email creates nothing and re-sends the personal link.
    Raises RegistrationRefused when the event does not take registrations (closed, full...).
    """
    now = now or utcnow()
    email = normalise_email(person["email"])
    lock_event(event_id)
    event = db.session.get(Event, event_id, populate_existing=True)
    reason = refusal_reason(event, now) if event else "not-published"
    if reason:
        db.session.rollback()
        raise RegistrationRefused(reason)
    existing = db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.email == email)
    )
    if existing is not None and existing.is_active:
        notifications.queue(existing, "already-registered")
        db.session.commit()
        return Outcome(existing, created=False)
    if existing is not None:
        # A cancelled person comes back: a new row, so a new place at the end of the waitlist
        # (ids give the arrival order); the old row stays, anonymised, for the statistics.
        anonymise(existing, now)
        db.session.flush()
    registration = Registration(event=event, email=email)
    for field in PERSON_FIELDS:
        if field != "email":
            setattr(registration, field, person.get(field) or None)
    registration.answers = answers or {}
    registration.language = language
    registration.consent_at = now
    registration.cancelled_at = None
    with cards_follow(event):
        status = _first_status(event)
    if status is None:
        db.session.rollback()
        raise RegistrationRefused("full")
    _set_status(registration, status, now)
    db.session.add(registration)
    db.session.flush()
    notifications.queue(registration, f"registered-{status}")
    db.session.commit()
    return Outcome(registration, created=True)


def _first_status(event):
    """The status a new registration gets, given the places left (under the event lock)."""
    if event.registration_mode == "approval":
        return "pending"
    if _take_place(event):
        return "confirmed"
    return "waitlisted" if event.waitlist_enabled else None


def _take_place(event):
    """Count one more confirmed place if one is free; False when the event is full."""
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .where((Event.capacity.is_(None)) | (Event.confirmed_count < Event.capacity))
        .values(confirmed_count=Event.confirmed_count + 1, updated_at=Event.updated_at)
        .execution_options(**PLACES_OPTIONS)
    )
    db.session.refresh(event, ["confirmed_count"])
    return result.rowcount == 1


def _give_back_place(event):
    """Count one confirmed place fewer."""
    db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.confirmed_count > 0)
        .values(confirmed_count=Event.confirmed_count - 1, updated_at=Event.updated_at)
        .execution_options(**PLACES_OPTIONS)
    )
    db.session.refresh(event, ["confirmed_count"])


def _set_status(registration, status, now):
    registration.status = status
    if status == "confirmed":
        registration.confirmed_at = now
    if status == "cancelled":
        registration.cancelled_at = now


def waitlist_position(registration):
    """1 for the first person waiting, or None when not on the waitlist."""
    if registration.status != "waitlisted":
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == "waitlisted",
            Registration.id < registration.id,
        )
    )
    return ahead + 1


def cancel(registration_id, now=None, notify=True):
    """Cancel a registration; a freed place goes to the first on the waitlist. Commits.

    Returns the registration promoted, if any. Cancelling twice changes nothing.
    """
    now = now or utcnow()
    if db.session.get(Registration, registration_id) is None:
        return None
    registration = _locked(registration_id)
    if not registration.is_active:
        db.session.rollback()
        return None
    was_confirmed = registration.status == "confirmed"
    _set_status(registration, "cancelled", now)
    if notify:
        notifications.queue(registration, "cancelled")
    promoted = None
    if was_confirmed:
        event = db.session.get(Event, registration.event_id, populate_existing=True)
        with cards_follow(event):
            _give_back_place(event)
            promoted = _promote_next(event, now)
    db.session.commit()
    return promoted


def _promote_next(event, now):
    """Confirm the first person on the waitlist if a place is free (under the event lock)."""
    if event.start_at <= now:
        return None
    first = db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == "waitlisted")
        .order_by(Registration.id)
        .limit(1)
    )
    if first is None or not _take_place(event):
        return None
    _set_status(first, "confirmed", now)
    notifications.queue(first, "promoted")
    return first


def _locked(registration_id):
    """The registration, re-read under its event's lock."""
    registration = db.session.get(Registration, registration_id)
    lock_event(registration.event_id)
    db.session.refresh(registration)
    return registration


def approve(registration_id, now=None):
    """An organiser accepts a pending registration: confirmed, or waitlisted when full."""
    registration = _locked(registration_id)
    if registration.status != "pending":
        db.session.rollback()
        return registration
    event = db.session.get(Event, registration.event_id, populate_existing=True)
    with cards_follow(event):
        status = "confirmed" if _take_place(event) else "waitlisted"
    _set_status(registration, status, now or utcnow())
    notifications.queue(registration, f"approved-{status}")
    db.session.commit()
    return registration


def refuse(registration_id, now=None):
    """An organiser declines a pending registration; the person is told."""
    registration = _locked(registration_id)
    if registration.status != "pending":
        db.session.rollback()
        return registration
    _set_status(registration, "cancelled", now or utcnow())
    notifications.queue(registration, "refused")
    db.session.commit()
    return registration


def update_details(registration_id, person, answers):
    """The registrant corrects their details or answers (not their email)."""
    registration = db.session.get(Registration, registration_id)
    for field in PERSON_FIELDS:
        if field != "email" and field in person:
            setattr(registration, field, person[field] or None)
    registration.answers = answers
    db.session.commit()
    return registration


def erase(registration_id, now=None):
    """Self-service erasure: cancel if still active, then wipe the personal data, the
    messages about the registration included."""
    now = now or utcnow()
    registration = db.session.get(Registration, registration_id)
    if registration.is_active:
        cancel(registration_id, now, notify=False)
        registration = db.session.get(Registration, registration_id)
    anonymise(registration, now)
    outbox.forget(notifications.reference(registration_id))
    db.session.commit()


def anonymise(registration, now):
    """Remove what identifies a person; keep status, sector and attendance for statistics."""
    for field in ("first_name", "last_name", "email", "organisation", "job_title", "commune"):
        setattr(registration, field, None)
    registration.answers = None
    registration.anonymised_at = now


def active_registrations(event_id):
    return db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)
    ).all()


def queue_reminders(now=None, within=timedelta(hours=48)):
    """Queue one reminder per confirmed registration of events starting within 48 hours."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(
            Registration.status == "confirmed",
            Registration.reminder_queued_at.is_(None),
            Registration.email.is_not(None),
            Event.status == "published",
            Event.start_at > now,
            Event.start_at <= now + within,
        )
        .order_by(Registration.id)
    ).all()
    queued = 0
    for registration in due:
        # Claim it first: two runs at once never remind twice.
        claimed = db.session.execute(
            update(Registration)
            .where(Registration.id == registration.id, Registration.reminder_queued_at.is_(None))
            .values(reminder_queued_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            notifications.queue(registration, "reminder")
            queued += 1
        db.session.commit()
    return queued


def purge_personal_data(older_than_months=12, now=None, outbox_retention=timedelta(days=30)):
    """Anonymise the registrations of events that ended more than N months ago and delete
    their messages; delete every sent or failed message older than `outbox_retention`."""
    now = now or utcnow()
    cutoff = now - timedelta(days=31 * older_than_months)
    stale = db.session.scalars(
        select(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(Event.end_at < cutoff, Registration.anonymised_at.is_(None))
    ).all()
    for registration in stale:
        anonymise(registration, now)
        outbox.forget(notifications.reference(registration.id))
    # Messages written before they carried a reference are found by their age.
    outbox.purge_outbox(outbox_retention, now)
    db.session.commit()
    return len(stale)
