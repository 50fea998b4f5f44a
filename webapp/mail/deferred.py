"""Messages written later: the facts recorded now, in the caller's transaction; the words
written by the worker, just before it sends them.

A request that must answer fast (a booking in a rush) records one outbox row per message,
status `unwritten`, naming its writer and holding the facts it needs (ids, and what may
change before it is written: a count as it stood). The worker's batch writes these rows in
place before it claims (outbox.deliver_batch): each becomes an ordinary pending message. So:
- a change rolled back takes its rows with it (a refused booking queues nothing);
- a row committed is never lost: a worker that dies before writing it leaves it unwritten,
  and the next round writes it;
- it is written once and sent once: rows are taken FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite
  serialises writers) and turned pending under a guard on their status, in one transaction.
A message that cannot be written is logged and dropped, as one that cannot be queued is
(it never undoes the change it tells of). Writers register by name: the mail area knows
none of the areas above it.
"""

import json
import logging

from sqlalchemy import delete, select, update

from webapp.errors import database_down
from webapp.extensions import db
from webapp.mail.failures import traceback_for_log
from webapp.mail.fields import message_fields
from webapp.mail.headers import one_line
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

logger = logging.getLogger(__name__)

_WRITERS = {}


def writer(name):
    """Register `function(facts)` as the writer of `name`: it returns queue_message's
    arguments (recipient, subject, body_text, ...), or None when there is nothing to say any
    more (the recipient was erased)."""

    def register(function):
        _WRITERS[name] = function
        return function

    return register


def defer(recipient, name, facts, reference=None):
    """Record a message that the writer `name` writes from `facts` (JSON-able) later, in the
    caller's transaction. A recipient that cannot be an address raises ValueError now."""
    if name not in _WRITERS:
        raise LookupError(f"no mail writer named {name!r}")
    placeholder = message_fields(recipient, f"({name})", "", reference=reference)
    message = OutboxMessage(
        **placeholder,
        status=OutboxStatus.UNWRITTEN,
        next_attempt_at=utcnow(),
    )
    message.body_text = json.dumps({"writer": name, "facts": facts}, separators=(",", ":"))
    db.session.add(message)
    return message


def write_due(limit=50):
    """Write the oldest unwritten messages (at most `limit`); returns how many became pending."""
    with unit_of_work("write-deferred-mail"):
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.UNWRITTEN)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).all()
        return sum(_write(row) for row in rows)


def _write(row):
    recorded = json.loads(row.body_text)
    name = recorded.get("writer")
    try:
        with db.session.begin_nested():
            arguments = _WRITERS[name](recorded.get("facts") or {})
            fields = None if arguments is None else message_fields(**arguments)
    except Exception as error:
        if database_down(error):
            raise
        logger.error(
            "outbox message %s: the %s message could not be written (%s)",
            row.id,
            one_line(str(name)),
            type(error).__name__,
            exc_info=traceback_for_log(error),
        )
        fields = None
    unwritten = (OutboxMessage.id == row.id) & (OutboxMessage.status == OutboxStatus.UNWRITTEN)
    if fields is None:
        db.session.execute(delete(OutboxMessage).where(unwritten))
        return 0
    written = db.session.execute(
        update(OutboxMessage)
        .where(unwritten)
        .values(**fields, status=OutboxStatus.PENDING)  # due since it was recorded
        .execution_options(synchronize_session=False)
    )
    return written.rowcount
