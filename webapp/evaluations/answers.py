"""Storing an answer: nothing that leads back to the person is written with it.

With a personal link, the invitation is marked answered by a conditional UPDATE in the same
transaction as the answer's INSERT: of two posts at once, one stores, the other is refused.
"""

from sqlalchemy import update

from webapp.evaluations.models import Answer, Invitation
from webapp.extensions import db
from webapp.timezones import local_today


class AlreadyAnswered(Exception):
    """The personal link was used already (or by a concurrent post)."""


def answer_invitation(invitation_id, event_id, values):
    """Mark the invitation answered (once) and store the anonymous answer."""
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise AlreadyAnswered()
    return _store(event_id, values)


def answer_open_link(event_id, values):
    """Store a walk-in's answer (the open link; one per browser is the view's cookie)."""
    return _store(event_id, values)


def _store(event_id, values):
    # No audit line: it would date the answer to the second and name its link.
    answer = Answer(event_id=event_id, day=local_today(), values=values)
    db.session.add(answer)
    db.session.flush()
    return answer
