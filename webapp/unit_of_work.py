"""The one place that commits: a unit of work at the edge (a view, a command, a worker job).

Operations (registrations.rules, agenda.operations...) change rows, queue mail and audit
lines, and flush; they never commit. The edge wraps one request's, command's or job's work in
`unit_of_work()`: everything is committed together at the end, or everything is rolled back
on any error, so a change, its mail and its audit line stand or fall together.
"""

import logging
from contextlib import contextmanager
from functools import wraps

from webapp.extensions import db

logger = logging.getLogger(__name__)


@contextmanager
def unit_of_work(name=None):
    """Commit once when the block ends; roll back everything if it raises (then re-raise)."""
    session = db.session
    try:
        yield session
    except BaseException as error:
        session.rollback()
        logger.info("unit of work %s rolled back: %s", name or "-", type(error).__name__)
        raise
    session.commit()


def transactional(view):
    """A view (or command) whose whole work is one unit of work."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with unit_of_work(view.__name__):
            return view(*args, **kwargs)

    return wrapper
