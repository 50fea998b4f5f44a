"""The claims of scheduled jobs: one row per job and period, the INSERT that wins runs it."""

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.timezones import UTCDateTime


class JobRun(db.Model):
    """A job's run for one period (`send-reminders` for the hour 2027-03-10T14+01:00): the
    UNIQUE constraint lets one worker of many claim it; finished_at is set when it is done."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period_key", name="uq_job_runs_job_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    period_key: Mapped[str] = mapped_column(String(40))
    # Which claim is running it: a claim left unfinished for STALE_CLAIM (its worker died,
    # or the job failed) is taken over with a new token.
    claim_token: Mapped[str] = mapped_column(String(40))
    claimed_at = mapped_column(UTCDateTime, nullable=False)
    finished_at = mapped_column(UTCDateTime)
    # What the run did (items handled), or the class of the error that stopped it.
    items: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(120))
