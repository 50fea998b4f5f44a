"""Commands: demo-data, import-events."""

import json

import click
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from webapp.agenda.importer import ImportProblem, import_events
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work


def register_commands(app: Flask):
    @app.cli.command("demo-data")
    @click.option("--if-empty", is_flag=True, help="Only when the database holds no event yet.")
    def demo_data(if_empty):
        """Load the bassins, communes and a realistic agenda (idempotent)."""
        from sqlalchemy import select

        from webapp.agenda.demo import load_demo_data
        from webapp.agenda.models import Event

        if if_empty and db.session.scalar(select(Event.id).limit(1)) is not None:
            click.echo("Demo data: the database already holds events, left as it is.")
            return

        results = load_demo_data()
        click.echo(f"Demo data: {len(results)} events loaded or updated.")

    @app.cli.command("load-territory")
    def load_territory_command():
        """Load or update the five bassins and their communes only."""
        from webapp.agenda.territory import load_territory

        load_territory()
        db.session.commit()
        click.echo("Bassins and communes loaded.")

    @app.cli.command("refresh-occurrences")
    def refresh_occurrences_command():
        """Re-index the dates of repeating events (run nightly: open rules reach 2 years ahead)."""
        from webapp.agenda.changes import refresh_recurring_occurrences

        with unit_of_work("refresh-occurrences"):
            count = refresh_recurring_occurrences()
        click.echo(f"{count} repeating event(s) re-indexed.")

    @app.cli.command("import-events")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def import_events_command(path):
        """Create or update (by external_id) the events of a JSON file; all or nothing."""
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise click.ClickException(f"{path} is not a readable JSON file: {error}") from error
        from webapp.agenda.territory import load_territory

        load_territory()
        try:
            results = import_events(data)
        except ImportProblem as problem:
            raise click.ClickException(f"Nothing was imported: {problem}") from problem
        except SQLAlchemyError as error:
            # Its text would quote the rows (registrants' names): name the error's kind only.
            db.session.rollback()
            kind = type(getattr(error, "orig", None) or error).__name__
            raise click.ClickException(
                f"Nothing was imported: the database refused the data ({kind})"
            ) from None
        for external_id, event_id in results:
            click.echo(json.dumps({"external_id": external_id, "id": event_id}))
