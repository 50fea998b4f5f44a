"""Registrants hear when their event moves or is cancelled.

The agenda's operations send `agenda.signals.event_changed` after a change of time, place or
status; this receiver queues the message to every active registrant, in the operation's own
transaction (so the mail stands or falls with the change). Connected when the registrations
package is imported, which create_app does.

A moved event's message says what changed, old → new (date and time, place), and why when
staff said so.
"""

from dataclasses import dataclass

from webapp.agenda import signals
from webapp.agenda.models import Venue
from webapp.agenda.states import EventStatus, PlaceMode
from webapp.extensions import db
from webapp.registrations import notifications
from webapp.registrations.modes import follow_mode
from webapp.registrations.rules import active_registrations

# The agenda's notice -> the kind of message (registrations/notifications.py).
MESSAGE_KINDS = {signals.CHANGED: "event-changed", signals.CANCELLED: "event-cancelled"}
TIME_FIELDS = frozenset({"start_at", "end_at"})
PLACE_FIELDS = frozenset({"venue_id", "room", "online_url", "mode"})


@dataclass(frozen=True)
class Previous:
    """The event's time and place before the change, and which of them changed."""

    start_at: object
    end_at: object
    venue: Venue | None
    room: str | None
    online_url: str | None
    mode: str
    time_changed: bool
    place_changed: bool


@dataclass(frozen=True)
class ChangeNotice:
    """What the message says beside the event's new facts: what it was, and why."""

    previous: Previous | None
    reasons: dict

    def reason(self, language):
        return self.reasons.get(language) or self.reasons.get("fr")


def change_notice(event, before, reason=None, reason_nl=None):
    """The notice of a change, from the changed fields' old values (`before`)."""
    before = before or {}
    previous = None
    if TIME_FIELDS.intersection(before) or PLACE_FIELDS.intersection(before):
        venue_id = before.get("venue_id", event.venue_id)
        previous = Previous(
            start_at=before.get("start_at", event.start_at),
            end_at=before.get("end_at", event.end_at),
            venue=db.session.get(Venue, venue_id) if venue_id else None,
            room=before.get("room", event.room),
            online_url=before.get("online_url", event.online_url),
            mode=before.get("mode", event.mode),
            time_changed=bool(TIME_FIELDS.intersection(before)),
            place_changed=bool(PLACE_FIELDS.intersection(before)),
        )
    return ChangeNotice(previous, {"fr": reason, "nl": reason_nl})


@signals.mode_changed.connect
def move_places_to_the_new_mode(event, **_):
    """On site to online (or back): the registrations follow before anyone is told."""
    follow_mode(event)


@signals.event_changed.connect
def queue_event_notices(event, notice, before=None, reason=None, reason_nl=None, **_):
    """Queue the notice to each active registrant of the event; returns how many."""
    kind = MESSAGE_KINDS[notice]
    if kind == "event-changed" and event.status == EventStatus.POSTPONED:
        kind = "event-postponed"
    told = change_notice(event, before, reason, reason_nl)
    # A new meeting link alone is news to those who attend online, not to those in the room.
    link_only = kind == "event-changed" and set(before or ()) == {"online_url"}
    queued = 0
    for registration in active_registrations(event.id):
        if link_only and registration.place_mode is not PlaceMode.ONLINE:
            continue
        if notifications.queue(registration, kind, change=told) is not None:
            queued += 1
    return queued
