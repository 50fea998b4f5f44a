"""The digest's periods, in local time: a week (ISO, from Monday) or a calendar month. One
digest per subscriber and period; the first goes out in the period after the confirmation."""

from datetime import timedelta

from webapp.digest.states import Frequency
from webapp.timezones import to_local

# How far ahead a digest looks, after which a series' next meeting is a *Save the date*.
WINDOWS = {Frequency.WEEKLY: timedelta(days=28), Frequency.MONTHLY: timedelta(days=62)}
# How far ahead a *Save the date* looks.
SAVE_THE_DATE = timedelta(days=365)


def period_key(frequency, now):
    """'2026-W50' (a week) or '2026-12' (a month): the local period `now` falls in."""
    day = to_local(now).date()
    if Frequency(frequency) == Frequency.WEEKLY:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"
