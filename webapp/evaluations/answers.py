"""Storing an answer: nothing that leads back to the person is written with it.

With a personal link, the invitation is marked answered by a conditional UPDATE in the same
transaction as the answer's INSERT: of two posts at once, one stores, the other is refused.
Both hold the form's row lock, as the team's edit of its questions does.
"""

from sqlalchemy import update

from webapp.evaluations.models import Answer, EvaluationForm, Invitation
from webapp.extensions import db
from webapp.timezones import local_today


class AlreadyAnswered(Exception):
    """The personal link was used already (or by a concurrent post)."""


def answer_invitation(invitation_id, form, values):
    """Mark the invitation answered (once) and store the anonymous answer."""
    lock_form(form.id)
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise AlreadyAnswered()
    return _store(form, values)


def answer_open_link(form, values):
    """Store a walk-in's answer (the open link; one per browser is the view's cookie)."""
    lock_form(form.id)
    return _store(form, values)


def lock_form(form_id):
    """Take the form's row lock for the rest of the transaction (a no-op UPDATE: a row lock
    on PostgreSQL, the write lock on SQLite): its questions do not change while an answer
    is stored (editing.save_event_questions takes it too)."""
    db.session.execute(
        update(EvaluationForm)
        .where(EvaluationForm.id == form_id)
        .values(opened_at=EvaluationForm.opened_at)
        .execution_options(synchronize_session=False)
    )


def _store(form, values):
    # The event or the offer, the day, the values; no slot (a small slot would name its
    # visitors). No audit line: it would date the answer to the second and name its link.
    answer = Answer(**form.about, day=local_today(), values=values)
    db.session.add(answer)
    db.session.flush()
    return answer
