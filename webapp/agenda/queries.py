"""The filtered agenda: one query, used by the pages, the API, the embed and the feeds."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, true
from sqlalchemy.orm import selectinload

from webapp.agenda.models import (
    PUBLIC_STATUSES,
    Bassin,
    Commune,
    Event,
    EventOccurrence,
    Series,
    Venue,
    event_bassins,
)
from webapp.agenda.search import matches
from webapp.extensions import db
from webapp.timezones import local_day_start, utcnow
from webapp.vocabulary import AUDIENCES, KINDS

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class AgendaFilters:
    """What a visitor asked for; every field is optional and they all combine."""

    bassin: str | None = None
    kind: str | None = None
    theme: str | None = None
    commune: str | None = None
    audience: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    past: bool = False

    def as_args(self):
        """The filters as query-string arguments (for links that keep them)."""
        args = {
            "bassin": self.bassin,
            "kind": self.kind,
            "theme": self.theme,
            "commune": self.commune,
            "audience": self.audience,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "q": self.q,
        }
        return {k: v for k, v in args.items() if v}

    @property
    def is_empty(self):
        return not self.as_args()


@dataclass
class ParsedFilters:
    filters: AgendaFilters
    # Parameter name -> message, for values that were ignored.
    problems: dict = field(default_factory=dict)


# Dates outside these are typing errors, and year 1 or 9999 overflow the time arithmetic.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)


def public_event_where(event_id):
    """The WHERE clause of one event as the public may see it: published, cancelled or
    postponed (a draft or an unpublished event is a 404 on every public page, feed and API)."""
    return (Event.id == event_id) & Event.status.in_(PUBLIC_STATUSES)


def public_event(event_id, *loads):
    """One event as the public may see it, with these loader options; None otherwise."""
    return db.session.scalar(select(Event).where(public_event_where(event_id)).options(*loads))


def _parse_date(value):
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if EARLIEST_DATE <= parsed <= LATEST_DATE else None


@dataclass(frozen=True)
class KnownValues:
    """The values the slug filters accept: bassins, communes (and municipalities), themes
    (series slugs and shared themes), and the series slugs alone (their feeds)."""

    bassins: frozenset
    communes: frozenset
    themes: frozenset
    series: frozenset


def known_filter_values() -> KnownValues:
    """The accepted filter values, from the database (three queries)."""
    series_rows = db.session.execute(select(Series.slug, Series.theme)).all()
    return KnownValues(
        bassins=frozenset(_known_slugs(Bassin)),
        communes=frozenset(_known_communes()),
        themes=frozenset(value for row in series_rows for value in row if value),
        series=frozenset(slug for slug, _theme in series_rows),
    )


def parse_filters(args, bassin=None, past=False, known=None) -> ParsedFilters:
    """Read the filters from query arguments; unknown values are dropped and reported.

    `known` (KnownValues) saves the queries of the accepted values when the caller has them.
    """
    problems = {}
    values = {"past": past, "bassin": bassin}

    def choice(name, known, message):
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if value not in known:
            problems[name] = message
            return None
        return value

    if bassin is None:
        values["bassin"] = choice(
            "bassin",
            known.bassins if known else _known_slugs(Bassin),
            _l("Bassin inconnu : filtre ignoré."),
        )
    values["kind"] = choice("kind", KINDS, _l("Type d'activité inconnu : filtre ignoré."))
    values["audience"] = choice("audience", AUDIENCES, _l("Public inconnu : filtre ignoré."))
    values["commune"] = choice(
        "commune",
        known.communes if known else _known_communes(),
        _l("Commune inconnue : filtre ignoré."),
    )
    values["theme"] = choice(
        "theme",
        known.themes if known else _known_themes(),
        _l("Thématique inconnue : filtre ignoré."),
    )
    for name, key in (("from", "date_from"), ("to", "date_to")):
        raw = (args.get(name) or "").strip()
        if raw:
            parsed = _parse_date(raw)
            if parsed is None:
                problems[name] = _l("Date invalide (format attendu : AAAA-MM-JJ) : filtre ignoré.")
            values[key] = parsed
    if (
        values.get("date_from")
        and values.get("date_to")
        and values["date_to"] < values["date_from"]
    ):
        problems["to"] = _l("La date de fin précède la date de début : filtre ignoré.")
        values["date_to"] = None
    # NUL is no text to search for (and PostgreSQL refuses it).
    text = " ".join((args.get("q") or "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH]
    values["q"] = text or None
    return ParsedFilters(AgendaFilters(**values), problems)


def _known_slugs(model):
    return set(db.session.scalars(select(model.slug)))


def _known_communes():
    rows = db.session.execute(select(Commune.slug, Commune.municipality_slug))
    return {slug for row in rows for slug in row}


def _known_themes():
    rows = db.session.execute(select(Series.slug, Series.theme))
    return {slug for row in rows for slug in row if slug}


def _apply_filters(stmt, filters: AgendaFilters, now):
    """Add the WHERE clauses of the filters to a select over EventOccurrence.

    The index rows carry the event's public status, kind, audience and series, so only a
    text search reads the events table, its folded search text (agenda/search.py).
    """
    stmt = stmt.where(EventOccurrence.listed == true())
    if filters.bassin:
        bassin_id = select(Bassin.id).where(Bassin.slug == filters.bassin).scalar_subquery()
        stmt = stmt.where(
            exists()
            .where(event_bassins.c.event_id == EventOccurrence.event_id)
            .where(event_bassins.c.bassin_id == bassin_id)
        )
    if filters.kind:
        stmt = stmt.where(EventOccurrence.kind == filters.kind)
    if filters.audience:
        stmt = stmt.where(EventOccurrence.audience == filters.audience)
    if filters.theme:
        stmt = stmt.where(
            EventOccurrence.series_id.in_(
                select(Series.id).where(
                    or_(Series.slug == filters.theme, Series.theme == filters.theme)
                )
            )
        )
    if filters.commune:
        stmt = stmt.where(
            EventOccurrence.venue_id.in_(
                select(Venue.id)
                .join(Commune, Venue.commune_id == Commune.id)
                .where(
                    or_(
                        Commune.slug == filters.commune,
                        Commune.municipality_slug == filters.commune,
                    )
                )
            )
        )
    if filters.date_from:
        stmt = stmt.where(EventOccurrence.end_at > local_day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(
            EventOccurrence.start_at < local_day_start(filters.date_to + timedelta(days=1))
        )
    if filters.past:
        stmt = stmt.where(EventOccurrence.end_at <= now)
    elif not filters.date_from:
        stmt = stmt.where(EventOccurrence.end_at > now)
    if filters.q:
        stmt = stmt.where(EventOccurrence.event_id.in_(select(Event.id).where(matches(filters.q))))
    return stmt


def agenda_statement(filters: AgendaFilters, now=None, changed_since=None):
    """The SELECT of the occurrences that the filters ask for, in the order they are shown;
    with `changed_since`, only those of events changed at or after that time."""
    now = now or utcnow()
    stmt = _apply_filters(select(EventOccurrence), filters, now)
    if changed_since is not None:
        changed = select(Event.id).where(Event.updated_at >= changed_since)
        stmt = stmt.where(EventOccurrence.event_id.in_(changed))
    if filters.past:
        return stmt.order_by(EventOccurrence.start_at.desc(), EventOccurrence.id.desc())
    return stmt.order_by(EventOccurrence.start_at, EventOccurrence.id)


def agenda_event_ids(filters: AgendaFilters, now=None):
    """The SELECT of the ids of the events the filters show (any of their dates)."""
    return _apply_filters(select(EventOccurrence.event_id), filters, now or utcnow()).distinct()


def agenda_events_statement(filters: AgendaFilters, now=None):
    """The SELECT of the distinct events behind the filtered occurrences (for feeds)."""
    ids = _apply_filters(select(EventOccurrence.event_id), filters, now or utcnow())
    return select(Event).where(Event.id.in_(ids)).order_by(Event.start_at, Event.id)


EVENT_LOADS = (
    selectinload(Event.bassins),
    selectinload(Event.series),
    selectinload(Event.venue).selectinload(Venue.commune),
    selectinload(Event.organiser),
)


@dataclass
class AgendaPage:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def has_prev(self):
        return self.page > 1

    def months(self):
        """The page as the list shows it: month headings, one entry per event (see
        agenda_entries). The API and feeds read `items`, one per date."""
        return agenda_entries(self.items)


@dataclass
class AgendaEntry:
    """One line of the list: an occurrence and the other dates of the same repeating event
    that fall on the same page (in the page's order), shown with it instead of apart."""

    occurrence: EventOccurrence
    others: list = field(default_factory=list)


@dataclass
class AgendaMonth:
    month: date  # its first day, in Brussels
    entries: list


def agenda_entries(items) -> list[AgendaMonth]:
    """Group a page's occurrences: a repeating event's dates on the page join its first one,
    and the entries fall under the month (Brussels time) of their first date.

    Pagination still counts dates, so a page holds the same dates as before and a repeating
    event's dates never jump between pages; only how they are shown changes.
    """
    months, by_event = [], {}
    for occurrence in items:
        entry = by_event.get(occurrence.event_id)
        if entry is not None:
            entry.others.append(occurrence)
            continue
        entry = by_event[occurrence.event_id] = AgendaEntry(occurrence)
        month = occurrence.local_start.date().replace(day=1)
        if not months or months[-1].month != month:
            months.append(AgendaMonth(month, []))
        months[-1].entries.append(entry)
    return months


def agenda_page(
    filters: AgendaFilters, page=1, per_page=20, now=None, changed_since=None
) -> AgendaPage:
    """One page of the agenda: occurrences with their events, venues and bassins loaded."""
    stmt = agenda_statement(filters, now, changed_since)
    page = max(1, page)
    items = db.session.scalars(
        stmt.options(
            selectinload(EventOccurrence.event).options(*EVENT_LOADS),
            selectinload(EventOccurrence.venue).selectinload(Venue.commune),
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if len(items) < per_page and (items or page == 1):
        # The last page: the total follows without counting (the count is the costly query).
        total = (page - 1) * per_page + len(items)
    else:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return AgendaPage(items, total, page, per_page)


def without(filters: AgendaFilters, **changes):
    return replace(filters, **changes)
