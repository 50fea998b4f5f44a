"""Sending again what the outbox gave up on (`send-mail --retry-failed`).

After a day of misconfigured mail server (wrong password, relay refused), the messages of
that day end failed; an operator puts them back in the queue instead of editing rows by hand.
Only failed messages move: sent and pending ones are the worker's. A message whose person was
erased or purged is never sent again: `outbox.forget` deleted it, or blanked it when it was
being sent (no recipient left), and one older than the retention is about to be purged.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from webapp import audit
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.timezones import utcnow

DEFAULT_WINDOW = timedelta(hours=48)


@dataclass(frozen=True)
class Requeued:
    """How many failed messages were (or, in a dry run, would be) put back, per reference
    prefix ("registration:", "grand-bain-visitor:"; "-" for a message without reference)."""

    since: object
    by_prefix: dict

    @property
    def count(self):
        return sum(self.by_prefix.values())


def requeue_failed(
    since=None, reference=None, retention=None, dry_run=False, now=None, ids=None, actor=None
):
    """Put the failed messages created since `since` (default: the last 48 hours) back to
    pending, attempts reset and due now, so the next delivery sends them.

    `reference` keeps the messages whose reference starts with it, `ids` those messages
    (the back office's "send again", within the account's scope). Never older than
    `retention` (they belong to the purge). One audit line by the system, with the count;
    nothing written in a dry run. Flushes; the caller's unit of work commits.
    """
    now = now or utcnow()
    since = since or now - DEFAULT_WINDOW
    if retention is not None:
        since = max(since, now - retention)
    chosen = _requeueable(since, reference)
    if ids is not None:
        chosen.append(OutboxMessage.id.in_(list(ids)))
    if dry_run:
        rows = db.session.execute(select(OutboxMessage.reference).where(*chosen)).all()
        return Requeued(since, _by_prefix(rows))
    # One conditional UPDATE: a message another run requeued (or a purge deleted) meanwhile
    # no longer matches `status = 'failed'`, so none is requeued, hence sent, twice.
    rows = db.session.execute(
        update(OutboxMessage)
        .where(*chosen)
        .values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            claim_token=None,
            claimed_at=None,
        )
        .returning(OutboxMessage.reference)
        .execution_options(synchronize_session=False)
    ).all()
    result = Requeued(since, _by_prefix(rows))
    audit.record(
        actor or audit.SYSTEM,
        AuditAction.OUTBOX_FAILED_REQUEUED,
        "outbox",
        0,  # many messages: the line counts them
        after={
            "count": result.count,
            "since": since,
            "reference": reference,
            "by_prefix": [[prefix, n] for prefix, n in result.by_prefix.items()],  # JSON lists
        },
    )
    db.session.flush()
    return result


def _requeueable(since, reference):
    conditions = [
        OutboxMessage.status == OutboxStatus.FAILED,
        OutboxMessage.created_at >= since,
        # Blanked by `outbox.forget`: the person was erased while it was being sent.
        func.trim(OutboxMessage.recipient) != "",
    ]
    if reference:
        conditions.append(OutboxMessage.reference.startswith(reference, autoescape=True))
    return conditions


def _by_prefix(rows):
    counts = Counter(_prefix(reference) for (reference,) in rows)
    return dict(sorted(counts.items()))


def _prefix(reference):
    if not reference:
        return "-"
    head, colon, _ = reference.partition(":")
    return head + colon
