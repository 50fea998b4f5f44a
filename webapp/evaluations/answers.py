"""Storing an answer: nothing that leads back to the person is written with it.

With a personal link, the invitation is marked answered by a conditional UPDATE in the same
transaction as the answer's INSERT: of two posts at once, one stores, the other is refused.
Both hold the form's row lock, as the team's edit of its questions does. With the open link,
the client's claim (open_link.claim) plays the invitation's part.
"""

from sqlalchemy import update

from webapp.evaluations import open_link
from webapp.evaluations.models import Answer, EvaluationForm, Invitation
from webapp.evaluations.states import AnswerChannel
from webapp.extensions import db
from webapp.timezones import local_today


class AlreadyAnswered(Exception):
    """The personal link was used already (or by a concurrent post); with the open link,
    this client answered already."""


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
    return _store(form, values, AnswerChannel.INVITED)


def answer_open_link(form, values, client_key):
    """Claim the client's one answer by the open link and store it, counted apart from the
    invited answers (`client_key`: open_link.client_key)."""
    lock_form(form.id)
    if not open_link.claim(form, client_key):
        raise AlreadyAnswered()
    return _store(form, values, AnswerChannel.OPEN_LINK)


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


def _store(form, values, channel):
    # The event or the offer, the day, the channel, the values; no slot (a small slot would
    # name its visitors). No audit line: it would date the answer to the second and name its
    # link.
    answer = Answer(**form.about, day=local_today(), channel=channel, values=values)
    db.session.add(answer)
    db.session.flush()
    return answer
