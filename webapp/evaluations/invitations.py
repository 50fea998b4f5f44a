"""Who is invited, when, and the mails: invitations the day after an event, one reminder
after four days, the form closed after fourteen. Operations flush; the edge commits.

Each invitation is claimed first (an INSERT that a unique registration_id lets through
once), then its mail is queued in the same transaction: two runs at once invite nobody
twice, as registrations.rules.queue_reminder does for reminders.
"""

from datetime import timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from webapp import audit
from webapp.agenda.models import Event
from webapp.agenda.states import EventStatus
from webapp.audit_actions import AuditAction
from webapp.evaluations import letters
from webapp.evaluations.defaults import ensure_default_templates
from webapp.evaluations.models import EvaluationForm, EvaluationTemplate, Invitation
from webapp.extensions import db
from webapp.registrations.attendance_counts import attendance_mark
from webapp.registrations.models import Registration
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import local_day_start, to_local, utcnow
from webapp.tokens import new_token

REMIND_AFTER = timedelta(days=4)
OPEN_FOR = timedelta(days=14)


def recipients(event):
    """The registrations invited to evaluate `event`: the confirmed people who came
    (attended), or every confirmed registered person when no attendance was taken, and the
    walk-ins present either way. Never cancelled, waitlisted, pending or absent people;
    only those with an address.

    Attendance is taken when a registered person was ticked (attendance_mark): people added
    from a paper sheet after a meeting where nobody was ticked join the others, they do not
    replace them.
    """
    attendance_taken = db.session.scalar(
        select(exists().where(Registration.event_id == event.id, attendance_mark()))
    )
    query = select(Registration).where(
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.email.is_not(None),
    )
    if attendance_taken:
        query = query.where(Registration.attended.is_(True))
    else:
        query = query.where(Registration.walk_in.is_(False) | Registration.attended.is_(True))
    return db.session.scalars(query.order_by(Registration.id)).all()


def opening_time(event):
    """Invitations leave the day after the event ends (local midnight)."""
    return day_after(event.end_at)


def day_after(moment):
    """Local midnight after `moment`: when the invitations of what ended then leave."""
    return local_day_start(to_local(moment).date() + timedelta(days=1))


def form_of(event_id):
    return db.session.scalar(select(EvaluationForm).where(EvaluationForm.event_id == event_id))


def template_of(kind):
    """The kind's template; a fresh installation gets the default ones on first use."""
    found = db.session.scalar(select(EvaluationTemplate).where(EvaluationTemplate.kind == kind))
    if found is not None:
        return found
    ensure_templates()
    return db.session.scalar(select(EvaluationTemplate).where(EvaluationTemplate.kind == kind))


def ensure_templates():
    """Add the default templates that are missing, in a savepoint: a second process adding
    them at the same moment is no error (its rows are there once it commits)."""
    try:
        with db.session.begin_nested():
            ensure_default_templates()
    except IntegrityError:
        pass


def open_form(event, now=None):
    """The event's form, copied from its kind's template the first time; None for a kind
    without a template. Safe when two runs open it at once (unique event_id)."""
    form = form_of(event.id)
    if form is not None:
        return form
    template = template_of(event.kind)
    if template is None:
        return None
    now = now or utcnow()
    start = max(now, opening_time(event))
    values = {
        "event_id": event.id,
        "questions": template.questions,
        "open_token": new_token(),
        "opened_at": now,
        "closes_at": start + OPEN_FOR,
    }
    db.session.execute(insert_ignoring_conflict(EvaluationForm, values, "event_id"))
    return form_of(event.id)


def insert_ignoring_conflict(model, values, column):
    """INSERT ... ON CONFLICT (column) DO NOTHING RETURNING id: the claim of a unique row."""
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    return (
        insert(model.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[column])
        .returning(model.__table__.c.id)
    )


def due_events(now=None):
    """Published events that ended before today (local) and whose form is not closed."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.end_at < now,
            Event.end_at > now - OPEN_FOR - timedelta(days=1),
        )
        .order_by(Event.id)
    ).all()
    return [event for event in candidates if opening_time(event) <= now]


def invite(event_id, registration_id, now=None):
    """Invite one registration (claim, then queue the mail); False when already invited or
    when the form is closed or missing."""
    now = now or utcnow()
    event = db.session.get(Event, event_id)
    form = open_form(event, now)
    if form is None or not form.is_open(now):
        return False
    values = {
        "registration_id": registration_id,
        "form_id": form.id,
        "token": new_token(),
        "language": "fr",
        "answered": False,
        "sent_at": now,
    }
    claimed = db.session.execute(
        insert_ignoring_conflict(Invitation, values, "registration_id")
    ).first()
    if claimed is None:
        return False
    invitation = db.session.get(Invitation, claimed.id)
    invitation.language = invitation.registration.language or "fr"
    letters.queue(invitation, "invitation")
    audit.record(audit.SYSTEM, AuditAction.EVALUATION_INVITED, "registration", registration_id)
    db.session.flush()
    return True


def due_reminders(now=None):
    """Ids of unanswered invitations sent four days ago or more, not reminded, form open."""
    now = now or utcnow()
    return db.session.scalars(
        select(Invitation.id)
        .join(EvaluationForm, Invitation.form_id == EvaluationForm.id)
        .where(
            Invitation.answered.is_(False),
            Invitation.reminded_at.is_(None),
            Invitation.sent_at <= now - REMIND_AFTER,
            EvaluationForm.closes_at > now,
        )
        .order_by(Invitation.id)
    ).all()


def remind(invitation_id, now=None):
    """Queue the one reminder of an invitation, claimed first; False if already reminded."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.reminded_at.is_(None),
            Invitation.answered.is_(False),
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    invitation = db.session.get(Invitation, invitation_id)
    letters.queue(invitation, "reminder")
    audit.record(audit.SYSTEM, AuditAction.EVALUATION_REMINDED, *invitation.person)
    db.session.flush()
    return True
