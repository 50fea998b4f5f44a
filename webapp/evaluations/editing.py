"""Saving edited questions: a kind's template (admins) or one event's copy (the team, while
no answer exists). Operations flush and write one audit line; the edge commits.

An event's copy is made when its evaluation opens, so editing a template never changes the
questions (nor the results) of an event already opened.
"""

from sqlalchemy import exists, select

from webapp import audit
from webapp.agenda.models import Event
from webapp.audit_actions import AuditAction
from webapp.evaluations.answers import lock_form
from webapp.evaluations.invitations import form_of, open_form
from webapp.evaluations.models import Answer, EvaluationTemplate
from webapp.extensions import db


class Refused(Exception):
    """The questions cannot be saved; `reason` says why ("answered", "no-template")."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def template_of(kind):
    return db.session.scalar(select(EvaluationTemplate).where(EvaluationTemplate.kind == kind))


def answered_keys(kind):
    """The question keys that answers to events of `kind` hold: their type stays."""
    rows = db.session.scalars(
        select(Answer.values).join(Event, Answer.event_id == Event.id).where(Event.kind == kind)
    )
    return {key for values in rows for key in values or ()}


def save_template(kind, questions, actor):
    """Replace the questions of `kind`'s template (created if missing); False if unchanged."""
    template = template_of(kind)
    before = template.questions if template else None
    if before == questions:
        return False
    if template is None:
        template = EvaluationTemplate(kind=kind, questions=questions)
        db.session.add(template)
    else:
        template.questions = questions
    db.session.flush()
    audit.record(
        actor,
        AuditAction.EVALUATION_TEMPLATE_SAVED,
        "evaluation_template",
        template.id,
        {"kind": kind, "questions": before},
        {"kind": kind, "questions": questions},
    )
    db.session.flush()
    return True


def has_answers(event_id):
    return db.session.scalar(select(exists().where(Answer.event_id == event_id)))


def event_questions(event):
    """The questions `event`'s form asks (its copy, or its kind's template before it opens);
    None for a kind without a template."""
    form = form_of(event.id)
    if form is not None:
        return form.questions
    template = template_of(event.kind)
    return template.questions if template else None


def save_event_questions(event, questions, actor):
    """Replace the questions of `event`'s copy (opening its evaluation if needed), as long as
    no answer exists; False if unchanged.

    Under the form's row lock, which storing an answer takes too: a first answer stored
    meanwhile is seen here, and no answer is stored against questions being replaced."""
    form = open_form(event)
    if form is None:
        raise Refused("no-template")
    lock_form(form.id)
    if has_answers(event.id):
        raise Refused("answered")
    db.session.refresh(form)
    before = form.questions
    if before == questions:
        return False
    form.questions = questions
    audit.record(
        actor,
        AuditAction.EVALUATION_QUESTIONS_SAVED,
        "event",
        event.id,
        {"questions": before},
        {"questions": questions},
    )
    db.session.flush()
    return True
