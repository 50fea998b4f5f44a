"""An event's own registration questions, beyond the person fields.

`set_questions` takes the questions as the event form gives them (existing ones by id, new
ones without), flushes and writes one audit line with the questions before and after;
`copy_questions` gives the next meeting of a series the same questions. Neither commits. An
option's value is what registrations' answers keep: once given it never changes, and an
option someone already chose cannot be taken away.
"""

import logging
import re
import unicodedata

from sqlalchemy import select

from webapp import audit
from webapp.agenda.models import Event
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.registrations.models import Question, Registration
from webapp.registrations.states import QuestionKind

logger = logging.getLogger(__name__)

# What a copy keeps of a question: all but its id and its event.
QUESTION_FIELDS = ("position", "kind", "label_fr", "label_nl", "required", "options")
WITH_OPTIONS = frozenset({QuestionKind.CHOICE, QuestionKind.CHOICES})
OPTION_VALUE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


class QuestionsRefused(Exception):
    """The questions cannot be saved so; `reason` is a stable code, `position` the item."""

    def __init__(self, reason, position=None):
        super().__init__(reason)
        self.reason = reason
        self.position = position


def set_questions(event_id, items, actor):
    """Make the event's questions those of `items`, in that order.

    Each item: {"id": existing id or None, "kind", "label_fr", "label_nl", "required",
    "options": [{"value": optional, "fr", "nl"}]}. Questions of the event missing from
    `items` are removed. Returns whether anything changed.
    """
    event = db.session.get(Event, event_id)
    if event is None:
        raise QuestionsRefused("not-found")
    current = {question.id: question for question in event_questions(event_id)}
    before = [_facts(question) for question in current.values()]
    answered = _answered_values(event_id)
    kept = set()
    for position, item in enumerate(items):
        question = _question_for(event_id, item, current, position)
        kept.add(question.id)
        _fill(question, item, answered.get(question.id, set()), position)
    for question_id, question in current.items():
        if question_id not in kept:
            db.session.delete(question)
    db.session.flush()
    after = [_facts(question) for question in event_questions(event_id)]
    if after == before:
        return False
    audit.record(
        actor,
        AuditAction.EVENT_QUESTIONS_CHANGED,
        "event",
        event_id,
        {"questions": before},
        {"questions": after},
    )
    db.session.flush()
    logger.info("questions of event %s set: %d question(s)", event_id, len(after))
    return True


def copy_questions(source_id, target_id):
    """Give the target event the source event's questions (same order, labels, options);
    returns the copies. Part of preparing the next meeting of a series, whose audit line
    (event.duplicated) covers it; it flushes, never commits."""
    copies = [
        Question(
            event_id=target_id,
            **{name: _copied(getattr(question, name)) for name in QUESTION_FIELDS},
        )
        for question in event_questions(source_id)
    ]
    db.session.add_all(copies)
    db.session.flush()
    return copies


def _copied(value):
    # The options are a JSON list of dicts: the copy must not share them with the source.
    if isinstance(value, list):
        return [dict(item) if isinstance(item, dict) else item for item in value]
    return value


def option_value(label, taken):
    """A new option's value: its French label as a slug, unique within the question."""
    decomposed = unicodedata.normalize("NFKD", label or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    base = re.sub(r"[^a-z0-9]+", "-", bare).strip("-")[:50] or "option"
    value, n = base, 2
    while value in taken:
        value, n = f"{base}-{n}", n + 1
    return value


def event_questions(event_id):
    """An event's questions in the order its form asks them."""
    return db.session.scalars(
        select(Question)
        .where(Question.event_id == event_id)
        .order_by(Question.position, Question.id)
    ).all()


def _question_for(event_id, item, current, position):
    question_id = item.get("id")
    if question_id is None:
        question = Question(event_id=event_id)
        db.session.add(question)
        return question
    if question_id not in current:
        # Another event's question, or one already removed: never reached through this event.
        raise QuestionsRefused("unknown-question", position)
    return current[question_id]


def _fill(question, item, answered, position):
    kind = QuestionKind(item["kind"])
    options = _options(item.get("options") or (), question.options or (), position)
    if kind not in WITH_OPTIONS:
        options = None
    elif not options:
        raise QuestionsRefused("options-required", position)
    if answered - {option["value"] for option in options or ()} and question.kind in WITH_OPTIONS:
        raise QuestionsRefused("answered-option-removed", position)
    values = {
        "position": position,
        "kind": kind.value,
        "label_fr": item["label_fr"],
        "label_nl": item.get("label_nl") or None,
        "required": bool(item.get("required")),
        "options": options,
    }
    for name, value in values.items():
        if getattr(question, name) != value:
            setattr(question, name, value)


def _options(wanted, existing, position):
    """The options with their values: a value given is kept (it must be the question's own or
    a well-formed new one), an unchanged French label keeps its value, others get a new one."""
    by_label = {option["fr"]: option["value"] for option in existing}
    known = {option["value"] for option in existing}
    taken, result = set(), []
    for option in wanted:
        value = option.get("value")
        if value and value not in known and not OPTION_VALUE.match(value):
            raise QuestionsRefused("bad-option-value", position)
        if not value and by_label.get(option["fr"]) not in taken:
            value = by_label.get(option["fr"])
        if value in taken:
            raise QuestionsRefused("duplicate-option-value", position)
        value = value or option_value(option["fr"], taken | known)
        taken.add(value)
        result.append({"value": value, "fr": option["fr"], "nl": option.get("nl") or None})
    return result


def _answered_values(event_id):
    """{question id: the option values some registration of the event answered}."""
    answered = {}
    for answers in db.session.scalars(
        select(Registration.answers).where(
            Registration.event_id == event_id, Registration.answers.is_not(None)
        )
    ):
        for key, value in (answers or {}).items():
            if not str(key).isdigit():
                continue
            values = value if isinstance(value, list) else [value]
            answered.setdefault(int(key), set()).update(str(v) for v in values)
    return answered


def _facts(question):
    return {
        "id": question.id,
        "kind": question.kind,
        "label_fr": question.label_fr,
        "label_nl": question.label_nl,
        "required": bool(question.required),
        "options": question.options,
    }
