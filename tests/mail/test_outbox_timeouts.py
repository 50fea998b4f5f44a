"""A mail server that accepts the connection and then stalls never holds the worker: past
MAIL_TIMEOUT the attempt fails for now and is retried with the backoff, never given up."""

import time

import pytest
from sqlalchemy import select

from tests.smtp import SMTPServer, StallingServer
from webapp.extensions import db
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.mail.outbox import backoff, deliver_batch, queue_message
from webapp.timezones import utcnow


@pytest.fixture(
    params=[None, "DATA", "."], ids=["silent-after-connect", "stalled-at-data", "stalled-mid-data"]
)
def stalling(request):
    server = StallingServer(request.param).start()
    yield server
    server.stop()


@pytest.fixture
def app_config(stalling):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": stalling.port, "MAIL_TIMEOUT": 1}


def queued(n):
    message = queue_message(f"anne.{n}@example.org", "Rappel", "Bonjour", "<p>Bonjour</p>")
    db.session.commit()
    return message.id


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_a_stalled_server_postpones_the_messages_within_the_timeout(app, stalling):
    ids = [queued(1), queued(2)]
    now = utcnow()
    started = time.monotonic()
    assert deliver_batch(now=now) == (0, 2)
    # One timeout for the silent server (the rest of the batch waits), one per message for
    # a server that stalls once the message is under way: seconds, not forever. (About 3 s
    # with MAIL_TIMEOUT=1; the bound is loose so that a loaded machine does not fail it.)
    assert time.monotonic() - started < 20
    assert stalling.connections >= 1
    for message in rows():
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
        assert message.next_attempt_at == now + backoff(1)
        assert message.claim_token is None
        assert "timed out" in message.last_error
    assert [message.id for message in rows()] == ids


def test_the_postponed_messages_go_once_the_server_answers_again(app, stalling):
    queued(1)
    queued(2)
    now = utcnow()
    assert deliver_batch(now=now) == (0, 2)
    stalling.stop()
    server = SMTPServer(port=stalling.port).start()  # the same address, answering now
    try:
        assert deliver_batch(now=now + backoff(1)) == (2, 0)
    finally:
        server.stop()
    assert [(m.status, m.attempts) for m in rows()] == [(OutboxStatus.SENT, 2)] * 2
    assert sorted(m["To"] for m in server.inbox.messages) == [
        "anne.1@example.org",
        "anne.2@example.org",
    ]
