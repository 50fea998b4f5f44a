"""Commands that load across areas: demo-data, import-events."""

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from webapp.agenda.importer import ImportProblem
from webapp.agenda.models import Event
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work


@click.command("demo-data")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only when the database holds no event yet.")
def demo_data(if_empty):
    """Load the bassins, communes and a realistic agenda (idempotent)."""
    from webapp.loading.demo import load_demo_data

    if if_empty and db.session.scalar(select(Event.id).limit(1)) is not None:
        click.echo("Demo data: the database already holds events, left as it is.")
        return
    with unit_of_work("demo-data"):
        results = load_demo_data()
    click.echo(f"Demo data: {len(results)} events loaded or updated.")


@click.command("import-events")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--no-notify",
    is_flag=True,
    help="Tell no registrant of moved or cancelled events (loading history).",
)
def import_events_command(path, no_notify):
    """Create or update (by external_id) the events of a JSON file; all or nothing."""
    from webapp.loading.events import import_events

    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{path} is not a readable JSON file: {error}") from error
    try:
        with unit_of_work("import-events"):
            changes = import_events(data, notify=not no_notify)
            lines = [{"external_id": c.event.external_id, "id": c.event.id} for c in changes]
    except ImportProblem as problem:
        raise click.ClickException(f"Nothing was imported: {problem}") from problem
    except SQLAlchemyError as error:
        # Its text would quote the rows (registrants' names): name the error's kind only.
        db.session.rollback()
        kind = type(getattr(error, "orig", None) or error).__name__
        raise click.ClickException(
            f"Nothing was imported: the database refused the data ({kind})"
        ) from None
    for line in lines:
        click.echo(json.dumps(line))


def register_commands(app):
    """Add this module's commands to `flask`."""
    app.cli.add_command(demo_data)
    app.cli.add_command(import_events_command)
