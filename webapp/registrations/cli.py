"""Commands: send-reminders (purge-personal-data covers several areas: webapp/worker/cli.py)."""

import click
from flask.cli import with_appcontext

from webapp.registrations import jobs


@click.command("send-reminders")
@with_appcontext
def send_reminders():
    """Queue reminders for events starting within 48 hours (once per registration)."""
    click.echo(f"{jobs.send_reminders()} reminder(s) queued.")


def register_commands(app):
    """Add this module's commands to `flask`."""
    app.cli.add_command(send_reminders)
