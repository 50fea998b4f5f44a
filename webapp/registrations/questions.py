"""An event's own registration questions, beyond the person fields."""

from sqlalchemy import select

from webapp.extensions import db
from webapp.registrations.models import Question

# What a copy keeps of a question: all but its id and its event.
QUESTION_FIELDS = ("position", "kind", "label_fr", "label_nl", "required", "options")


def copy_questions(source_id, target_id):
    """Give the target event the source event's questions (same order, labels, options);
    returns the copies. Part of preparing the next meeting of a series, whose audit line
    (event.duplicated) covers it; it flushes, never commits."""
    sources = db.session.scalars(
        select(Question)
        .where(Question.event_id == source_id)
        .order_by(Question.position, Question.id)
    ).all()
    copies = [
        Question(
            event_id=target_id,
            **{name: _copied(getattr(question, name)) for name in QUESTION_FIELDS},
        )
        for question in sources
    ]
    db.session.add_all(copies)
    db.session.flush()
    return copies


def _copied(value):
    # The options are a JSON list of dicts: the copy must not share them with the source.
    if isinstance(value, list):
        return [dict(item) if isinstance(item, dict) else item for item in value]
    return value
