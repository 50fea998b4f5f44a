"""The database going away in the middle of a batch: the worker keeps its claim, waits for the
database, records the message the mail server had just accepted, and finishes its batch; no
message is sent twice, none is lost. PostgreSQL reached through a relay the test cuts."""

import threading
import time
from collections import Counter
from datetime import timedelta

import time_machine
from sqlalchemy import select

from tests.conftest import make_config, postgresql_only
from tests.faults import DatabaseRelay
from tests.smtp import Inbox, SMTPServer, mail_config
from webapp import create_app
from webapp.extensions import db
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.mail.outbox import STALE_CLAIM, queue_message
from webapp.timezones import utcnow
from webapp.worker.loop import Worker

MESSAGES = 6
CUT_AT = 3  # the database goes away as the server accepts the third message
# Bounds for a worker that waits forever (the old one would not wait at all): never reached
# by one that works, whatever the machine's load.
PATIENCE = 60


class CuttingInbox(Inbox):
    """An inbox whose server cuts the database as it accepts the CUT_AT-th message."""

    def __init__(self, relay):
        super().__init__()
        self.relay = relay

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == CUT_AT:
            self.relay.cut()
        return answer


def wait_for(condition, timeout=PATIENCE):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def statuses():
    db.session.expire_all()
    return Counter(db.session.scalars(select(OutboxMessage.status)))


@postgresql_only
def test_a_worker_that_loses_the_database_keeps_its_batch_and_sends_each_message_once(
    app, database_url
):
    for n in range(MESSAGES):
        queue_message(f"anne.{n}@example.org", f"Message {n}", "Texte")
    db.session.commit()
    relay = DatabaseRelay(database_url)
    smtp = SMTPServer()
    smtp.inbox = CuttingInbox(relay)
    smtp.start()
    worker_app = create_app(make_config(relay.url, **mail_config(smtp)))
    worker = Worker(jobs=[], interval=0)
    rounds = []

    def run_a_round():
        with worker_app.app_context():
            worker.round()
            rounds.append("done")

    thread = threading.Thread(target=run_a_round, daemon=True)
    try:
        thread.start()
        # The worker found the database gone: it tried to connect again, and again.
        assert wait_for(lambda: relay.refused >= 2 or rounds)
        relay.restore()
        thread.join(PATIENCE)
        assert rounds == ["done"]
        # One round: the batch resumed where it stopped, nothing left for a stale claim.
        assert statuses() == {OutboxStatus.SENT: MESSAGES}
        # Past the stale claim's delay, another round finds nothing to send again.
        later = utcnow() + STALE_CLAIM + timedelta(minutes=1)
        with time_machine.travel(later, tick=False), worker_app.app_context():
            worker.round()
        subjects = Counter(message["Subject"] for message in smtp.inbox.messages)
        assert subjects == {f"Message {n}": 1 for n in range(MESSAGES)}
    finally:
        worker.stop()
        relay.restore()
        thread.join(PATIENCE)
        smtp.stop()
        relay.close()
        with worker_app.app_context():
            db.engine.dispose()
