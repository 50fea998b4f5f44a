"""The one place that commits: a unit of work at the edge (a view, a command, a worker job).

Operations (registrations.rules, agenda.operations...) change rows, queue mail and audit
lines, and flush; they never commit. The edge wraps one request's, command's or job's work in
`unit_of_work()`: everything is committed together at the end, or everything is rolled back
on any error, so a change, its mail and its audit line stand or fall together.

What must stand or fall with a change refuses to run outside one (`require`): an audit line
(audit.record) and a lock on places (capacity.lock). On PostgreSQL a unit of work waits at most
LOCK_TIMEOUT_MS for a row lock: a lock held too long (a stuck transaction) becomes the app's
503 with Retry-After (webapp/errors.py), a refusal to try again, not a request that hangs.
"""

import logging
from contextlib import contextmanager

from flask import current_app, has_app_context

from webapp.extensions import db

logger = logging.getLogger(__name__)

_DEPTH = "unit_of_work_depth"


class OutsideUnitOfWork(RuntimeError):
    """Work that must be committed with a change ran where nothing would commit it."""


@contextmanager
def unit_of_work(name=None):
    """Commit once when the block ends; roll back everything if it raises (then re-raise)."""
    session = db.session
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        if depth == 0:
            _limit_lock_waits(session)
        yield session
    except BaseException as error:
        session.rollback()
        logger.info("unit of work %s rolled back: %s", name or "-", type(error).__name__)
        raise
    else:
        session.commit()
    finally:
        session.info[_DEPTH] = depth


def in_unit_of_work():
    """Whether the current session's work will be committed by a unit of work."""
    return db.session.info.get(_DEPTH, 0) > 0


def require(what):
    """Refuse `what` outside a unit of work: it would be flushed with nothing to commit it,
    or committed by whatever commits next, apart from the change it belongs to."""
    if not in_unit_of_work():
        raise OutsideUnitOfWork(f"{what} runs inside a unit of work (webapp.unit_of_work)")


def _limit_lock_waits(session):
    """SET LOCAL lock_timeout for the transaction the unit will commit (PostgreSQL)."""
    if not has_app_context():
        return
    milliseconds = int(current_app.config.get("LOCK_TIMEOUT_MS") or 0)
    if milliseconds <= 0 or session.get_bind().dialect.name != "postgresql":
        return
    session.connection().exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
