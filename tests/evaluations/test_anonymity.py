"""No join leads from an answer to a person or a token: the schema says so."""

from sqlalchemy import Date

from webapp.evaluations.models import Answer
from webapp.extensions import db

PERSONAL = ("invitation", "registration", "token", "email", "person", "name", "account")


def test_answers_have_no_foreign_key_but_the_event_and_no_personal_column(app):
    table = db.metadata.tables["evaluation_answers"]
    assert {fk.column.table.name for fk in table.foreign_keys} == {"events"}
    for column in table.columns:
        assert not any(word in column.name for word in PERSONAL), column.name
    assert {c.name for c in table.columns} == {
        "id",
        "event_id",
        "day",
        "values",
        "quote_key",
        "quote_text",
    }


def test_no_other_table_points_at_an_answer(app):
    for table in db.metadata.tables.values():
        assert "evaluation_answers" not in {fk.column.table.name for fk in table.foreign_keys}


def test_an_answer_is_dated_to_the_day_and_keyed_by_a_random_uuid(app):
    table = Answer.__table__
    assert isinstance(table.c.day.type, Date)
    assert not any("_at" in c.name or "time" in c.name for c in table.columns)
    assert table.c.id.autoincrement is not True
    first, second = Answer.id.default.arg(None), Answer.id.default.arg(None)
    assert len(first) == 36 and first != second
