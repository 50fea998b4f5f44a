"""send-mail [--loop]: deliver what waits in the outbox."""

import time

import click

from webapp.mail.outbox import deliver_all


def register_commands(app):
    @app.cli.command("send-mail")
    @click.option("--loop", is_flag=True, help="Keep running as a worker.")
    @click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
    def send_mail(loop, interval):
        """Send the messages waiting in the outbox, with retries and backoff."""
        while True:
            sent, failed = deliver_all()
            if sent or failed or not loop:
                click.echo(f"{sent} sent, {failed} failed (will be retried).")
            if not loop:
                return
            time.sleep(interval)
