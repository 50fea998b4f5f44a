"""Writing to the outbox (in the caller's transaction) and delivering from it (the worker).

A message's failure is recorded on that message alone and the worker goes on with the next
one: the attempt is counted before anything is sent, the error is kept, what the server or
the network may let through later is retried with a backoff, and what can only fail again
(`failures.is_permanent`) is marked failed at once.

A worker that loses the database mid-batch keeps its claim and what it knows (a message the
mail server accepted): it waits for the database and records it then, and goes on with its
batch (`_Persistence`). A message whose sending is recorded on no row (the worker killed
between the server's acceptance and the commit) is sent again after STALE_CLAIM: at most one
duplicate per message in flight, never a loss.
"""

import logging
import secrets
import time
from contextlib import ExitStack
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from webapp.addresses import mail_address
from webapp.errors import database_down
from webapp.extensions import db
from webapp.mail import deferred
from webapp.mail.compose import OutboxMail
from webapp.mail.connection import connect
from webapp.mail.failures import describe, is_permanent
from webapp.mail.fields import message_fields, unsubscribe_link
from webapp.mail.headers import one_line
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this belongs to a worker that died mid-batch: the message is retried,
# or given up when the attempt it died on was its last.
STALE_CLAIM = timedelta(minutes=10)
# While the database does not answer, a worker holding a claim asks again after these many
# seconds, doubled each time up to the last.
DATABASE_WAITS = (0.5, 1, 2, 4, 8)
# What a sent or forgotten message no longer needs: the address and everything personal.
_BLANK = {
    "recipient": "",
    "body_text": "",
    "body_html": None,
    "ics": None,
    "reply_to": None,
    "list_unsubscribe": None,
}


def queue_message(
    recipient,
    subject,
    body_text,
    body_html=None,
    ics=None,
    ics_method=None,
    reference=None,
    reply_to=None,
    list_unsubscribe=None,
):
    """Add a message to the outbox; it is sent once the caller's transaction commits.

    Headers become one line and the subject is cut to fit; a recipient that cannot be an
    address (empty, or longer than an address may be) raises ValueError. `reply_to`: where
    answers go (the event's contact, its team), None for none. `list_unsubscribe`: the
    https link that unsubscribes in one click (RFC 8058), for a mail one subscribed to.
    """
    message = OutboxMessage(
        **message_fields(
            recipient,
            subject,
            body_text,
            body_html,
            ics,
            ics_method,
            reference,
            reply_to,
            list_unsubscribe,
        ),
        status=OutboxStatus.PENDING,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def forget(reference):
    """Remove what the outbox holds about `reference` (an erased or purged registration).

    Its messages are deleted, except one being sent right now: that one loses its address and
    content at once, so the attempt under way is its last (a retry finds no address).
    """
    about = OutboxMessage.reference == reference
    db.session.execute(
        delete(OutboxMessage).where(about, OutboxMessage.status != OutboxStatus.SENDING)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(about, OutboxMessage.status == OutboxStatus.SENDING)
        .values(**_BLANK)
    )


def purge_outbox(retention, now=None):
    """Delete sent and failed messages older than `retention`; blank any sent message that
    still holds an address (written before sent messages were blanked). Returns deletions."""
    now = now or utcnow()
    finished = OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED))
    deleted = db.session.execute(
        delete(OutboxMessage).where(finished, OutboxMessage.created_at < now - retention)
    ).rowcount
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.recipient != "")
        .values(**_BLANK)
    )
    logger.info("outbox: %d finished message(s) older than %s deleted", deleted, retention)
    return deleted


def backoff(attempts):
    """Wait before the next try: 1, 2, 4 ... minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def claim_batch(limit=50, now=None):
    """Claim due messages for this worker; no two workers ever claim the same message."""
    now = now or utcnow()
    _recover_stale_claims(now)
    token = secrets.token_hex(16)
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises the UPDATE below
    )
    with unit_of_work("claim-outbox"):
        ids = db.session.scalars(due).all()
        if not ids:
            return []
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENDING, claim_token=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
    ).all()


def _recover_stale_claims(now):
    """Give back the claims of workers that died: a message whose last attempt was under way
    when its worker died is given up, the others wait for the next claim."""
    with unit_of_work("recover-mail-claims"):
        _give_back_stale_claims(now)


def _give_back_stale_claims(now):
    stale = (OutboxMessage.status == OutboxStatus.SENDING) & (
        OutboxMessage.claimed_at < now - STALE_CLAIM
    )
    rows = db.session.execute(select(OutboxMessage.id, OutboxMessage.attempts).where(stale)).all()
    if not rows:
        return
    spent = [message_id for message_id, attempts in rows if attempts >= MAX_ATTEMPTS]
    for message_id in spent:
        logger.warning("outbox message %s: given up (WorkerLost, attempts spent)", message_id)
    lost = "WorkerLost: the worker stopped while sending this message"
    db.session.execute(
        update(OutboxMessage)
        .where(stale, OutboxMessage.id.in_(spent))
        .values(status=OutboxStatus.FAILED, claim_token=None, last_error=lost)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(stale, OutboxMessage.attempts < MAX_ATTEMPTS)
        .values(status=OutboxStatus.PENDING, claim_token=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )


class _SMTPLink:
    """The batch's SMTP connection: opened on demand, reset after a failed message so the next
    one starts a clean SMTP transaction, dropped (and reopened) when it cannot be reset."""

    def __init__(self):
        self._stack = None
        self.connection = None

    def open(self):
        if self.connection is None:
            stack = ExitStack()
            self.connection = stack.enter_context(connect())
            self._stack = stack

    def send(self, mail_message):
        self.connection.send(mail_message)

    def reset(self):
        host = self.connection.host if self.connection else None
        if host is None:
            return
        try:
            host.rset()  # a failure may leave MAIL FROM open: the next MAIL would be refused
        except Exception:
            self.close()

    def close(self):
        if self.connection is None:
            return
        host, stack = self.connection.host, self._stack
        self.connection = self._stack = None
        try:
            stack.close()  # QUIT
        except Exception:
            if host is not None:
                host.close()


def _as_mail(message):
    """The Flask-Mail message; headers made one line again, whatever the row holds."""
    if not one_line(message.recipient):
        raise ValueError("no recipient (erased, or never an address)")
    # Exactly one address reaches the envelope: "anne Bcc: someone@else" folded from a line
    # break is refused here (a ValueError: the message fails at once), never sent.
    recipient = mail_address(message.recipient)
    reply_to = one_line(message.reply_to)
    return OutboxMail(
        subject=one_line(message.subject),
        recipients=[recipient],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=mail_address(reply_to) if reply_to else None,
        ics=message.ics,
        ics_method=message.ics_method,
        list_unsubscribe=unsubscribe_link(message.list_unsubscribe),
    )


class _Persistence:
    """Units of work that must not be lost while the batch's worker lives: one that fails
    because the database does not answer is tried again, with waits, until it answers (or
    the worker is asked to stop: then the error is raised, and the claim waits STALE_CLAIM)."""

    def __init__(self, stop=None, pause=None):
        self.stop = stop or (lambda: False)
        self.pause = pause or time.sleep
        self.away = False

    def keep(self, name, work, *args):
        """`work(*args)`'s result, in a unit of work that commits once the database answers."""
        waits = iter(DATABASE_WAITS)
        wait = None
        while True:
            try:
                with unit_of_work(name):
                    result = work(*args)
            except Exception as error:
                if not database_down(error) or self.stop():
                    raise
                wait = next(waits, wait or DATABASE_WAITS[-1])
                if not self.away:
                    self.away = True
                    logger.warning(
                        "outbox: the database does not answer (%s); the batch is kept, "
                        "trying again",
                        type(getattr(error, "orig", error)).__name__,
                    )
                self.pause(wait)
                continue
            if self.away:
                self.away = False
                logger.info("outbox: the database answers again; the batch goes on")
            return result


def deliver_batch(limit=50, now=None, stop=None, pause=None):
    """Send what is due through one SMTP connection; returns (sent, failed) counts.

    Each message's outcome is recorded on it alone and the batch goes on; only a server that
    cannot be reached postpones the rest of the batch. When `stop()` turns true (the worker
    was asked to stop) the message in hand is finished and the rest given back at once. A
    database that stops answering is waited for (`pause(seconds)`), the claim kept.
    """
    now = now or utcnow()
    # Messages recorded as facts (a booking's notices) are written first: once written and
    # committed they are claimed and sent like any other, in this same batch.
    deferred.write_due(limit)
    claimed = [(m.id, m.claim_token) for m in claim_batch(limit, now)]
    persistence = _Persistence(stop, pause)
    sent = failed = 0
    link = _SMTPLink()
    try:
        for position, (message_id, token) in enumerate(claimed):
            if stop is not None and stop():
                persistence.keep("give-back-mail-claims", _give_back, claimed[position:])
                break
            try:
                link.open()
            except Exception as error:  # the server is down: the rest waits for a retry
                rest = claimed[position:]
                failed += persistence.keep("postpone-mail", _postpone, rest, error, now)
                break
            outcome = _deliver_one(link, message_id, token, now, persistence)
            sent += outcome is True
            failed += outcome is False
    finally:
        link.close()
    return sent, failed


def _deliver_one(link, message_id, token, now, persistence):
    """Send one claimed message: True (sent), False (failed, recorded), None (claim lost)."""
    taken = persistence.keep("count-mail-attempt", _take, message_id, token, now)
    if taken is None:
        return None
    attempt, mail_message = taken
    try:
        if isinstance(mail_message, Exception):
            raise mail_message
        link.send(mail_message)
    except Exception as error:
        persistence.keep("record-mail-failure", _record_attempt_failure, attempt, error, now)
        link.reset()
        return False
    # The server has the message: from here on it must be recorded as sent, however long
    # the database takes to answer, or it would be sent again.
    persistence.keep("mark-mail-sent", _mark_sent, attempt)
    return True


class _Attempt:
    """One attempt at one message: its claim and the attempt count it made (together, the
    attempt's identity: a failure is recorded only on a message that is still this
    attempt's, never over another worker's attempt or a sent message)."""

    def __init__(self, message_id, token, attempts):
        self.message_id, self.token, self.attempts = message_id, token, attempts

    def mine(self):
        return (
            (OutboxMessage.id == self.message_id)
            & (OutboxMessage.claim_token == self.token)
            & (OutboxMessage.attempts == self.attempts)
            & (OutboxMessage.status == OutboxStatus.SENDING)
        )


def _take(message_id, token, now):
    """Count the attempt and commit it before anything is sent, so a message whose sending
    kills the worker still has its attempts counted and is given up after MAX_ATTEMPTS.
    Returns (the attempt, the mail to send, or the error that makes it unsendable); None
    when the claim was lost meanwhile (taken over after STALE_CLAIM)."""
    taken = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claim_token == token,
            OutboxMessage.status == OutboxStatus.SENDING,
        )
        .values(attempts=OutboxMessage.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    try:
        mail_message = _as_mail(message)  # read now: nothing is read between send and record
    except Exception as error:
        mail_message = error
    return _Attempt(message_id, token, message.attempts), mail_message


def _record_attempt_failure(attempt, error, now):
    message = db.session.scalar(select(OutboxMessage).where(attempt.mine()))
    if message is not None:  # else taken over meanwhile: its new attempt will say
        _record_failure(message, error, now)


def _give_back(claimed):
    """Return claimed messages not yet taken to the queue, as they were (no attempt counted),
    so another worker sends them now rather than after STALE_CLAIM."""
    for message_id, token in claimed:
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claim_token == token,
                OutboxMessage.status == OutboxStatus.SENDING,
            )
            .values(status=OutboxStatus.PENDING, claim_token=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )


def _postpone(claimed, error, now):
    """The server cannot be reached: each message still ours counts an attempt and waits."""
    postponed = 0
    for message_id, token in claimed:
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.claim_token != token:
            continue
        message.attempts += 1
        _record_failure(message, error, now, permanent=False)
        postponed += 1
    return postponed


def _record_failure(message, error, now, permanent=None):
    """Keep the error; retry later with a backoff, or give up (permanent, or attempts spent)."""
    if permanent is None:
        permanent = is_permanent(error)
    message.last_error = describe(error)
    message.claim_token = None
    if permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + backoff(message.attempts)
    # Ids only: never the address or the subject.
    logger.warning(
        "outbox message %s: attempt %s failed (%s), %s",
        message.id,
        message.attempts,
        type(error).__name__,
        "given up" if message.status == OutboxStatus.FAILED else "retried later",
    )


def _mark_sent(attempt):
    """Sent: the row keeps what an operator needs (status, times, subject, reference), not
    the address nor the body with its personal link. Whoever holds the message's claim now:
    the server has it, so a worker that took the claim over (this one waited that long for
    the database) finds it sent and does not send it again."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == attempt.message_id)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error=None, claim_token=None)
        .values(**_BLANK)
        .execution_options(synchronize_session=False)
    )


def deliver_all(limit=50, stop=None, pause=None):
    """Send batches until nothing is due (or `stop()` turns true); returns (sent, failed).
    `pause(seconds)` waits for a database that does not answer (time.sleep by default)."""
    total_sent = total_failed = 0
    while True:
        sent, failed = deliver_batch(limit, stop=stop, pause=pause)
        total_sent, total_failed = total_sent + sent, total_failed + failed
        if sent + failed == 0 or sent == 0 or (stop is not None and stop()):
            return total_sent, total_failed
