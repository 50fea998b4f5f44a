"""Scheduled jobs of the registrations area: edges like views, so they hold the units of
work (the CLI and the `worker` process). The retention purge of every area is composed
above them all, in webapp/worker/retention.py."""

from webapp.registrations import rules
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
