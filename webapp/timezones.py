"""Times: stored as UTC, shown in the app's zone (Europe/Brussels). Convert here, nowhere else."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

DEFAULT_ZONE = "Europe/Brussels"


def app_zone():
    """The zone events are held in (APP_TIMEZONE)."""
    name = current_app.config["APP_TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def utcnow():
    return datetime.now(UTC)


def to_local(value):
    """An aware datetime in the app's zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(app_zone())


def to_utc(value):
    """An aware UTC datetime; a naive value is read as local time in the app's zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=app_zone())
    return value.astimezone(UTC)


def exists_locally(naive):
    """Whether a naive local time exists in the app's zone (not in the hour skipped when the
    clocks go forward)."""
    aware = naive.replace(tzinfo=app_zone())
    back = aware.astimezone(UTC).astimezone(app_zone()).replace(tzinfo=None)
    return back == naive


def months_before(now, months):
    """`months` months of 31 days before `now`: a retention period is never cut short."""
    return now - timedelta(days=31 * months)


def local_day_start(day: date):
    """Midnight of a local calendar day, as UTC."""
    return to_utc(datetime.combine(day, time.min))


def local_today():
    return utcnow().astimezone(app_zone()).date()


class UTCDateTime(TypeDecorator):
    """Aware datetimes in Python, UTC in the database (naive on SQLite, timestamptz on PG)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
