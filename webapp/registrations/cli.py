"""Commands: send-reminders, purge-personal-data."""

from datetime import timedelta

import click

from webapp.registrations import jobs


def register_commands(app):
    @app.cli.command("send-reminders")
    def send_reminders():
        """Queue reminders for events starting within 48 hours (once per registration)."""
        click.echo(f"{jobs.send_reminders()} reminder(s) queued.")

    @app.cli.command("purge-personal-data")
    @click.option("--older-than-months", type=click.IntRange(min=1), default=None)
    def purge_personal_data(older_than_months):
        """Anonymise registrations of events older than the retention period; delete their
        messages and every sent or failed message older than OUTBOX_RETENTION_DAYS."""
        months = older_than_months or app.config["PERSONAL_DATA_RETENTION_MONTHS"]
        retention = timedelta(days=app.config["OUTBOX_RETENTION_DAYS"])
        count = jobs.purge(months, outbox_retention=retention)
        click.echo(f"{count} registration(s) anonymised (events ended over {months} months ago).")
