"""Two `flask worker` processes against one database: each hourly job runs once per hour,
each message is delivered once, and both stop on SIGTERM without losing a claimed message.

The workers' clocks are set by time-machine in each process (tests/worker/clocked_worker.py):
run faster than real time from a fixed instant, or moved hour by hour by the test once the
work of the hour is done, so that no claim grows stale however slow the machine is.
"""

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from tests.conftest import postgresql_only
from tests.edge import rules
from tests.smtp import Inbox, SMTPServer, StallingServer
from webapp.extensions import db
from webapp.mail.outbox import queue_message
from webapp.worker.schedule import JOBS, period_key

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2027, 3, 10, 12, 55, tzinfo=UTC)  # 13:55 in Brussels
SPEED = 1200


def start_workers(tmp_path, database_url, smtp, count=2, speed=SPEED, **settings):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "worker-test-secret",
        "BASE_URL": "http://agenda.test",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "PYTHONPATH": str(ROOT),
        "APP_ENV": "development",
        **settings,
    }
    anchor = tmp_path / "clock-anchor"
    anchor.write_text("")
    workers = []
    for number in range(count):
        log = (tmp_path / f"worker{number}.log").open("w")
        command = [sys.executable, "-m", "tests.worker.clocked_worker", START.isoformat()]
        command += [str(speed), str(anchor), "--interval", "0.1"]
        workers.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        )
    return workers


def start_clocks(tmp_path, workers):
    """Once every worker is up, their clocks start together from START."""
    up = wait_for(lambda: logs(tmp_path).count("worker: started") == len(workers), timeout=30)
    (tmp_path / "clock-anchor").write_text(str(time.monotonic()))
    assert up, logs(tmp_path)


def set_clock(tmp_path, instant):
    """Move the clocks of workers started with speed="step" (written whole: never half read)."""
    written = tmp_path / "clock-anchor.new"
    written.write_text(instant.isoformat())
    os.replace(written, tmp_path / "clock-anchor")


def stop(workers, timeout=20):
    """SIGTERM each worker; their exit codes (a worker that does not stop is killed: None)."""
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    codes = []
    for worker in workers:
        try:
            codes.append(worker.wait(timeout))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            codes.append(None)
    return codes


def query(sql):
    with db.engine.connect() as connection:
        return connection.execute(text(sql)).all()


def wait_for(condition, timeout=40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def hour_done(instant, tmp_path):
    """Every job of the hour of `instant` (and of its night) has finished, every message of
    the outbox is sent. A job that failed fails the test at once (with the workers' logs)."""
    keys = ", ".join(f"'{period_key(job.period, instant)}'" for job in JOBS)
    runs = query(
        f"SELECT job, period_key, finished_at, error FROM job_runs WHERE period_key IN ({keys})"
    )
    assert not [run for run in runs if run.error], logs(tmp_path)
    finished = {(run.job, run.period_key) for run in runs if run.finished_at is not None}
    due = {(job.name, period_key(job.period, instant)) for job in JOBS}
    unsent = query("SELECT 1 FROM outbox_messages WHERE status != 'sent'")
    return due <= finished and not unsent


def logs(tmp_path):
    return "\n".join(path.read_text() for path in sorted(tmp_path.glob("worker*.log")))


@postgresql_only  # workers on several servers share a database server, not a file
def test_two_workers_run_each_hourly_job_once_per_hour_and_deliver_each_message_once(
    app, tmp_path, database_url, make_event, person, smtp
):
    soon = make_event(capacity=10, start=START + timedelta(hours=10))
    later = make_event(capacity=10, start=START + timedelta(hours=49))  # due from 13:55 UTC
    for n in range(3):
        rules.register(soon.id, person(n))
        rules.register(later.id, person(10 + n))
    db.session.remove()
    # The clock stands at 13:55 in Brussels, then at five past each of the next three hours,
    # moved only once both workers are idle: every claim (a job's, a message's) is finished
    # before time moves, so none is ever stale and taken over (issue 20: under a clock run
    # 1200 times faster, a loaded machine took 1.5 real seconds over a job, 30 minutes).
    steps = [START] + [START + timedelta(minutes=10 + 60 * h) for h in range(3)]
    workers = start_workers(tmp_path, database_url, smtp, speed="step")
    try:
        # Generous bounds: they only catch a hang (each step takes a second or two unloaded).
        up = wait_for(lambda: logs(tmp_path).count("worker: started") == 2, timeout=120)
        assert up, logs(tmp_path)
        for instant in steps:
            set_clock(tmp_path, instant)
            done = wait_for(lambda instant=instant: hour_done(instant, tmp_path), timeout=120)
            assert done, logs(tmp_path)
    finally:
        codes = stop(workers)
    assert codes == [0, 0], logs(tmp_path)
    output = logs(tmp_path)
    runs = Counter(re.findall(r"job (\S+) period (\S+): \d+ item", output))
    hours = sorted(period for job, period in runs if job == "send-reminders")
    assert hours[:4] == [f"2027-03-10T{h}+01:00" for h in (13, 14, 15, 16)]
    assert set(runs.values()) == {1}, runs  # no job ran twice for a period, across both
    assert runs[("refresh-occurrences", "2027-03-10")] == 1
    assert runs[("purge-personal-data", "2027-03-10")] == 1
    # 6 confirmations and 6 reminders, each once: the later event's in the 15:00 run.
    received = Counter((m["To"], m["Subject"].split(" :")[0]) for m in smtp.inbox.messages)
    assert len(received) == 12 and set(received.values()) == {1}
    assert "Traceback" not in output


class SlowInbox(Inbox):
    """An SMTP server that takes its time over each message: a SIGTERM finds one in hand."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def test_both_workers_stop_on_sigterm_without_losing_a_claimed_message(
    app, tmp_path, database_url, make_event, person, smtp
):
    smtp.stop()  # the same port, a slower server
    smtp.inbox = SlowInbox()
    smtp.start()
    event = make_event(capacity=100)
    for n in range(40):
        rules.register(event.id, person(n))
    db.session.remove()
    workers = start_workers(tmp_path, database_url, smtp, speed=0)
    try:
        start_clocks(tmp_path, workers)
        assert wait_for(lambda: len(smtp.inbox.messages) >= 5), logs(tmp_path)
    finally:
        codes = stop(workers)
    assert codes == [0, 0], logs(tmp_path)
    statuses = dict(query("SELECT status, count(*) FROM outbox_messages GROUP BY status"))
    assert "sending" not in statuses  # nothing left claimed by a stopped worker
    assert statuses.get("sent", 0) == len(smtp.inbox.messages) < 40
    from webapp.mail.outbox import deliver_all

    deliver_all()
    recipients = Counter(m["To"] for m in smtp.inbox.messages)
    assert len(recipients) == 40 and set(recipients.values()) == {1}


def test_a_worker_goes_on_after_a_mail_server_that_stalls(app, tmp_path, database_url):
    """The server accepts and never answers: the attempt times out (MAIL_TIMEOUT), the
    worker goes on with its rounds and sends the message once the server answers."""
    stalling = StallingServer().start()
    queue_message("anne.1@example.org", "Rappel", "Bonjour")
    db.session.commit()
    db.session.remove()
    # 60 times faster: the one-minute backoff is a second, the 1 s timeout is real time.
    workers = start_workers(tmp_path, database_url, stalling, count=1, speed=60, MAIL_TIMEOUT="1")
    server = None
    try:
        start_clocks(tmp_path, workers)
        timed_out = "attempt 1 failed (SMTPServerDisconnected), retried later"
        assert wait_for(lambda: timed_out in logs(tmp_path), timeout=20), logs(tmp_path)
        # The log line may come just before its transaction commits, and at 60 times speed
        # the retry is due a second later: wait for the counted attempt, never a given-up one.
        counted = "SELECT count(*) FROM outbox_messages WHERE attempts >= 1 AND status != 'failed'"
        assert wait_for(lambda: query(counted) == [(1,)], timeout=10), logs(tmp_path)
        stalling.stop()
        server = SMTPServer(port=stalling.port).start()
        assert wait_for(lambda: server.inbox.messages, timeout=20), logs(tmp_path)
    finally:
        codes = stop(workers)
        stalling.stop()
        if server:
            server.stop()
    assert codes == [0], logs(tmp_path)
    assert query("SELECT status, attempts FROM outbox_messages") == [("sent", 2)]
    assert "round failed" not in logs(tmp_path) and "Traceback" not in logs(tmp_path)
