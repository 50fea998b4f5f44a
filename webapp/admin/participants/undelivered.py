"""Mail that did not reach people, within an account's scope (read only): for the dashboard's
count, the back office's page of failed and waiting messages, and the participants list.

A bassin team sees the messages about registrations to its events; an admin sees every
message (Grand Bain, proposals, accounts too). The page never shows a body.
"""

from dataclasses import dataclass

from sqlalchemy import String, cast, func, literal, select

from webapp.agenda.models import Event
from webapp.auth.scopes import event_filter
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.mail.queries import UNDELIVERED
from webapp.registrations.models import Registration

LIMIT = 500


@dataclass(frozen=True)
class Undelivered:
    message: OutboxMessage
    registration: Registration | None  # when the message is about a registration
    event: Event | None


def _about_registration():
    return OutboxMessage.reference == literal("registration:") + cast(Registration.id, String)


def _query(scope, event_id=None):
    query = (
        select(OutboxMessage, Registration, Event)
        .outerjoin(Registration, _about_registration())
        .outerjoin(Event, Event.id == Registration.event_id)
        .where(UNDELIVERED)
    )
    if event_id is not None:
        query = query.where(Event.id == event_id)
    if not scope.everything:
        query = query.where(Registration.id.is_not(None), event_filter(scope))
    return query


def undelivered(scope, event_id=None):
    """The messages failed or waiting for another try, newest first (at most LIMIT)."""
    rows = db.session.execute(
        _query(scope, event_id).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    ).all()
    return [Undelivered(*row) for row in rows[:LIMIT]]


def undelivered_count_query(scope, event_id=None):
    """SELECT of the ids of the messages `undelivered_count` counts (the dashboard counts
    them within its one row of counts)."""
    return _query(scope, event_id).with_only_columns(OutboxMessage.id)


def undelivered_count(scope, event_id=None):
    """How many messages failed or wait for another try, within the scope (about one
    event's registrations when `event_id` is given)."""
    inner = undelivered_count_query(scope, event_id).subquery()
    return db.session.scalar(select(func.count()).select_from(inner))


def undelivered_registrations(scope, event_id):
    """{registration id: OutboxMessage} of an event's registrations whose last mail did not go."""
    return {
        item.registration.id: item.message
        for item in reversed(undelivered(scope, event_id))
        if item.registration is not None
    }
