"""Writing to the outbox (in the caller's transaction) and delivering from it (the worker)."""

import secrets
from datetime import timedelta

from flask import current_app
from flask_mail import Attachment, Message
from sqlalchemy import or_, select, update

from webapp.extensions import db, mail
from webapp.mail.models import OutboxMessage
from webapp.timezones import utcnow

MAX_ATTEMPTS = 8
# A claim older than this belongs to a worker that died mid-batch: the message is retried.
STALE_CLAIM = timedelta(minutes=10)


def queue_message(recipient, subject, body_text, body_html=None, ics=None, ics_method=None):
    """Add a message to the outbox; it is sent once the caller's transaction commits."""
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ics=ics,
        ics_method=ics_method,
        status="pending",
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def backoff(attempts):
    """Wait before the next try: 1, 2, 4 ... minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def claim_batch(limit=50, now=None):
    """Claim due messages for this worker; no two workers ever claim the same message."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    due = (
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == "sending")
                & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises the UPDATE below
    )
    ids = db.session.scalars(due).all()
    if not ids:
        db.session.rollback()
        return []
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            or_(
                OutboxMessage.status == "pending",
                (OutboxMessage.status == "sending")
                & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(status="sending", claim_token=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
    ).all()


def _as_mail(message):
    mail_message = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    if message.ics:
        method = message.ics_method or "PUBLISH"
        mail_message.attachments.append(
            Attachment(
                filename="invite.ics",
                content_type=f"text/calendar; charset=utf-8; method={method}",
                data=message.ics.encode("utf-8"),
            )
        )
    return mail_message


def deliver_batch(limit=50, now=None):
    """Send what is due through one SMTP connection; returns (sent, failed) counts."""
    messages = claim_batch(limit, now)
    if not messages:
        return 0, 0
    sent = failed = 0
    try:
        with mail.connect() as connection:
            for message in messages:
                try:
                    connection.send(_as_mail(message))
                except OSError as error:  # smtplib errors included: recorded, retried later
                    _record_failure(message, error)
                    failed += 1
                else:
                    message.status, message.sent_at, message.last_error = "sent", utcnow(), None
                    sent += 1
                db.session.commit()
    except OSError as error:  # the server is down or went away: the rest waits for a retry
        for message in messages:
            if message.status == "sending":
                _record_failure(message, error)
                failed += 1
        db.session.commit()
    return sent, failed


def _record_failure(message, error):
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
    else:
        message.status = "pending"
        message.next_attempt_at = utcnow() + backoff(message.attempts)
    message.claim_token = None


def deliver_all(limit=50):
    """Send batches until nothing is due; returns (sent, failed)."""
    total_sent = total_failed = 0
    while True:
        sent, failed = deliver_batch(limit)
        total_sent, total_failed = total_sent + sent, total_failed + failed
        if sent + failed == 0 or sent == 0:
            return total_sent, total_failed
