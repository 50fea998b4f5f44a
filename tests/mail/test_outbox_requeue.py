"""send-mail --retry-failed: what a refusing server made fail is sent again, once (real SMTP)."""

import threading
from datetime import timedelta

from sqlalchemy import select, update

from tests.edge import personal_data, rules
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.mail.outbox import claim_batch, deliver_all, forget, queue_message
from webapp.mail.requeue import requeue_failed
from webapp.registrations.models import Registration
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

REFUSED = "550 5.7.1 Relaying denied"


def queued(recipient, reference=None, created_ago=None):
    message = queue_message(recipient, "Inscription confirmée", "Bonjour,", reference=reference)
    if created_ago is not None:
        message.created_at = utcnow() - created_ago
    db.session.commit()
    return message.id


def failing(smtp, *messages):
    """Queue (recipient, reference[, age]) messages that the server refuses: they fail."""
    for recipient, *_ in messages:
        smtp.inbox.refuse[recipient] = REFUSED
    ids = [queued(*message) for message in messages]
    deliver_all()
    smtp.inbox.refuse.clear()  # the server is repaired
    assert {row.status for row in rows(ids)} == {OutboxStatus.FAILED}
    return ids


def rows(ids):
    db.session.expire_all()
    return [db.session.get(OutboxMessage, message_id) for message_id in ids]


def snapshot():
    db.session.expire_all()
    table = OutboxMessage.__table__
    return db.session.execute(select(table).order_by(table.c.id)).all()


def received(smtp, address):
    return len(smtp.inbox.to(address))


def retry(app, *args):
    return app.test_cli_runner().invoke(args=["send-mail", "--retry-failed", *args])


def audit_lines():
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "outbox.failed_requeued")
    ).all()


def test_failed_messages_are_sent_again_exactly_once_and_nothing_else_moves(app, smtp):
    sent = queued("deja@example.org", "registration:1")
    assert deliver_all() == (1, 0)
    failed = failing(
        smtp,
        ("anne.1@example.org", "registration:2"),
        ("anne.2@example.org", "grand-bain-visitor:3"),
        ("anne.3@example.org", None),
        ("ancien@example.org", "registration:4", timedelta(hours=50)),  # out of the window
    )
    recent, old = failed[:3], failed[3]
    later = queued("plus.tard@example.org", "registration:5")  # pending, due in an hour
    due_later = utcnow() + timedelta(hours=1)
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == later).values(next_attempt_at=due_later)
    )
    db.session.commit()
    untouched = {m.id: m for m in snapshot() if m.id in (sent, old, later)}

    result = retry(app)

    assert result.exit_code == 0, result.output
    assert "3 failed message(s) created since" in result.output
    assert "3 sent, 0 failed" in result.output
    for address in ("anne.1@example.org", "anne.2@example.org", "anne.3@example.org"):
        assert received(smtp, address) == 1
    assert received(smtp, "deja@example.org") == 1
    assert received(smtp, "ancien@example.org") == received(smtp, "plus.tard@example.org") == 0
    assert {m.status for m in rows(recent)} == {OutboxStatus.SENT}
    assert [m.attempts for m in rows(recent)] == [1, 1, 1]  # counted again from zero
    assert {m.id: m for m in snapshot() if m.id in untouched} == untouched
    (line,) = audit_lines()
    assert (line.actor_kind, line.after["count"]) == ("system", 3)
    assert line.after["by_prefix"] == [["-", 1], ["grand-bain-visitor:", 1], ["registration:", 1]]

    # Once sent, a second run finds nothing to send again.
    again = retry(app)
    assert "0 failed message(s)" in again.output and "0 sent" in again.output
    assert len(smtp.inbox.messages) == 4


def test_the_window_is_chosen_but_never_reaches_past_the_retention(app, smtp):
    day, week, beyond = failing(
        smtp,
        ("jour@example.org", "registration:1", timedelta(hours=30)),
        ("semaine@example.org", "registration:2", timedelta(days=6)),
        ("vieux@example.org", "registration:3", timedelta(days=40)),  # retention: 30 days
    )
    assert "1 failed message(s)" in retry(app, "--hours", "36").output
    since = (utcnow() - timedelta(days=60)).strftime("%Y-%m-%d %H:%M:%S")
    assert "1 failed message(s)" in retry(app, "--since", since).output
    assert [m.status for m in rows([day, week, beyond])] == [
        OutboxStatus.SENT,
        OutboxStatus.SENT,
        OutboxStatus.FAILED,
    ]
    assert received(smtp, "vieux@example.org") == 0


def test_dry_run_counts_by_prefix_and_changes_nothing(app, smtp):
    failing(
        smtp,
        ("anne.1@example.org", "registration:1"),
        ("anne.2@example.org", "registration:2"),
        ("anne.3@example.org", "grand-bain-visitor:7"),
    )
    before = snapshot()

    result = retry(app, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "3 failed message(s) created since" in result.output
    assert "would be requeued" in result.output
    assert "  registration: 2" in result.output
    assert "  grand-bain-visitor: 1" in result.output
    assert "sent" not in result.output  # no delivery either
    assert snapshot() == before
    assert smtp.inbox.messages == [] and audit_lines() == []


def test_reference_keeps_the_messages_of_that_prefix(app, smtp):
    registration, visitor = failing(
        smtp,
        ("anne.1@example.org", "registration:1"),
        ("anne.2@example.org", "grand-bain-visitor:7"),
    )
    # "_" and "%" are literal: "registration_" is no pattern matching "registration:".
    assert "0 failed message(s)" in retry(app, "--reference", "registration_").output
    assert "0 failed message(s)" in retry(app, "--reference", "%").output

    result = retry(app, "--reference", "registration:")

    assert "1 failed message(s)" in result.output and "1 sent" in result.output
    assert received(smtp, "anne.1@example.org") == 1
    assert received(smtp, "anne.2@example.org") == 0
    assert [m.status for m in rows([registration, visitor])] == [
        OutboxStatus.SENT,
        OutboxStatus.FAILED,
    ]


def test_an_erased_persons_failed_message_is_never_sent_again(app, smtp, make_event, person):
    event = make_event(capacity=5)
    smtp.inbox.refuse["anne.1@example.org"] = REFUSED
    smtp.inbox.refuse["anne.2@example.org"] = REFUSED
    erased = rules.register(event.id, person(1)).registration
    kept = rules.register(event.id, person(2)).registration
    deliver_all()
    smtp.inbox.refuse.clear()
    personal_data.erase(erased.id)
    # Erased while its message was being sent: the row is blanked, then fails (no address).
    blanked = queued("anne.9@example.org", "registration:999")
    (claimed,) = claim_batch()
    assert claimed.id == blanked
    with unit_of_work():
        forget("registration:999")
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == blanked)
        .values(status=OutboxStatus.FAILED, claim_token=None)
    )
    db.session.commit()

    result = retry(app)

    assert "1 failed message(s)" in result.output and "1 sent" in result.output
    assert received(smtp, "anne.2@example.org") == 1
    assert received(smtp, "anne.1@example.org") == 0
    assert len(smtp.inbox.messages) == 1
    assert db.session.get(Registration, kept.id).email == "anne.2@example.org"
    (row,) = rows([blanked])
    assert (row.status, row.recipient) == (OutboxStatus.FAILED, "")


def test_two_runs_at_once_requeue_each_message_once(app, smtp):
    ids = failing(smtp, *[(f"anne.{n}@example.org", f"registration:{n}") for n in range(6)])
    counts, start = [], threading.Barrier(2)

    def run():
        with app.app_context():
            start.wait()
            with unit_of_work():
                counts.append(requeue_failed().count)
            db.session.remove()

    db.session.rollback()  # SQLite: no read of ours holds the file while they write
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(counts) == 2 and sum(counts) == 6  # together: each message once
    assert deliver_all() == (6, 0)
    assert len(smtp.inbox.messages) == 6
    assert {m.status for m in rows(ids)} == {OutboxStatus.SENT}


def test_options_of_the_retry_alone_are_refused(app, smtp):
    (failed,) = failing(smtp, ("anne.1@example.org", "registration:1"))
    before = snapshot()
    runner = app.test_cli_runner()
    for args in (
        ["send-mail", "--dry-run"],
        ["send-mail", "--hours", "3"],
        ["send-mail", "--retry-failed", "--hours", "3", "--since", "2026-01-01"],
        ["send-mail", "--retry-failed", "--hours", "0"],
        ["send-mail", "--retry-failed", "--since", "hier"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 2, (args, result.output)
    assert snapshot() == before and smtp.inbox.messages == []
