"""worker: the outbox and the scheduled jobs in one long-running process."""

import logging

import click

from webapp.worker import models  # noqa: F401  the job_runs table belongs to the schema
from webapp.worker.loop import Worker


def _log_to_stderr():
    """One line per event on stderr (journald keeps it), unless logging is set up already."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def register_commands(app):
    @app.cli.command("worker")
    @click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
    @click.option("--once", is_flag=True, help="One round (the jobs due, the outbox), then exit.")
    def worker(interval, once):
        """Deliver the outbox and run the scheduled jobs (reminders hourly; occurrence refresh
        and personal-data purge nightly); safe on several servers; stops on SIGTERM."""
        _log_to_stderr()
        runner = Worker(interval=interval)
        if once:
            runner.round()
        else:
            runner.run()
