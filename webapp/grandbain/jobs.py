"""Scheduled jobs of the Grand Bain: edges, so they hold the units of work (the worker)."""

from webapp.grandbain import rules
from webapp.unit_of_work import unit_of_work


def send_reminders(now=None):
    """Queue the reminders of visits starting within 48 hours, one unit of work each;
    returns how many were queued (each booking is claimed first: never reminded twice)."""
    queued = 0
    for booking_id in rules.due_reminders(now):
        with unit_of_work("grand-bain-reminders"):
            queued += rules.queue_reminder(booking_id, now)
    return queued
