"""Commands: load-territory, refresh-occurrences (demo-data and import-events, which also
load registrations, are in webapp/loading/cli.py)."""

import click
from flask.cli import with_appcontext

from webapp.unit_of_work import unit_of_work


@click.command("load-territory")
@with_appcontext
def load_territory_command():
    """Load or update the five bassins and their communes only."""
    from webapp.agenda.territory import load_territory

    with unit_of_work("load-territory"):
        load_territory()
    click.echo("Bassins and communes loaded.")


@click.command("refresh-occurrences")
@with_appcontext
def refresh_occurrences_command():
    """Re-index the dates of repeating events (run nightly: open rules reach 2 years ahead)."""
    from webapp.agenda.changes import refresh_recurring_occurrences

    with unit_of_work("refresh-occurrences"):
        count = refresh_recurring_occurrences()
    click.echo(f"{count} repeating event(s) re-indexed.")


def register_commands(app):
    """Add this module's commands to `flask`."""
    app.cli.add_command(load_territory_command)
    app.cli.add_command(refresh_occurrences_command)
