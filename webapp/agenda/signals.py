"""What the agenda tells the areas above it, without importing them.

The agenda's operations send `event_changed` when an event's time, place or status changed
and its registrants must hear of it (registrations/event_notices.py queues their mail). The
receivers run inside the operation's transaction: what they write stands or falls with it.
"""

from blinker import Namespace

_signals = Namespace()

# Sent with the event as sender and `notice`: CHANGED or CANCELLED; `before`: the changed
# fields' values before the change (start_at, venue_id...); `reason`, `reason_nl`: why, as
# staff gave it (or None). A receiver returns how many messages it queued.
event_changed = _signals.signal("event-changed")

CHANGED = "changed"
CANCELLED = "cancelled"

# Sent with the event as sender when its mode changed (on site, online, hybrid), whether or
# not registrants are told, before `event_changed`: the registrations area moves the places
# of a way to attend that the event no longer offers.
mode_changed = _signals.signal("mode-changed")
