"""Scheduled jobs of the registrations area: edges like views, so they hold the units of
work (the CLI today, the `worker` process next)."""

from datetime import timedelta

from webapp.registrations import personal_data, rules
from webapp.unit_of_work import unit_of_work


def send_reminders(now=None):
    """Queue the reminders due now, one unit of work each; returns how many were queued.

    A failure leaves the others queued, and two runs at once each claim a registration
    before queuing its reminder, so nobody is reminded twice.
    """
    queued = 0
    for registration_id in rules.due_reminders(now):
        with unit_of_work("send-reminders"):
            queued += rules.queue_reminder(registration_id, now)
    return queued


def purge(older_than_months, outbox_retention=timedelta(days=30), now=None):
    """Anonymise what the retention period has passed, in one unit of work."""
    with unit_of_work("purge-personal-data"):
        return personal_data.purge_personal_data(older_than_months, now, outbox_retention)
