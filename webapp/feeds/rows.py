"""The events of a feed, read with three plain queries (no ORM objects for thousands of rows).

The selection is the agenda's own (`agenda_events_statement`); this only chooses the columns
the VEVENTs need and loads the overrides and venues beside them.
"""

import json
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import Text, cast, select

from webapp.agenda.models import Commune, Event, OccurrenceOverride, Organisation, Series, Venue
from webapp.agenda.queries import AgendaFilters, agenda_events_statement
from webapp.extensions import db

EVENT_COLUMNS = (
    "id",
    "kind",
    "title_fr",
    "title_nl",
    "description_fr",
    "description_nl",
    "start_at",
    "end_at",
    "venue_id",
    "room",
    "online_url",
    "contact_email",
    "mode",
    "online_url_public",
    "registration_mode",
    "status",
    "status_reason_fr",
    "status_reason_nl",
    "rrule",
    "exdates",
    "sequence",
    "created_at",
    "updated_at",
    "rdates",
)
OVERRIDE_COLUMNS = (
    "event_id",
    "recurrence_start",
    "start_at",
    "end_at",
    "venue_id",
    "room",
    "cancelled",
    "note_fr",
    "note_nl",
)


@dataclass(slots=True)
class FeedEvent:
    """The fields of an Event that build_calendar reads."""

    id: int
    kind: str
    title_fr: str
    title_nl: str | None
    description_fr: str | None
    description_nl: str | None
    start_at: object
    end_at: object
    venue_id: int | None
    room: str | None
    online_url: str | None
    contact_email: str | None
    mode: str
    online_url_public: bool
    registration_mode: str
    status: str
    status_reason_fr: str | None
    status_reason_nl: str | None
    rrule: str | None
    exdates: list | None
    sequence: int
    created_at: object
    updated_at: object
    rdates: list | None = None
    series: object = None
    organiser: object = None
    venue: object = None
    overrides: list = field(default_factory=list)


# Lists of dates, read as their JSON text and decoded only when there is one: most events
# have none, and decoding 'null' twice per event cost more than the rest of their columns.
JSON_COLUMNS = frozenset({"exdates", "rdates"})


def _column(name):
    column = getattr(Event, name)
    return cast(column, Text).label(name) if name in JSON_COLUMNS else column


def _dates(text):
    return None if text is None or text == "null" else json.loads(text)


def feed_rows(filters: AgendaFilters):
    """The feed's events (FeedEvent), in agenda order, with venues, series and overrides."""
    stmt = (
        agenda_events_statement(filters)
        .with_only_columns(
            *(_column(c) for c in EVENT_COLUMNS),
            Series.title_fr,
            Series.title_nl,
            Organisation.name,
            Organisation.email,
        )
        .outerjoin(Series, Series.id == Event.series_id)
        .outerjoin(Organisation, Organisation.id == Event.organiser_id)
    )
    events = []
    width = len(EVENT_COLUMNS)
    # Core rows (no ORM loading): columns, not entities.
    for row in db.session.connection().execute(stmt).all():
        event = FeedEvent(*row[:width])
        event.exdates = _dates(event.exdates)
        event.rdates = _dates(event.rdates)
        if row[width] is not None:
            event.series = SimpleNamespace(title_fr=row[width], title_nl=row[width + 1])
        if row[width + 2] is not None:
            event.organiser = SimpleNamespace(name=row[width + 2], email=row[width + 3])
        events.append(event)
    _attach(events)
    return events


def _attach(events):
    """Overrides of the recurring events, then the venues of everything."""
    by_id = {e.id: e for e in events}
    recurring = [e.id for e in events if e.rrule or e.rdates]
    overrides = []
    for chunk in _chunks(recurring):
        stmt = (
            select(*(getattr(OccurrenceOverride, c) for c in OVERRIDE_COLUMNS))
            .where(OccurrenceOverride.event_id.in_(chunk))
            .order_by(OccurrenceOverride.recurrence_start)
        )
        for row in db.session.connection().execute(stmt).all():
            override = SimpleNamespace(**row._mapping, venue=None)
            by_id[override.event_id].overrides.append(override)
            overrides.append(override)
    venues = _venues({e.venue_id for e in events} | {o.venue_id for o in overrides})
    for item in (*events, *overrides):
        item.venue = venues.get(item.venue_id)


def _venues(ids):
    """Transient Venue models (so that `full_address` is the model's own), by id."""
    ids = [i for i in ids if i is not None]
    venues = {}
    for chunk in _chunks(ids):
        stmt = (
            select(
                Venue.id,
                Venue.name,
                Venue.address,
                Venue.postal_code,
                Commune.municipality_fr,
                Commune.municipality_nl,
            )
            .outerjoin(Commune, Commune.id == Venue.commune_id)
            .where(Venue.id.in_(chunk))
        )
        for vid, name, address, postal_code, municipality_fr, municipality_nl in (
            db.session.connection().execute(stmt).all()
        ):
            commune = None
            if municipality_fr is not None:
                commune = Commune(municipality_fr=municipality_fr, municipality_nl=municipality_nl)
            venues[vid] = Venue(
                name=name, address=address, postal_code=postal_code, commune=commune
            )
    return venues


def _chunks(values, size=500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
