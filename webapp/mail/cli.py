"""send-mail [--loop] [--retry-failed ...]: deliver what waits in the outbox."""

import logging
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.extensions import db
from webapp.mail.failures import traceback_for_log
from webapp.mail.outbox import deliver_all
from webapp.mail.requeue import requeue_failed
from webapp.timezones import to_local, to_utc, utcnow
from webapp.unit_of_work import unit_of_work

logger = logging.getLogger(__name__)


@click.command("send-mail")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running as a worker.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
@click.option(
    "--retry-failed",
    is_flag=True,
    help="First put the failed messages back in the queue (default: of the last 48 hours).",
)
@click.option(
    "--since",
    type=click.DateTime(),
    help="With --retry-failed: failed messages created since then (local time).",
)
@click.option(
    "--hours",
    type=click.IntRange(min=1),
    help="With --retry-failed: failed messages created in the last N hours.",
)
@click.option(
    "--reference",
    help="With --retry-failed: only messages whose reference starts with this.",
)
@click.option(
    "--dry-run", is_flag=True, help="With --retry-failed: count, change nothing, send nothing."
)
def send_mail(loop, interval, retry_failed, since, hours, reference, dry_run):
    """Send the messages waiting in the outbox, with retries and backoff."""
    if retry_failed:
        _retry_failed(since, hours, reference, dry_run)
        if dry_run:
            return
    elif since or hours or reference or dry_run:
        raise click.UsageError(
            "--since, --hours, --reference and --dry-run go with --retry-failed."
        )
    while True:
        sent, failed = _delivery_round(loop, interval)
        if sent or failed or not loop:
            click.echo(f"{sent} sent, {failed} failed (transient failures are retried).")
        if not loop:
            return
        time.sleep(interval)


def register_commands(app):
    """Add this module's commands to `flask`."""
    app.cli.add_command(send_mail)


def _retry_failed(since, hours, reference, dry_run):
    if since and hours:
        raise click.UsageError("--since or --hours, not both.")
    now = utcnow()
    start = to_utc(since) if since else (now - timedelta(hours=hours) if hours else None)
    retention = timedelta(days=current_app.config["OUTBOX_RETENTION_DAYS"])
    if dry_run:
        result = requeue_failed(start, reference, retention, dry_run=True, now=now)
        db.session.rollback()  # a read only: end its transaction
    else:
        with unit_of_work("requeue-failed-mail"):
            result = requeue_failed(start, reference, retention, now=now)
    window = to_local(result.since).strftime("%Y-%m-%d %H:%M")
    verb = "would be requeued (dry run)" if dry_run else "requeued"
    click.echo(f"{result.count} failed message(s) created since {window} {verb}.")
    for prefix, count in result.by_prefix.items():
        click.echo(f"  {prefix} {count}")


def _delivery_round(loop, interval):
    """One pass over the outbox. A message never stops the worker (its failure is recorded on
    it); a round that fails as a whole (the database away) is logged and the loop goes on."""
    try:
        return deliver_all()
    except Exception as error:
        if not loop:
            raise
        logger.error(
            "send-mail: a delivery round failed (%s); next round in %s s",
            type(error).__name__,
            interval,
            exc_info=traceback_for_log(error),
        )
        db.session.rollback()
        return 0, 0
