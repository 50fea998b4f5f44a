"""Messages recorded as facts and written by the worker (webapp.mail.deferred): written and
sent once after the commit, never for a change rolled back, kept when a worker dies while
writing, dropped (and logged) when they cannot be written."""

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from tests.conftest import make_config, postgresql_only
from tests.registrations.test_concurrency import run_at_once
from webapp import create_app
from webapp.extensions import db
from webapp.mail import deferred
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.mail.outbox import deliver_all
from webapp.unit_of_work import unit_of_work

WRITER = "tests-note"
written = []  # the facts each call of the writer got
trouble = {}  # what the next call of the writer raises, if anything


@deferred.writer(WRITER)
def _write_note(facts):
    written.append(facts)
    if trouble:
        raise trouble.pop("error")
    if facts.get("gone"):
        return None
    return {
        "recipient": facts["to"],
        "subject": f"Note {facts['n']}",
        "body_text": f"Bonjour, note {facts['n']}.",
        "body_html": f"<p>Bonjour, note {facts['n']}.</p>",
        "reply_to": "equipe@bassin.be",
        "reference": f"note:{facts['n']}",
    }


@pytest.fixture(autouse=True)
def fresh_writer():
    written.clear()
    trouble.clear()


def record(n, to="anne@example.org", **facts):
    with unit_of_work("record a note"):
        return deferred.defer(to, WRITER, {"n": n, "to": to, **facts}, reference=f"note:{n}").id


def statuses():
    return db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()


def test_a_recorded_message_is_written_by_the_worker_and_sent_once(app, smtp):
    record(1)
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == OutboxStatus.UNWRITTEN and written == []  # nothing rendered yet
    assert deliver_all() == (1, 0)
    (message,) = smtp.inbox.to("anne@example.org")
    assert message["Subject"] == "Note 1"
    assert message["Reply-To"] == "equipe@bassin.be"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_body(("plain",)).get_content().strip() == "Bonjour, note 1."
    assert message.get_body(("html",)).get_content().strip() == "<p>Bonjour, note 1.</p>"
    assert deliver_all() == (0, 0)
    assert len(smtp.inbox.to("anne@example.org")) == 1 and len(written) == 1
    assert statuses() == [OutboxStatus.SENT]


def test_a_change_rolled_back_records_nothing(app, smtp):
    with pytest.raises(RuntimeError), unit_of_work("refused"):
        deferred.defer("anne@example.org", WRITER, {"n": 1, "to": "anne@example.org"})
        db.session.flush()
        raise RuntimeError("the booking is refused")
    assert statuses() == []
    assert deliver_all() == (0, 0) and written == []


def test_a_worker_that_loses_the_database_while_writing_leaves_it_for_the_next(app, smtp):
    record(1)
    trouble["error"] = OperationalError("SELECT", {}, Exception("server closed the connection"))
    with pytest.raises(OperationalError):
        deferred.write_due()
    db.session.rollback()
    assert statuses() == [OutboxStatus.UNWRITTEN]  # committed with the change: still there
    assert deliver_all() == (1, 0)
    assert deliver_all() == (0, 0)
    assert len(smtp.inbox.to("anne@example.org")) == 1


def test_one_that_cannot_be_written_is_logged_and_dropped_the_others_are_sent(app, smtp, caplog):
    record(1)
    record(2, to="bert@example.org")
    trouble["error"] = KeyError("booking")
    with caplog.at_level(logging.ERROR, logger="webapp.mail.deferred"):
        assert deliver_all() == (1, 0)
    assert "the tests-note message could not be written (KeyError)" in caplog.text
    assert "anne@example.org" not in caplog.text
    assert smtp.inbox.to("anne@example.org") == []
    assert [m["Subject"] for m in smtp.inbox.to("bert@example.org")] == ["Note 2"]
    assert statuses() == [OutboxStatus.SENT]


def test_nothing_to_say_any_more_drops_it(app, smtp):
    record(1, gone=True)
    assert deliver_all() == (0, 0)
    assert statuses() == [] and len(written) == 1


def test_erasing_the_reference_before_it_is_written_forgets_it(app, smtp):
    from webapp.mail.outbox import forget

    record(1)
    with unit_of_work("erase"):
        forget("note:1")
    assert deliver_all() == (0, 0) and written == [] and statuses() == []


def test_an_address_that_cannot_be_one_is_refused_when_recorded(app):
    with pytest.raises(ValueError), unit_of_work("record"):
        deferred.defer("", WRITER, {"n": 1, "to": ""})
    with pytest.raises(LookupError), unit_of_work("record"):
        deferred.defer("anne@example.org", "no-such-writer", {})
    assert statuses() == []


@postgresql_only
def test_workers_writing_at_once_write_and_send_each_message_once(database_url, smtp):
    from tests.smtp import mail_config

    app = create_app(make_config(database_url, **mail_config(smtp)))
    with app.app_context():
        for n in range(20):
            record(n, to=f"person.{n}@example.org")
        db.session.remove()
    errors = run_at_once(app, [deliver_all for _ in range(4)])
    assert errors == []
    with app.app_context():
        assert statuses() == [OutboxStatus.SENT] * 20
    assert len(written) == 20
    for n in range(20):
        assert [m["Subject"] for m in smtp.inbox.to(f"person.{n}@example.org")] == [f"Note {n}"]
