"""No join leads from an answer to a person or a token: the schema says so."""

import pytest
from sqlalchemy import Date
from sqlalchemy.exc import IntegrityError

from webapp.evaluations.models import Answer
from webapp.extensions import db
from webapp.timezones import local_today

PERSONAL = (
    "invitation",
    "registration",
    "booking",
    "visitor",
    "token",
    "email",
    "person",
    "name",
    "account",
    "slot",
)
# The tables that know who was invited: an answer must never lead to one of their rows.
PEOPLE = {
    "evaluation_invitations",
    "registrations",
    "check_ins",
    "grand_bain_bookings",
    "grand_bain_visitors",
}


def test_answers_have_no_foreign_key_but_the_event_or_offer_and_no_personal_column(app):
    table = db.metadata.tables["evaluation_answers"]
    assert {fk.column.table.name for fk in table.foreign_keys} == {"events", "grand_bain_offers"}
    for column in table.columns:
        assert not any(word in column.name for word in PERSONAL), column.name
    assert {c.name for c in table.columns} == {
        "id",
        "event_id",
        "offer_id",
        "day",
        "channel",
        "values",
        "quote_key",
        "quote_text",
    }


def test_the_channel_is_a_flag_of_two_values_and_the_database_refuses_others(app, make_event):
    from webapp.evaluations.states import AnswerChannel

    assert [c.value for c in AnswerChannel] == ["invited", "open_link"]
    event = make_event()
    db.session.add(Answer(event_id=event.id, day=local_today(), channel="alice", values={}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_open_link_claim_holds_a_keyed_hash_and_no_link_to_an_answer(app):
    from webapp.evaluations.open_link import client_key

    table = db.metadata.tables["evaluation_open_claims"]
    assert {c.name for c in table.columns} == {"form_id", "client_key", "expires_at"}
    assert {fk.column.table.name for fk in table.foreign_keys} == {"evaluation_forms"}
    key = client_key(7, "203.0.113.9", "secret")
    assert len(key) == 64 and "203.0.113.9" not in key
    assert client_key(7, "203.0.113.9", "other secret") != key  # keyed: no lookup table
    assert client_key(8, "203.0.113.9", "secret") != key  # per form: no link between forms
    assert client_key(7, "2001:db8:1:2::a", "s") == client_key(7, "2001:db8:1:2::b", "s")


def reached_from(name):
    """Every table whose one row an answer's row names by following foreign keys (each hop
    names one row: the only joins that could single out a person)."""
    seen, todo = set(), [name]
    while todo:
        table = db.metadata.tables[todo.pop()]
        for fk in table.foreign_keys:
            target = fk.column.table.name
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_no_chain_of_foreign_keys_leads_from_an_answer_to_a_person_or_a_token(app):
    reached = reached_from("evaluation_answers")
    assert {"events", "grand_bain_offers"} <= reached
    assert reached & PEOPLE == set()


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


def test_an_answer_about_nothing_is_refused_by_the_database(app):
    db.session.add(Answer(day=local_today(), values={}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
