"""Scheduled jobs: their periods in local time, one run per job and period whatever the
number of workers, a failed or abandoned run taken over, one log line per run."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.edge import rules
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.worker import schedule
from webapp.worker.loop import Worker
from webapp.worker.models import JobRun
from webapp.worker.schedule import HOURLY, NIGHTLY, Job, claim, period_key, run_if_due


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_an_hourly_period_is_the_local_hour_with_its_offset(app):
    assert period_key(HOURLY, utc(2027, 3, 10, 13, 5)) == "2027-03-10T14+01:00"
    assert period_key(HOURLY, utc(2027, 7, 1, 13, 59)) == "2027-07-01T15+02:00"
    # Clocks go back on 31 October 2027: 02:xx local happens twice, two periods.
    first, second = utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 1, 30)
    assert period_key(HOURLY, first) != period_key(HOURLY, second)


def test_a_nightly_period_starts_at_the_nightly_hour_local_time(app):
    # 02:30 in Brussels belongs to the night that began the day before at 03:00.
    assert period_key(NIGHTLY, utc(2027, 3, 10, 1, 30), nightly_hour=3) == "2027-03-09"
    assert period_key(NIGHTLY, utc(2027, 3, 10, 2, 0), nightly_hour=3) == "2027-03-10"
    assert period_key(NIGHTLY, utc(2027, 3, 10, 22, 0), nightly_hour=3) == "2027-03-10"


def counting_job(period=HOURLY, fail=False):
    calls = []

    def run(now):
        calls.append(now)
        if fail:
            raise RuntimeError("the job broke")
        return 7

    return Job("count", period, run), calls


def test_a_job_runs_once_per_period(app):
    job, calls = counting_job()
    start = utc(2027, 3, 10, 13, 5)
    assert run_if_due(job, start) is True
    assert run_if_due(job, start + timedelta(minutes=50)) is False
    assert run_if_due(job, start + timedelta(minutes=55)) is True  # 15:00 local
    assert len(calls) == 2
    runs = db.session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [(r.period_key, r.items) for r in runs] == [
        ("2027-03-10T14+01:00", 7),
        ("2027-03-10T15+01:00", 7),
    ]
    assert all(r.finished_at is not None for r in runs)


def test_only_one_claim_wins_a_period(app):
    now = utc(2027, 3, 10, 13, 5)
    assert claim("count", "2027-03-10T14+01:00", now) is not None
    assert claim("count", "2027-03-10T14+01:00", now) is None
    assert claim("other", "2027-03-10T14+01:00", now) is not None


def test_a_failed_run_is_logged_and_taken_over_after_the_stale_delay(app, caplog):
    job, calls = counting_job(fail=True)
    start = utc(2027, 3, 10, 13, 5)
    with caplog.at_level(logging.INFO, logger="webapp.worker"):
        assert run_if_due(job, start) is True
    assert "job count period 2027-03-10T14+01:00 failed (RuntimeError)" in caplog.text
    assert db.session.scalar(select(JobRun.error)) == "RuntimeError"
    assert run_if_due(job, start + timedelta(minutes=10)) is False
    job, calls = counting_job()
    later = start + schedule.STALE_CLAIM + timedelta(minutes=1)
    assert run_if_due(job, later) is True  # same hour, the claim is stale: taken over
    db.session.expire_all()
    assert db.session.execute(select(JobRun.items, JobRun.error)).one() == (7, None)


def test_each_run_logs_one_line_with_job_period_items_and_duration(app, caplog):
    job, _ = counting_job(NIGHTLY)
    with caplog.at_level(logging.INFO, logger="webapp.worker"):
        run_if_due(job, utc(2027, 3, 10, 4, 0))
    (line,) = [r.getMessage() for r in caplog.records if r.name == "webapp.worker.schedule"]
    assert line.startswith("job count period 2027-03-10: 7 item(s) in ")


@pytest.mark.time_machine(utc(2027, 3, 10, 9, 30))
def test_a_round_queues_the_reminders_and_delivers_them(app, make_event, person, smtp):
    from webapp.timezones import utcnow

    event = make_event(capacity=5, start=utcnow() + timedelta(hours=10))
    rules.register(event.id, person(1))
    worker = Worker()
    worker.round()
    worker.round()
    subjects = [m["Subject"].split(" :")[0] for m in smtp.inbox.to("anne.1@example.org")]
    assert subjects == ["Inscription confirmée", "Rappel"]
    jobs = db.session.scalars(select(JobRun.job).order_by(JobRun.job)).all()
    assert jobs == [
        "purge-personal-data",
        "refresh-occurrences",
        "send-digests",
        "send-evaluations",
        "send-reminders",
        "send-visit-reminders",
    ]


def test_a_stopping_worker_finishes_the_message_in_hand_and_gives_back_the_rest(
    app, make_event, person, smtp
):
    event = make_event(capacity=10)
    for n in range(4):
        rules.register(event.id, person(n))
    worker = Worker()
    from webapp.mail import outbox

    sent_before_stop = []
    original = outbox._deliver_one

    def deliver_then_stop(*args):
        outcome = original(*args)
        sent_before_stop.append(outcome)
        worker.stop()
        return outcome

    outbox._deliver_one = deliver_then_stop
    try:
        assert worker.deliver() == (1, 0)
    finally:
        outbox._deliver_one = original
    db.session.expire_all()
    statuses = db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()
    assert statuses == ["sent", "pending", "pending", "pending"]
    untouched = select(func.count()).where(OutboxMessage.attempts == 0)
    assert db.session.scalar(untouched) == 3  # given back without an attempt counted
    assert Worker().deliver() == (3, 0)
    assert len(smtp.inbox.messages) == 4
