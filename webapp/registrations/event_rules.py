"""What an event's registrations forbid doing to it: people who registered are told of a
change or a cancellation, so an event they registered for is never quietly taken back.

- `unpublish`: refused while anyone is registered (confirmed, waitlisted or pending): cancel
  it instead, which tells them.
- `delete_draft`: refused once anyone ever registered (even cancelled: their messages and
  the audit log name the event).

Both take the event's lock first (as a registration does), so no registration slips in
between the check and the change. They never commit.
"""

from sqlalchemy import exists, select

from webapp.agenda import operations
from webapp.agenda.models import Event
from webapp.agenda.operations import EventRefused
from webapp.extensions import db
from webapp.registrations.models import ACTIVE_STATUSES, Registration
from webapp.registrations.rules import lock_event


def unpublish(event_id, actor):
    """Back to draft (agenda.operations.unpublish), unless people are registered."""
    _locked(event_id)
    if _any_registration(event_id, Registration.status.in_(ACTIVE_STATUSES)):
        raise EventRefused("has-registrants")
    return operations.unpublish(event_id, actor)


def delete_draft(event_id, actor):
    """Delete a draft never public (agenda.operations.delete_draft), unless anyone ever
    registered for it."""
    _locked(event_id)
    if _any_registration(event_id):
        raise EventRefused("has-registrations")
    return operations.delete_draft(event_id, actor)


def _locked(event_id):
    if event_id is None or db.session.get(Event, event_id) is None:
        raise EventRefused("not-found")
    lock_event(event_id)


def _any_registration(event_id, *conditions):
    return db.session.scalar(select(exists().where(Registration.event_id == event_id, *conditions)))
