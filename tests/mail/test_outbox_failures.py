"""A message that cannot be sent fails alone: the worker records it and goes on (real SMTP)."""

import logging
from datetime import timedelta

import flask_mail
import pytest
from sqlalchemy import update

from webapp.extensions import db
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.mail.outbox import MAX_ATTEMPTS, STALE_CLAIM, deliver_all, deliver_batch, queue_message
from webapp.timezones import utcnow


def queued(recipient, subject="Rappel : concertation", body="Bonjour,\n\nÀ bientôt."):
    message = queue_message(recipient, subject, body, f"<p>{body}</p>")
    db.session.commit()
    return message.id


def row(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_poison_messages_fail_alone_and_the_innocent_ones_behind_them_are_sent(app, smtp, caplog):
    smtp.inbox.refuse["parti@example.org"] = "550 5.1.1 <parti@example.org>: no such mailbox"
    first = queued("anne.1@example.org")
    accented = queued("josé@exemple.be")  # a local part that needs SMTPUTF8
    refused = queued("parti@example.org")
    last = queued("anne.3@example.org")
    with caplog.at_level(logging.WARNING, logger="webapp.mail"):
        assert deliver_all() == (2, 2)  # returns normally
    assert sorted(m["To"] for m in smtp.inbox.messages) == [
        "anne.1@example.org",
        "anne.3@example.org",
    ]
    for poison in (accented, refused):
        message = row(poison)
        assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
        assert message.last_error
    assert row(refused).last_error.startswith("SMTPRecipientsRefused: 550")
    assert "parti@" not in row(refused).last_error
    assert {row(first).status, row(last).status} == {OutboxStatus.SENT}
    # One line per failure, with the id, the attempt and the error class; no address, no subject.
    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 2
    assert f"outbox message {refused}: attempt 1 failed (SMTPRecipientsRefused)" in failures[1]
    assert "@" not in caplog.text and "Rappel" not in caplog.text


def test_line_breaks_written_into_a_row_never_reach_the_headers(app, smtp):
    innocent = queued("anne.1@example.org")
    injected = queued("anne.2@example.org")
    # A row written by older code or by hand: the worker cleans the headers again.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == injected)
        .values(
            subject="Rappel\r\nBcc: victime@example.org\r\n\r\nFaux corps",
            recipient="anne.2@example.org\nBcc: victime@example.org",
        )
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == innocent)
        .values(subject="Rappel\r\nBcc: victime@example.org\r\n\r\nFaux corps")
    )
    db.session.commit()
    assert deliver_all() == (1, 1)
    (message,) = smtp.inbox.to("anne.1@example.org")
    assert message["Subject"] == "Rappel Bcc: victime@example.org Faux corps"
    assert message["Bcc"] is None and "Faux corps" not in message.get_body(("plain",)).get_content()
    # A recipient that is not exactly one address is never sent: the message fails at once.
    assert [rcpts for _, rcpts in smtp.inbox.envelopes] == [["anne.1@example.org"]]
    assert row(innocent).status == OutboxStatus.SENT
    assert row(injected).status == OutboxStatus.FAILED


def test_queued_headers_are_one_line_and_the_subject_is_cut_to_fit(app):
    message = row(queued("anne.1@example.org\r\n", "Rappel\r\nBcc: x@example.org " + "é" * 400))
    assert message.recipient == "anne.1@example.org"
    assert message.subject.startswith("Rappel Bcc: x@example.org éé")
    assert len(message.subject) == 300 and message.subject.endswith("…")


def test_a_recipient_refused_for_now_is_retried_with_backoff(app, smtp):
    smtp.inbox.refuse["anne.1@example.org"] = "451 4.3.0 Try again later"
    busy = queued("anne.1@example.org")
    assert deliver_batch() == (0, 1)
    message = row(busy)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.next_attempt_at > utcnow() and message.last_error.startswith(
        "SMTPRecipientsRefused: 451"
    )
    del smtp.inbox.refuse["anne.1@example.org"]
    assert deliver_batch() == (0, 0)  # not due yet
    assert deliver_batch(now=utcnow() + timedelta(minutes=2)) == (1, 0)
    assert row(busy).attempts == 2 and len(smtp.inbox.to("anne.1@example.org")) == 1


def test_a_server_that_goes_away_mid_batch_delays_the_rest_without_failing_it(app, smtp):
    ids = [queued(f"anne.{n}@example.org") for n in range(3)]
    real_send = flask_mail.Connection.send

    def send_then_vanish(connection, message):
        real_send(connection, message)
        smtp.stop()  # the server goes away after the first message

    flask_mail.Connection.send = send_then_vanish
    try:
        assert deliver_batch() == (1, 2)
    finally:
        flask_mail.Connection.send = real_send
    assert [row(i).status for i in ids] == ["sent", "pending", "pending"]
    assert [row(i).attempts for i in ids] == [1, 1, 1]


class WorkerKilled(BaseException):
    """The process dies (killed, out of memory) while a message is being sent."""


def test_a_message_that_kills_the_worker_is_given_up_after_max_attempts(app, smtp, monkeypatch):
    killer = queued("anne.1@example.org", subject="Fatal")
    innocent = queued("anne.2@example.org")
    real_send = flask_mail.Connection.send

    def send(connection, message):
        if message.subject == "Fatal":
            raise WorkerKilled
        real_send(connection, message)

    monkeypatch.setattr(flask_mail.Connection, "send", send)
    now = utcnow()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with pytest.raises(WorkerKilled):
            deliver_batch(now=now)
        db.session.rollback()  # the process is gone: it records nothing more
        assert (row(killer).status, row(killer).attempts) == (OutboxStatus.SENDING, attempt)
        assert deliver_batch(now=now + STALE_CLAIM / 2) == (0, 0)  # still claimed
        now += STALE_CLAIM + timedelta(seconds=1)
    assert deliver_batch(now=now) == (1, 0)
    assert (row(killer).status, row(killer).attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert row(killer).last_error.startswith("WorkerLost")
    assert row(innocent).status == OutboxStatus.SENT
    assert [m["To"] for m in smtp.inbox.messages] == ["anne.2@example.org"]


def test_a_sent_message_keeps_no_address_and_no_body(app, smtp):
    message = queue_message(
        "anne.1@example.org", "Rappel", "Texte", "<p>Texte</p>", "BEGIN:VCALENDAR", "REQUEST"
    )
    db.session.commit()
    message_id = message.id
    assert deliver_all() == (1, 0)
    sent = row(message_id)
    assert (sent.status, sent.subject, sent.attempts) == (OutboxStatus.SENT, "Rappel", 1)
    assert (sent.recipient, sent.body_text, sent.body_html, sent.ics) == ("", "", None, None)
    assert sent.sent_at is not None and sent.last_error is None


def test_send_mail_loop_survives_a_round_that_fails(app, monkeypatch):
    """--loop keeps running when a whole round fails (the database away for a moment)."""
    from webapp.mail import cli

    outcomes = [RuntimeError("database away"), (1, 0)]

    def deliver_all():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def sleep(seconds):
        if not outcomes:
            raise KeyboardInterrupt  # stops the worker after its second round

    monkeypatch.setattr(cli, "deliver_all", deliver_all)
    monkeypatch.setattr(cli.time, "sleep", sleep)
    result = app.test_cli_runner().invoke(args=["send-mail", "--loop", "--interval", "0"])
    assert "1 sent, 0 failed" in result.output and outcomes == []
