"""The custom questions of an event, set as a whole: values kept, one audit line, refusals."""

import pytest
from sqlalchemy import select

from tests.edge import rules
from webapp.audit import Actor, AuditEntry
from webapp.extensions import db
from webapp.registrations.models import Question
from webapp.registrations.questions import QuestionsRefused, option_value, set_questions
from webapp.unit_of_work import unit_of_work

STAFF = Actor.account(7)


def saved(event_id, items):
    with unit_of_work():
        return set_questions(event_id, items, STAFF)


def questions_of(event_id):
    db.session.expire_all()
    return db.session.scalars(
        select(Question).where(Question.event_id == event_id).order_by(Question.position)
    ).all()


def lines():
    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()


def choice(label, *options, question_id=None):
    return {
        "id": question_id,
        "kind": "choice",
        "label_fr": label,
        "required": True,
        "options": [dict(o) for o in options],
    }


def test_new_options_get_slug_values_and_unchanged_labels_keep_theirs(make_event):
    event = make_event()
    saved(event.id, [choice("Atelier", {"fr": "Santé mentale", "nl": "GGZ"}, {"fr": "Emploi"})])
    (question,) = questions_of(event.id)
    assert [o["value"] for o in question.options] == ["sante-mentale", "emploi"]
    saved(
        event.id,
        [choice("Atelier", {"fr": "Emploi"}, {"fr": "Emploi bis"}, question_id=question.id)],
    )
    (question,) = questions_of(event.id)
    assert [o["value"] for o in question.options] == ["emploi", "emploi-bis"]


def test_saving_the_same_questions_writes_no_audit_line(make_event):
    event = make_event()
    items = [choice("Atelier", {"fr": "Emploi"})]
    assert saved(event.id, items) is True
    (question,) = questions_of(event.id)
    items[0]["id"] = question.id
    items[0]["options"][0]["value"] = "emploi"
    assert saved(event.id, items) is False
    (line,) = lines()
    assert line.action == "event.questions_changed" and line.subject_id == event.id
    assert line.before == {"questions": []} and line.after["questions"][0]["label_fr"] == "Atelier"


def test_another_events_question_is_refused_and_nothing_changes(make_event):
    other, event = make_event(), make_event()
    saved(other.id, [choice("Secret", {"fr": "A"})])
    (foreign,) = questions_of(other.id)
    with pytest.raises(QuestionsRefused) as refused:
        saved(event.id, [choice("Volée", {"fr": "B"}, question_id=foreign.id)])
    assert refused.value.reason == "unknown-question"
    assert questions_of(other.id)[0].label_fr == "Secret" and questions_of(event.id) == []


def test_an_option_someone_chose_cannot_be_removed(make_event):
    event = make_event(capacity=5)
    saved(event.id, [choice("Table", {"fr": "Table 1"}, {"fr": "Table 2"})])
    (question,) = questions_of(event.id)
    rules.register(
        event.id, {"first_name": "A", "email": "a@example.org"}, {str(question.id): "table-2"}
    )
    with pytest.raises(QuestionsRefused) as refused:
        saved(event.id, [choice("Table", {"fr": "Table 1"}, question_id=question.id)])
    assert refused.value.reason == "answered-option-removed"
    renamed = {"value": "table-2", "fr": "Grande table"}
    saved(event.id, [choice("Table", {"fr": "Table 1"}, renamed, question_id=question.id)])
    assert questions_of(event.id)[0].option_label("table-2") == "Grande table"


@pytest.mark.parametrize(
    "options, reason",
    [
        ([], "options-required"),
        ([{"value": "Pas Bon!", "fr": "A"}], "bad-option-value"),
        ([{"value": "a", "fr": "A"}, {"value": "a", "fr": "B"}], "duplicate-option-value"),
    ],
)
def test_options_refusals(make_event, options, reason):
    event = make_event()
    with pytest.raises(QuestionsRefused) as refused:
        saved(event.id, [choice("Table", *options)])
    assert refused.value.reason == reason and refused.value.position == 0


def test_option_value_is_a_unique_slug():
    assert option_value("Santé mentale & logement", set()) == "sante-mentale-logement"
    assert option_value("Emploi", {"emploi"}) == "emploi-2"
    assert option_value("???", set()) == "option"
