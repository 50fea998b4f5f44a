"""Commands: send-reminders (purge-personal-data covers several areas: webapp/worker/cli.py)."""

import click

from webapp.registrations import jobs


def register_commands(app):
    @app.cli.command("send-reminders")
    def send_reminders():
        """Queue reminders for events starting within 48 hours (once per registration)."""
        click.echo(f"{jobs.send_reminders()} reminder(s) queued.")
