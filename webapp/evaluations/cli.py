"""Command: send-evaluations."""

import click
from flask.cli import with_appcontext

from webapp.evaluations import jobs


@click.command("send-evaluations")
@with_appcontext
def send_evaluations():
    """Queue evaluation invitations for events and Grand Bain visits that have ended
    (once per registration or booking) and one reminder to those who have not answered
    after four days."""
    click.echo(f"{jobs.send_evaluations()} evaluation mail(s) queued.")


def register_commands(app):
    """Add this module's commands to `flask`."""
    app.cli.add_command(send_evaluations)
