"""The scheduled jobs, their periods, and the claim that makes each run once per period.

A job runs once per period whatever the number of workers: the worker that inserts the row
(job, period_key) into job_runs runs it; the others find the row and go on. Periods are in
local time (APP_TIMEZONE): an hourly job's period is the local hour (with its UTC offset, so
the hour repeated when clocks go back is a period of its own); a nightly job's period is the
local day, starting at WORKER_NIGHTLY_HOUR (03:00). A worker that starts, or comes back,
after that hour runs the night's jobs at once.

The jobs call the areas' own functions, which hold their units of work, and are safe to run
again (a reminder is claimed per registration, the purge and the refresh are idempotent):
a run whose worker died, or that failed, is taken over after STALE_CLAIM.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp.extensions import db
from webapp.mail.failures import traceback_for_log
from webapp.timezones import app_zone, utcnow
from webapp.unit_of_work import unit_of_work
from webapp.worker.models import JobRun

logger = logging.getLogger(__name__)

HOURLY = "hourly"
NIGHTLY = "nightly"
# An unfinished claim older than this belongs to a worker that died or to a run that failed:
# another worker (or the same one) may run the job again for that period.
STALE_CLAIM = timedelta(minutes=30)


def send_reminders(now):
    """Queue the reminders of events starting within 48 hours."""
    from webapp.registrations import jobs

    return jobs.send_reminders(now)


def send_evaluations(now):
    """Invite the participants of events that ended to evaluate them; remind once."""
    from webapp.evaluations import jobs

    return jobs.send_evaluations(now)


def send_visit_reminders(now):
    """Queue the reminders of Grand Bain visits starting within 48 hours."""
    from webapp.grandbain import jobs

    return jobs.send_reminders(now)


def send_digests(now):
    """Queue this week's and this month's digests (once per subscriber and period)."""
    from webapp.digest import jobs

    return jobs.send_digests(now)


def refresh_occurrences(now):
    """Re-index the dates of repeating events (open rules reach two years ahead)."""
    from webapp.agenda.changes import refresh_recurring_occurrences

    with unit_of_work("refresh-occurrences"):
        return refresh_recurring_occurrences()


def purge_personal_data(now):
    """Anonymise what the retention period has passed (registrations, Grand Bain visitors and
    hosts' contacts, proposals, unconfirmed digest subscriptions); delete old sent and failed
    mail and old records of removed events; delete the uploaded files no report names any
    more (forms never saved, reports gone with their event)."""
    from webapp.agenda import report_files
    from webapp.worker import retention

    config = current_app.config
    outbox_retention = timedelta(days=config["OUTBOX_RETENTION_DAYS"])
    purged = retention.purge(config["PERSONAL_DATA_RETENTION_MONTHS"], outbox_retention, now)
    report_files.sweep()
    return purged.total


@dataclass(frozen=True)
class Job:
    name: str
    period: str  # HOURLY or NIGHTLY
    run: object  # run(now) -> number of items handled


JOBS = (
    Job("send-reminders", HOURLY, send_reminders),
    Job("send-evaluations", HOURLY, send_evaluations),
    Job("send-visit-reminders", HOURLY, send_visit_reminders),
    Job("refresh-occurrences", NIGHTLY, refresh_occurrences),
    Job("purge-personal-data", NIGHTLY, purge_personal_data),
    Job("send-digests", NIGHTLY, send_digests),
)


def period_key(period, now, nightly_hour=3):
    """The period `now` falls in, in local time: '2027-03-10T14+01:00' (an hour) or
    '2027-03-10' (the night that starts that day at `nightly_hour`)."""
    local = now.astimezone(app_zone())
    if period == HOURLY:
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%dT%H}{offset[:3]}:{offset[3:]}"
    return (local - timedelta(hours=nightly_hour)).date().isoformat()


def claim(job_name, key, now):
    """Claim (job, period) for this worker: its token, or None when another has it."""
    token = secrets.token_hex(16)
    values = {"job": job_name, "period_key": key, "claim_token": token, "claimed_at": now}
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    with unit_of_work("claim-job"):
        # The table, not the ORM entity: an ORM bulk INSERT reports no rowcount.
        statement = insert(JobRun.__table__).values(**values)
        won = db.session.execute(
            statement.on_conflict_do_nothing(index_elements=["job", "period_key"]).returning(
                JobRun.__table__.c.id
            )
        ).first()
        if not won:
            won = db.session.execute(
                update(JobRun)
                .where(
                    JobRun.job == job_name,
                    JobRun.period_key == key,
                    JobRun.finished_at.is_(None),
                    JobRun.claimed_at < now - STALE_CLAIM,
                )
                .values(claim_token=token, claimed_at=now, error=None)
                .execution_options(synchronize_session=False)
            ).rowcount
    return token if won else None


def _record(job_name, key, token, **values):
    with unit_of_work("record-job-run"):
        db.session.execute(
            update(JobRun)
            .where(JobRun.job == job_name, JobRun.period_key == key, JobRun.claim_token == token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def run_if_due(job, now=None):
    """Run `job` for the period of `now` unless a worker already has: True when this call ran
    it. Logs one line per run (job, period, items, duration); never personal data."""
    now = now or utcnow()
    key = period_key(job.period, now, current_app.config["WORKER_NIGHTLY_HOUR"])
    token = claim(job.name, key, now)
    if token is None:
        return False
    started = time.monotonic()
    try:
        items = job.run(now)
    except Exception as error:
        db.session.rollback()
        logger.error(
            "job %s period %s failed (%s) after %.2f s; retried after %s",
            job.name,
            key,
            type(error).__name__,
            time.monotonic() - started,
            STALE_CLAIM,
            exc_info=traceback_for_log(error),
        )
        _record(job.name, key, token, error=type(error).__name__[:120])
        return True
    _record(job.name, key, token, finished_at=utcnow(), items=items)
    logger.info(
        "job %s period %s: %s item(s) in %.2f s", job.name, key, items, time.monotonic() - started
    )
    return True
