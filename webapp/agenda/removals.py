"""Records of removal: an event that leaves public view (unpublished back to a draft, or
deleted) leaves a row here, so that a partner who copies the agenda by `updated_since`
learns to drop it (`removed` in /api/v1/events).

A row holds an event's id and the time it left, nothing else: it is as public as the id
that was in the API. It is written in the flush of the change itself, whoever makes it
(back office, import, a console), and kept REMOVALS_KEPT: an `updated_since` older than
that can no longer be answered by changes alone (the API says so: do a full read).
"""

from datetime import timedelta

from sqlalchemy import delete, inspect, select
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.agenda.models import Event
from webapp.extensions import db
from webapp.timezones import UTCDateTime, utcnow
from webapp.vocabulary import PUBLIC_STATUSES

# How long a partner may wait between two reads by changes.
REMOVALS_KEPT = timedelta(days=90)


class EventRemoval(db.Model):
    """An event gone from public view at `removed_at` (no foreign key: it may be deleted)."""

    __tablename__ = "event_removals"

    event_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    removed_at = mapped_column(UTCDateTime, nullable=False, index=True)


def _was_public(obj):
    """Whether the event was public as the database last saw it (before this flush)."""
    history = inspect(obj).attrs.status.history
    before = history.deleted[0] if history.deleted else obj.status
    return before in PUBLIC_STATUSES


@sa_event.listens_for(Session, "before_flush")
def _note_removals(session, flush_context, instances):
    gone = []
    for obj in session.dirty:
        if isinstance(obj, Event) and obj.id is not None:
            history = inspect(obj).attrs.status.history
            if history.has_changes() and obj.status not in PUBLIC_STATUSES and _was_public(obj):
                gone.append(obj.id)
    for obj in session.deleted:
        # A draft was recorded when it was unpublished; a never-public one stays unknown.
        if (
            isinstance(obj, Event)
            and obj.id is not None
            and (_was_public(obj) or _recorded(session, obj.id))
        ):
            gone.append(obj.id)
    if gone:
        record_removals(session, gone)


def _recorded(session, event_id):
    with session.no_autoflush:
        return (
            session.scalar(select(EventRemoval.event_id).where(EventRemoval.event_id == event_id))
            is not None
        )


def record_removals(session, event_ids, now=None):
    """Note these events as gone from view now (a row per event, its time moved forward)."""
    now = now or utcnow()
    table = EventRemoval.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values([{"event_id": i, "removed_at": now} for i in event_ids])
    session.connection().execute(
        statement.on_conflict_do_update(index_elements=["event_id"], set_={"removed_at": now})
    )


def removed_since(since):
    """A SELECT of the ids of events that left public view at or after `since`."""
    return select(EventRemoval.event_id).where(EventRemoval.removed_at >= since)


def oldest_answerable(now=None):
    """The oldest `updated_since` the removals still answer for."""
    return (now or utcnow()) - REMOVALS_KEPT


def purge_removals(now=None):
    """Forget removals older than REMOVALS_KEPT; returns how many."""
    table = EventRemoval.__table__
    return db.session.execute(
        delete(table).where(table.c.removed_at < oldest_answerable(now))
    ).rowcount
