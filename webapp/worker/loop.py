"""The worker's loop: rounds of (scheduled jobs, then the outbox) until asked to stop.

SIGTERM (systemd's stop) and SIGINT only set a flag: the job or the message in hand is
finished, the messages claimed but not yet taken are given back to the queue, and the
process exits 0. Nothing is kept in memory between rounds: what is due is read from the
database each time, so any number of workers may run on any number of servers.
"""

import logging
import signal
import threading

from webapp.extensions import db
from webapp.mail.failures import traceback_for_log
from webapp.mail.outbox import deliver_all
from webapp.mail.queries import ALARM_SHARE, failure_alarm
from webapp.timezones import local_today
from webapp.worker.schedule import JOBS, run_if_due

logger = logging.getLogger(__name__)


class Worker:
    def __init__(self, jobs=JOBS, interval=5.0):
        self.jobs = jobs
        self.interval = interval
        self._stopping = threading.Event()
        self._warned_on = None  # the local day the failure share was last warned about

    @property
    def stopping(self):
        return self._stopping.is_set()

    def stop(self, signum=None, frame=None):
        """Finish what is in hand, then leave (a signal handler)."""
        if signum is not None:
            logger.info(
                "worker: %s received, stopping after the work in hand", signal.Signals(signum).name
            )
        self._stopping.set()

    def run(self):
        """Rounds until stopped; the signal handlers are this process's (main thread)."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        logger.info(
            "worker: started (%d job(s), a round every %s s)", len(self.jobs), self.interval
        )
        while not self.stopping:
            self.round()
            self._stopping.wait(self.interval)
        logger.info("worker: stopped")

    def round(self, now=None):
        """The jobs whose period has no run yet, then the outbox. A round that fails as a
        whole (the database away) is logged and the next one tries again."""
        try:
            for job in self.jobs:
                if self.stopping:
                    return
                run_if_due(job, now)
            if not self.stopping:
                self.deliver()
        except Exception as error:
            db.session.rollback()
            logger.error(
                "worker: a round failed (%s); next round in %s s",
                type(error).__name__,
                self.interval,
                exc_info=traceback_for_log(error),
            )

    def deliver(self):
        sent, failed = deliver_all(stop=lambda: self.stopping, pause=self._stopping.wait)
        if sent or failed:
            logger.info("outbox: %d sent, %d failed", sent, failed)
        if failed:
            self.warn_about_failures()
        return sent, failed

    def warn_about_failures(self):
        """Once a day at most: more than 2 % of the last 24 hours' messages failed."""
        alarm = failure_alarm()
        if alarm is None or self._warned_on == local_today():
            return
        self._warned_on = local_today()
        logger.warning(
            "outbox: %d of the %d messages of the last 24 hours failed (more than %.0f%%); "
            "reasons on /admin/mail",
            *alarm,
            ALARM_SHARE * 100,
        )
