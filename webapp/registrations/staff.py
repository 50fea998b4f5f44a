"""What organisers do to an event's registrations: add a person by hand, approve, refuse,
promote from the waitlist, cancel, move to another meeting of the series, write to everyone.

Operations as in rules.py: they take ids and an actor, change rows under the event's lock,
queue the mail, write one audit line per registration changed, flush, never commit. A
registration named with another event's id is refused (`not-found`) before anything changes.
"""

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from webapp import audit, capacity
from webapp.agenda.models import Event
from webapp.agenda.states import EventStatus
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.mail.outbox import queue_message
from webapp.registrations import notifications, rules
from webapp.registrations.models import Registration
from webapp.registrations.rules import RegistrationRefused
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import utcnow


def _of_event(event_id, registration_id):
    """The registration, re-read under the event's lock, if it belongs to that event."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id:
        raise RegistrationRefused("not-found")
    return rules.locked(registration_id)


def _record(actor, action, registration, before_status, reason=None, **after):
    audit.record(
        actor,
        action,
        "registration",
        registration.id,
        {"status": str(before_status)},
        {"status": str(registration.status), "event_id": registration.event_id, **after},
        reason,
    )


def add_by_hand(event_id, person, answers, actor, now=None):
    """Staff register a person (who phoned, a colleague): confirmed or waitlisted by the
    places left, whatever the registration window. Returns rules.Outcome."""
    outcome = rules.register(event_id, person, answers, language="fr", now=now, by_staff=True)
    if outcome.created:
        _record(actor, AuditAction.REGISTRATION_ADDED_BY_STAFF, outcome.registration, "-")
        db.session.flush()
    return outcome


def approve(event_id, registration_id, actor, now=None):
    """Accept a pending request: confirmed, or waitlisted when the event is full."""
    registration = _of_event(event_id, registration_id)
    if registration.status != RegistrationStatus.PENDING:
        return registration
    rules.approve(registration_id, now)
    _record(actor, AuditAction.REGISTRATION_APPROVED, registration, RegistrationStatus.PENDING)
    db.session.flush()
    return registration


def refuse(event_id, registration_id, actor, reason, now=None):
    """Decline a pending request; the reason stays in the audit log (the person is told
    without it)."""
    registration = _of_event(event_id, registration_id)
    if registration.status != RegistrationStatus.PENDING:
        return registration
    rules.refuse(registration_id, now)
    _record(
        actor, AuditAction.REGISTRATION_REFUSED, registration, RegistrationStatus.PENDING, reason
    )
    db.session.flush()
    return registration


def promote(event_id, registration_id, actor, now=None):
    """Confirm a waitlisted person ahead of their turn, if a place is free: never more
    confirmed than places (raise the capacity first)."""
    now = now or utcnow()
    registration = _of_event(event_id, registration_id)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RegistrationRefused("not-waitlisted")
    event = db.session.get(Event, event_id, populate_existing=True)
    with rules.cards_follow(event):
        if not rules.take_place(event):
            raise RegistrationRefused("full")
    rules.set_status(registration, RegistrationStatus.CONFIRMED, now)
    notifications.queue(registration, "promoted")
    _record(actor, AuditAction.REGISTRATION_PROMOTED, registration, RegistrationStatus.WAITLISTED)
    db.session.flush()
    return registration


def cancel(event_id, registration_id, actor, now=None):
    """Cancel a registration (the person is told); a freed place goes to the waitlist."""
    registration = _of_event(event_id, registration_id)
    before = registration.status
    if not registration.is_active:
        return None
    promoted = rules.cancel(registration_id, now)
    _record(actor, AuditAction.REGISTRATION_CANCELLED_BY_STAFF, registration, before)
    if promoted is not None:
        _record(actor, AuditAction.REGISTRATION_PROMOTED, promoted, RegistrationStatus.WAITLISTED)
    db.session.flush()
    return promoted


def meetings_to_move_to(event, scope_filter):
    """The other coming meetings of the event's series that the actor reaches."""
    if event.series_id is None:
        return []
    return db.session.scalars(
        select(Event)
        .where(
            Event.series_id == event.series_id,
            Event.id != event.id,
            Event.status == EventStatus.PUBLISHED,
            Event.start_at > utcnow(),
            scope_filter,
        )
        .order_by(Event.start_at)
    ).all()


def move(event_id, registration_id, target_event_id, actor, now=None):
    """Move a person to another meeting of the same series: a place there (or the waitlist),
    their place here given back (and to the first waiting). Returns the new registration."""
    now = now or utcnow()
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id:
        raise RegistrationRefused("not-found")
    capacity.lock(rules.SEATS, event_id, target_event_id)
    registration = _of_event(event_id, registration_id)
    source = db.session.get(Event, event_id)
    target = db.session.get(Event, target_event_id, populate_existing=True)
    if (
        target is None
        or target.id == source.id
        or source.series_id is None
        or target.series_id != source.series_id
        or target.status != EventStatus.PUBLISHED
        or target.start_at <= now
    ):
        raise RegistrationRefused("not-same-series")
    if not registration.is_active or not registration.email:
        raise RegistrationRefused("not-active")
    moved = _copy_to(registration, target, now)
    before = registration.status
    rules.cancel(registration_id, now)
    _record(actor, AuditAction.REGISTRATION_MOVED, registration, before, moved_to=moved.id)
    _record(actor, AuditAction.REGISTRATION_MOVED_HERE, moved, "-", moved_from=registration.id)
    db.session.flush()
    return moved


def _copy_to(registration, target, now):
    """The person's registration to the target meeting (under its lock); the answers stay
    behind (they answer the first meeting's questions)."""
    existing = db.session.scalar(
        select(Registration).where(
            Registration.event_id == target.id, Registration.email == registration.email
        )
    )
    if existing is not None and existing.is_active:
        raise RegistrationRefused("already-registered")
    inherited = rules.retire(existing, now) if existing is not None else {}
    moved = Registration(event=target, email=registration.email, answers={}, **inherited)
    for field in rules.PERSON_FIELDS:
        if field != "email":
            setattr(moved, field, getattr(registration, field))
    moved.language = registration.language
    moved.consent_at = registration.consent_at or now
    with rules.cards_follow(target):
        status = rules.first_status(target, approved=True)
    if status is None:
        raise RegistrationRefused("full")
    rules.set_status(moved, status, now)
    db.session.add(moved)
    db.session.flush()
    notifications.queue(moved, "moved")
    return moved


def write_to(event_id, statuses, subject, text, actor):
    """Queue one message per registrant of these statuses who has an address; returns the
    number queued. The text is the organiser's own, sent as typed (escaped in HTML)."""
    event = db.session.get(Event, event_id)
    people = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status.in_([str(s) for s in statuses]),
            Registration.email.is_not(None),
        )
        .order_by(Registration.id)
    ).all()
    for person in people:
        with force_locale(person.language or "fr"):
            context = {
                "event": event,
                "registration": person,
                "text": text,
                "subject": subject,
                "language": person.language or "fr",
                "personal_url": notifications.personal_url(person),
                "reply_to": event.reply_address,
            }
            body = render_template("mail/staff_message.txt", **context)
            html = render_template("mail/staff_message.html", **context)
        queue_message(
            person.email,
            subject,
            body,
            html,
            reference=notifications.reference(person.id),
            reply_to=event.reply_address,
        )
    audit.record(
        actor,
        AuditAction.EVENT_PARTICIPANTS_MESSAGED,
        "event",
        event_id,
        None,
        {"statuses": sorted(str(s) for s in statuses), "recipients": len(people)},
        subject,
    )
    db.session.flush()
    return len(people)
