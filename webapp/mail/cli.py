"""send-mail [--loop]: deliver what waits in the outbox."""

import logging
import time

import click

from webapp.extensions import db
from webapp.mail.failures import traceback_for_log
from webapp.mail.outbox import deliver_all

logger = logging.getLogger(__name__)


def register_commands(app):
    @app.cli.command("send-mail")
    @click.option("--loop", is_flag=True, help="Keep running as a worker.")
    @click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
    def send_mail(loop, interval):
        """Send the messages waiting in the outbox, with retries and backoff."""
        while True:
            sent, failed = _delivery_round(loop, interval)
            if sent or failed or not loop:
                click.echo(f"{sent} sent, {failed} failed (transient failures are retried).")
            if not loop:
                return
            time.sleep(interval)


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
