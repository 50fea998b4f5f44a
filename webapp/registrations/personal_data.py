"""Erasure and retention: what identifies a person is wiped, what statistics need stays.

Each function changes rows and flushes; the caller's unit of work commits.
"""

from datetime import timedelta

from blinker import Namespace
from sqlalchemy import select

from webapp import audit
from webapp.agenda.models import Event
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.mail import outbox
from webapp.registrations import notifications, rules
from webapp.registrations.models import Registration
from webapp.timezones import months_before, utcnow

# Sent with the ids of registrations (`registration_ids`), or of an erased or purged Grand
# Bain visitor's bookings (`booking_ids`, grandbain.personal_data), whose personal data was
# just wiped, in the same transaction: the areas above (evaluations: invitations and their
# tokens) forget what they keep about them.
personal_data_erased = Namespace().signal("personal-data-erased")


def erase(registration_id, now=None, actor=None):
    """Self-service erasure: cancel if still active, then wipe the personal data, the
    messages about the registration included. Audit lines hold ids only, by the person's
    own link unless another actor is named: the cancellation (and the promotion it gives
    the first waiting, as the Grand Bain's erasure does), then the erasure."""
    now = now or utcnow()
    actor = actor or audit.Actor.personal_link(registration_id)
    registration = db.session.get(Registration, registration_id)
    status = registration.status
    if registration.is_active:
        rules.cancel(registration_id, now, notify=False, actor=actor)
    registration.anonymise(now)
    outbox.forget(notifications.reference(registration_id))
    personal_data_erased.send(registration_ids=[registration_id])
    audit.record(
        actor,
        AuditAction.REGISTRATION_ERASED,
        "registration",
        registration_id,
        before={"status": status},
        after={"status": registration.status},
    )
    db.session.flush()


def purge_personal_data(older_than_months=12, now=None, outbox_retention=timedelta(days=30)):
    """Anonymise the registrations of events that ended more than N months ago and delete
    their messages; delete every sent or failed message older than `outbox_retention`."""
    now = now or utcnow()
    cutoff = months_before(now, older_than_months)
    stale = db.session.scalars(
        select(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(Event.end_at < cutoff, Registration.anonymised_at.is_(None))
    ).all()
    for registration in stale:
        registration.anonymise(now)
        outbox.forget(notifications.reference(registration.id))
        audit.purged(
            AuditAction.REGISTRATION_PURGED, "registration", registration.id, older_than_months
        )
    if stale:
        personal_data_erased.send(registration_ids=[r.id for r in stale])
    # Messages written before they carried a reference are found by their age.
    outbox.purge_outbox(outbox_retention, now)
    db.session.flush()
    return len(stale)
