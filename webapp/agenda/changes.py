"""What follows every saved change of an event, whoever makes it (import, back office, demo).

- SEQUENCE grows when the time, place or status changes, so calendars replace their copy.
- The agenda index (event_occurrences) is rebuilt for events whose dates or place changed.
- An edit of a venue (its address...), a series or an organisation is an edit of the events
  that show it: their change time moves (feeds' validators follow it), and for a venue their
  SEQUENCE too, since the place calendars show has changed.
- The search text of an event (agenda/search.py) follows its own texts and those of its
  venue, commune, series and organiser, in the same flush; that of a venue, organisation or
  series (the back office's lists) follows its name and the other fields it is found by.
"""

from sqlalchemy import delete, event, insert, inspect, or_, select
from sqlalchemy.orm import Session

from webapp.agenda.models import (
    Commune,
    Event,
    EventOccurrence,
    OccurrenceOverride,
    Organisation,
    Series,
    Venue,
)
from webapp.agenda.occurrences import occurrence_rows
from webapp.agenda.search import (
    CATALOGUE_FIELDS,
    SEARCH_FIELDS,
    catalogue_text,
    refresh_search_text,
)
from webapp.timezones import utcnow

# A change to any of these is a change calendars must see (SEQUENCE).
SEQUENCE_FIELDS = (
    "start_at",
    "end_at",
    "venue_id",
    "venue",
    "room",
    "mode",  # on site or online: the entry's LOCATION, and a change of place for registrants
    "online_url",
    "status",
    "rrule",
    "exdates",
    "rdates",
    # An override taken out of the list is deleted in the flush (delete-orphan), after
    # before_flush has looked: the list's own change says it.
    "overrides",
)
# A change to any of these changes the agenda index: dates, places, or the copies it keeps.
OCCURRENCE_FIELDS = (
    "start_at",
    "end_at",
    "venue_id",
    "venue",
    "rrule",
    "exdates",
    "rdates",
    "overrides",
    "status",
    "kind",
    "audience",
    "series_id",
    "series",
)
# What calendars show of a venue, a series, an organisation inside each of their events.
VENUE_FIELDS = (
    "name",
    "address",
    "postal_code",
    "commune_id",
    "commune",
    "access_notes_fr",
    "access_notes_nl",
)
SERIES_FIELDS = ("title_fr", "title_nl")
ORGANISATION_FIELDS = ("name", "email")
# What an event is found by, of its own fields and of a commune's (agenda/search.py).
EVENT_SEARCH_FIELDS = (
    *SEARCH_FIELDS,
    "venue_id",
    "venue",
    "series_id",
    "series",
    "organiser_id",
    "organiser",
)
COMMUNE_SEARCH_FIELDS = ("name_fr", "name_nl", "municipality_fr", "municipality_nl")

_STALE = "agenda_stale_events"
# Events created or already re-sequenced in the current transaction: calendars only ever see
# committed states, so one transaction moves SEQUENCE by one at most.
_SEQUENCED = "agenda_sequenced_events"


def _changed(obj, fields):
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


@event.listens_for(Session, "before_flush")
def _note_changes(session, flush_context, instances):
    stale = session.info.setdefault(_STALE, set())
    for obj in list(session.new) + list(session.dirty):
        fields = CATALOGUE_FIELDS.get(type(obj))
        if fields is not None and (obj in session.new or _changed(obj, fields)):
            obj.search_text = catalogue_text(obj)
        if isinstance(obj, Event):
            if obj in session.new:
                session.info.setdefault(_SEQUENCED, set()).add(obj)
                stale.add(obj)
                with session.no_autoflush:
                    refresh_search_text(session, obj)
                continue
            if _changed(obj, EVENT_SEARCH_FIELDS):
                with session.no_autoflush:
                    refresh_search_text(session, obj)
            if _changed(obj, SEQUENCE_FIELDS):
                _next_sequence(session, obj)
            if _changed(obj, OCCURRENCE_FIELDS):
                stale.add(obj)
        elif isinstance(obj, OccurrenceOverride) and obj.event is not None:
            if obj in session.new or session.is_modified(obj):
                _next_sequence(session, obj.event)
                stale.add(obj.event)
        elif obj not in session.new:
            _follow_shown_facts(session, obj)
    for obj in session.deleted:
        if isinstance(obj, Event) and obj.id is not None:
            # The database's ON DELETE CASCADE does not run on SQLite (no foreign_keys pragma).
            table = EventOccurrence.__table__
            session.connection().execute(delete(table).where(table.c.event_id == obj.id))
        if isinstance(obj, OccurrenceOverride) and obj.event is not None:
            _next_sequence(session, obj.event)
            stale.add(obj.event)


def _follow_shown_facts(session, obj):
    """Touch the events that show an edited venue, series or organisation, and refresh the
    search text of those (and of the events at a renamed commune)."""
    if isinstance(obj, Commune) and _changed(obj, COMMUNE_SEARCH_FIELDS):
        at_commune = select(Venue.id).where(Venue.commune_id == obj.id)
        with session.no_autoflush:
            for event_obj in session.scalars(select(Event).where(Event.venue_id.in_(at_commune))):
                refresh_search_text(session, event_obj)
        return
    if isinstance(obj, Venue) and _changed(obj, VENUE_FIELDS):
        at_venue = select(OccurrenceOverride.event_id).where(OccurrenceOverride.venue_id == obj.id)
        where, place_changed = or_(Event.venue_id == obj.id, Event.id.in_(at_venue)), True
    elif isinstance(obj, Series) and _changed(obj, SERIES_FIELDS):
        where, place_changed = Event.series_id == obj.id, False
    elif isinstance(obj, Organisation) and _changed(obj, ORGANISATION_FIELDS):
        where, place_changed = Event.organiser_id == obj.id, False
    else:
        return
    now = utcnow()
    with session.no_autoflush:
        for event_obj in session.scalars(select(Event).where(where)):
            event_obj.updated_at = now
            refresh_search_text(session, event_obj)
            if place_changed:
                _next_sequence(session, event_obj)


def _next_sequence(session, event_obj):
    sequenced = session.info.setdefault(_SEQUENCED, set())
    if event_obj not in sequenced:
        event_obj.sequence = (event_obj.sequence or 0) + 1
        sequenced.add(event_obj)


@event.listens_for(Session, "after_flush_postexec")
def _rebuild_occurrences(session, flush_context):
    stale = session.info.pop(_STALE, set())
    if not stale:
        return
    connection = session.connection()
    with session.no_autoflush:
        for obj in stale:
            state = inspect(obj)
            if state.deleted or state.was_deleted or obj.id is None:
                continue
            rebuild_occurrences(connection, obj)


def rebuild_occurrences(connection, event_obj):
    """Replace the agenda index rows of one event by those its dates give now."""
    table = EventOccurrence.__table__
    connection.execute(delete(table).where(table.c.event_id == event_obj.id))
    rows = occurrence_rows(event_obj)
    if rows:
        connection.execute(insert(table), rows)


def refresh_recurring_occurrences():
    """Extend open-ended rules: their dates are indexed two years ahead of each rebuild,
    so a nightly run keeps the agenda listing them. Returns the number of events."""
    from sqlalchemy import select

    from webapp.extensions import db

    events = db.session.scalars(select(Event).where(Event.rrule.is_not(None))).all()
    connection = db.session.connection()
    for obj in events:
        rebuild_occurrences(connection, obj)
    return len(events)


@event.listens_for(Session, "after_transaction_end")
def _forget_changes(session, transaction):
    if transaction.parent is None:
        session.info.pop(_STALE, None)
        session.info.pop(_SEQUENCED, None)
