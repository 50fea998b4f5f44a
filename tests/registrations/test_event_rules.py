"""What an event's registrations forbid (registrations/event_rules.py), and the copy of its
questions (registrations/questions.py)."""

import pytest
from sqlalchemy import select

from tests.edge import rules
from webapp.agenda.models import Event
from webapp.agenda.operations import EventRefused
from webapp.agenda.states import EventStatus
from webapp.audit import Actor
from webapp.extensions import db
from webapp.registrations import event_rules
from webapp.registrations.models import Question, Registration
from webapp.registrations.questions import copy_questions
from webapp.unit_of_work import unit_of_work

STAFF = Actor.account(7)


def test_unpublish_is_refused_while_someone_is_registered(make_event, person):
    event = make_event(capacity=1)
    rules.register(event.id, person(1))
    with pytest.raises(EventRefused) as refused, unit_of_work():
        event_rules.unpublish(event.id, STAFF)
    assert refused.value.reason == "has-registrants"


def test_unpublish_is_allowed_once_every_registration_is_cancelled(make_event, person):
    event = make_event(capacity=1)
    gone = rules.register(event.id, person(1)).registration
    rules.cancel(gone.id)
    with unit_of_work():
        event_rules.unpublish(event.id, STAFF)
    assert db.session.get(Event, event.id).status == EventStatus.DRAFT


def test_delete_draft_is_refused_once_anyone_registered(make_event):
    draft = make_event(status="draft")
    with unit_of_work():
        db.session.add(Registration(event_id=draft.id, status="cancelled"))
    with pytest.raises(EventRefused) as refused, unit_of_work():
        event_rules.delete_draft(draft.id, STAFF)
    assert refused.value.reason == "has-registrations"


def test_an_unknown_event_is_not_found(territory):
    for operation in (event_rules.unpublish, event_rules.delete_draft):
        with pytest.raises(EventRefused) as refused:
            operation(2**31 - 1, STAFF)
        assert refused.value.reason == "not-found"


def test_copy_questions_keeps_order_labels_and_options_apart(make_event):
    source, target = make_event(), make_event()
    options = [{"value": "t1", "fr": "Table 1", "nl": "Tafel 1"}]
    with unit_of_work():
        db.session.add_all(
            [
                Question(event_id=source.id, position=2, kind="yes_no", label_fr="Repas ?"),
                Question(
                    event_id=source.id,
                    position=1,
                    kind="choice",
                    label_fr="Table",
                    label_nl="Tafel",
                    required=True,
                    options=options,
                ),
            ]
        )
    with unit_of_work():
        copies = copy_questions(source.id, target.id)
    assert len(copies) == 2
    db.session.expire_all()
    copied = db.session.scalars(
        select(Question).where(Question.event_id == target.id).order_by(Question.position)
    ).all()
    assert [(q.position, q.kind, q.label_fr, q.label_nl, q.required) for q in copied] == [
        (1, "choice", "Table", "Tafel", True),
        (2, "yes_no", "Repas ?", None, False),
    ]
    assert copied[0].options == options
    assert len(db.session.scalars(select(Question)).all()) == 4
