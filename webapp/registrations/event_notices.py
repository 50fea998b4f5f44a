"""Registrants hear when their event moves or is cancelled.

The agenda's operations send `agenda.signals.event_changed` after a change of time, place or
status; this receiver queues the message to every active registrant, in the operation's own
transaction (so the mail stands or falls with the change). Connected when the registrations
package is imported, which create_app does.
"""

from webapp.agenda import signals
from webapp.registrations import notifications
from webapp.registrations.rules import active_registrations

# The agenda's notice -> the kind of message (registrations/notifications.py).
MESSAGE_KINDS = {signals.CHANGED: "event-changed", signals.CANCELLED: "event-cancelled"}


@signals.event_changed.connect
def queue_event_notices(event, notice, **_):
    """Queue the notice to each active registrant of the event; returns how many."""
    kind = MESSAGE_KINDS[notice]
    queued = 0
    for registration in active_registrations(event.id):
        if notifications.queue(registration, kind) is not None:
            queued += 1
    return queued
