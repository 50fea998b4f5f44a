"""Command: send-evaluations."""

import click

from webapp.evaluations import jobs


def register_commands(app):
    @app.cli.command("send-evaluations")
    def send_evaluations():
        """Queue evaluation invitations for events and Grand Bain visits that have ended
        (once per registration or booking) and one reminder to those who have not answered
        after four days."""
        click.echo(f"{jobs.send_evaluations()} evaluation mail(s) queued.")
