"""Commands: worker (the outbox and the scheduled jobs in one long-running process), and
purge-personal-data (the nightly purge, by hand)."""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.worker import (
    models,  # noqa: F401  the job_runs table belongs to the schema
    retention,
)
from webapp.worker.loop import Worker


@click.command("worker")
@with_appcontext
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="One round (the jobs due, the outbox), then exit.")
def worker(interval, once):
    """Deliver the outbox and run the scheduled jobs (reminders hourly; occurrence refresh
    and personal-data purge nightly); safe on several servers; stops on SIGTERM."""
    runner = Worker(interval=interval)
    if once:
        runner.round()
    else:
        runner.run()


@click.command("purge-personal-data")
@with_appcontext
@click.option("--older-than-months", type=click.IntRange(min=1), default=None)
def purge_personal_data(older_than_months):
    """Anonymise registrations of events, Grand Bain visitors and hosts' contacts of
    editions, and the contact of proposals decided, older than the retention period;
    delete their messages and every sent or failed message older than
    OUTBOX_RETENTION_DAYS."""
    months = older_than_months or current_app.config["PERSONAL_DATA_RETENTION_MONTHS"]
    outbox_retention = timedelta(days=current_app.config["OUTBOX_RETENTION_DAYS"])
    purged = retention.purge(months, outbox_retention)
    click.echo(
        f"{purged.registrations} registration(s) anonymised (events ended over {months} "
        "months ago)."
    )
    click.echo(
        f"{purged.visitors} Grand Bain visitor(s) anonymised (editions ended over {months} "
        "months ago)."
    )
    click.echo(
        f"{purged.offer_contacts} Grand Bain offer contact(s) cleared (editions ended over "
        f"{months} months ago)."
    )
    click.echo(
        f"{purged.proposals} proposal(s) cleared of their submitter's contact (decided over "
        f"{months} months ago)."
    )


def register_commands(app):
    """Add this module's commands to `flask`."""
    app.cli.add_command(worker)
    app.cli.add_command(purge_personal_data)
