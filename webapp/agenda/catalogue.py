"""The agenda's catalogue: series, venues and organisations saved, and two duplicates merged.

Each operation takes ids and data and an actor, checks, changes the rows, writes one audit
line with the values before and after, and flushes; it never commits (webapp.unit_of_work).
A refusal is a `CatalogueRefused` with a stable reason and the field it is about.

A merge points every foreign key that names the removed row at the survivor, then deletes
the removed row. The foreign keys are read from the metadata, so a table added later is
followed without a change here. Mapped rows are changed through the ORM, so what follows an
event's edit (SEQUENCE, the agenda index, the search text, the content generation:
agenda/changes.py, content_state) follows a merge too.
"""

import logging
import re
from dataclasses import dataclass

from sqlalchemy import (
    PrimaryKeyConstraint,
    UniqueConstraint,
    and_,
    delete,
    exists,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError

from webapp import audit
from webapp.agenda.models import Event, Organisation, Series, Venue
from webapp.agenda.search import fold
from webapp.agenda.states import EventStatus, Kind
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.vocabulary import SECTOR_SLUGS

logger = logging.getLogger(__name__)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SERIES_COLUMNS = (
    "slug",
    "theme",
    "kind",
    "title_fr",
    "title_nl",
    "description_fr",
    "description_nl",
)
VENUE_COLUMNS = (
    "name",
    "address",
    "postal_code",
    "commune_id",
    "access_notes_fr",
    "access_notes_nl",
    "step_free",
    "lift",
)
ORGANISATION_COLUMNS = ("name", "sector", "commune_id", "email", "phone", "website")
# Each table's audit actions: (created, updated), and merged for those that merge.
SAVED = {
    "series": (AuditAction.SERIES_CREATED, AuditAction.SERIES_UPDATED),
    "venue": (AuditAction.VENUE_CREATED, AuditAction.VENUE_UPDATED),
    "organisation": (AuditAction.ORGANISATION_CREATED, AuditAction.ORGANISATION_UPDATED),
}
MERGED = {"venue": AuditAction.VENUE_MERGED, "organisation": AuditAction.ORGANISATION_MERGED}


class CatalogueRefused(Exception):
    """The change cannot be made; `reason` is a stable code, `field` the field it is about."""

    def __init__(self, reason, field=None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


def save_series(series_id, data, actor):
    """Create (series_id None) or update a series from `data` (its columns and `bassins`)."""
    series = _load_or_new(Series, series_id)
    slug = data.get("slug", series.slug)
    if not slug or not SLUG.match(slug):
        raise CatalogueRefused("invalid-slug", "slug")
    if data.get("theme") and not SLUG.match(data["theme"]):
        raise CatalogueRefused("invalid-slug", "theme")
    if data.get("kind", series.kind or Kind.CONCERTATION) not in set(Kind):
        raise CatalogueRefused("unknown-kind", "kind")
    if _taken(Series, series.id, Series.slug == slug):
        raise CatalogueRefused("slug-taken", "slug")
    if series.id is not None and slug != series.slug and _has_public_events(series.id):
        # /series/<slug>, its feed and the `theme` filter are in people's bookmarks and
        # calendars: once a meeting is public, the address stays.
        raise CatalogueRefused("slug-in-public-use", "slug")
    bassins = data.get("bassins")
    if bassins is not None and not bassins:
        raise CatalogueRefused("bassin-needed", "bassins")
    old_bassins = sorted(b.slug for b in series.bassins) if series.id else []
    _set_columns(series, data, SERIES_COLUMNS)
    if bassins is not None:
        series.bassins = sorted(bassins, key=lambda b: b.slug)
    created = series.id is None
    before, after = _saved(series, SERIES_COLUMNS, CatalogueRefused("slug-taken", "slug"), created)
    new_bassins = sorted(b.slug for b in series.bassins)
    if new_bassins != old_bassins:
        before["bassins"], after["bassins"] = old_bassins, new_bassins
    return _record(series, "series", actor, created, before, after)


def save_venue(venue_id, data, actor):
    """Create (venue_id None) or update a venue; (name, address) is unique."""
    venue = _load_or_new(Venue, venue_id)
    name = data.get("name", venue.name)
    address = data.get("address", venue.address) or ""
    if _taken(Venue, venue.id, and_(Venue.name == name, Venue.address == address)):
        raise CatalogueRefused("venue-exists", "name")
    _set_columns(venue, {**data, "address": address}, VENUE_COLUMNS)
    created = venue.id is None
    before, after = _saved(venue, VENUE_COLUMNS, CatalogueRefused("venue-exists", "name"), created)
    return _record(venue, "venue", actor, created, before, after)


def save_organisation(organisation_id, data, actor):
    """Create (organisation_id None) or update an organisation; its name is unique."""
    organisation = _load_or_new(Organisation, organisation_id)
    name = data.get("name", organisation.name)
    if data.get("sector") and data["sector"] not in SECTOR_SLUGS:
        raise CatalogueRefused("unknown-sector", "sector")
    if _taken(Organisation, organisation.id, Organisation.name == name):
        raise CatalogueRefused("name-taken", "name")
    _set_columns(organisation, data, ORGANISATION_COLUMNS)
    created = organisation.id is None
    before, after = _saved(
        organisation, ORGANISATION_COLUMNS, CatalogueRefused("name-taken", "name"), created
    )
    return _record(organisation, "organisation", actor, created, before, after)


def compare_key(text):
    """A name or an address as duplicates compare it: folded, without punctuation."""
    return " ".join("".join(c if c.isalnum() else " " for c in fold(text or "")).split())


def names_alike(first, second):
    """The same name, accents, case and punctuation aside, or one name holding the other
    ("Bassin Sud" in "Équipe d'appui du Bassin Sud")."""
    return _keys_alike(compare_key(first), compare_key(second))


def _keys_alike(first, second):
    if not first or not second:
        return False
    shorter = min(first, second, key=len)
    return first == second or (len(shorter) > 5 and (first in second or second in first))


def _twin_reasons(key, other_key):
    """Why two rows look alike, from their (folded name, folded address, commune id):
    "name" (names_alike), "address" (the same address in the same commune)."""
    (name, address, commune_id), (other_name, other_address, other_commune_id) = key, other_key
    reasons = ["name"] if _keys_alike(name, other_name) else []
    if address and other_address == address and other_commune_id == commune_id:
        reasons.append("address")
    return reasons


def _twin_key(row):
    return (
        compare_key(row.name),
        compare_key(getattr(row, "address", None)),
        getattr(row, "commune_id", None),
    )


def probable_twins(row, others):
    """[(other, reasons)]: those of `others` (venues or organisations) that look like `row`,
    the likeliest first. Reasons: "name" (names_alike), "address" (a venue at the same
    address in the same commune, its name typed otherwise)."""
    key = _twin_key(row)
    found = [(other, _twin_reasons(key, _twin_key(other))) for other in others]
    return sorted(
        ((other, reasons) for other, reasons in found if reasons),
        key=lambda item: (-len(item[1]), compare_key(item[0].name)),
    )


def twins_by_row(rows, others):
    """{row id: [other]}: probable_twins of each of `rows` among `others` (rows or column
    tuples with id, name, commune_id and, for venues, address), the same rule, each name and
    address folded once: a list page flags its duplicates without a query per row."""
    keyed = [(other, _twin_key(other)) for other in others]
    found = {}
    for row in rows:
        key = _twin_key(row)
        twins = [
            other
            for other, other_key in keyed
            if other.id != row.id and _twin_reasons(key, other_key)
        ]
        if twins:
            found[row.id] = twins
    return found


def organisation_named(name):
    """The organisation of that name, accents, case and spaces aside ("CPAS de Forest" is
    "cpas de  FORÊST"), or a new one: an import, a service account and an accepted proposal
    name their organisation in words."""
    found = db.session.scalars(
        select(Organisation).where(Organisation.search_text == fold(name)).order_by(Organisation.id)
    ).first()
    if found is None:
        found = Organisation(name=" ".join(name.split()))
        db.session.add(found)
    return found


def _load_or_new(model, object_id):
    if object_id is None:
        obj = model()
        db.session.add(obj)
        return obj
    obj = db.session.get(model, object_id)
    if obj is None:
        raise CatalogueRefused("not-found")
    return obj


def _taken(model, own_id, clause):
    """Whether another row than `own_id` already matches `clause` (a unique value)."""
    with db.session.no_autoflush:
        query = select(model.id).where(clause)
        if own_id is not None:
            query = query.where(model.id != own_id)
        return db.session.scalar(query.limit(1)) is not None


def _has_public_events(series_id):
    return db.session.scalar(
        select(exists().where(Event.series_id == series_id, Event.status != EventStatus.DRAFT))
    )


def _set_columns(obj, data, columns):
    for name in columns:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])


def _saved(obj, columns, taken, created):
    """(before, after) of the changed columns; the flush, a refusal if the database's unique
    constraint speaks first (another request saved the same name meanwhile)."""
    if created:
        before, after = {}, {name: getattr(obj, name) for name in columns}
    else:
        before, after = audit.changes(obj, columns)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise taken from None
    return before, after


def _record(obj, kind, actor, created, before, after):
    if not created and not after:
        return obj  # saved unchanged: no audit line
    action = SAVED[kind][0] if created else SAVED[kind][1]
    audit.record(actor, action, kind, obj.id, before=before or None, after=after)
    return obj


@dataclass(frozen=True)
class Reference:
    """A foreign key column that points at the catalogue's table, and how many of its rows
    point at one row."""

    table: str
    column: str
    count: int

    @property
    def name(self):
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class Merge:
    """What a merge did: the survivor, the removed row's id, the rows moved per column."""

    survivor: object
    removed_id: int
    moved: tuple[Reference, ...]


def references(model, object_id):
    """Every foreign key column pointing at `model`'s table, with its rows naming `object_id`
    (the columns no row names included: the confirmation page lists what moves)."""
    found = []
    for column in _referencing_columns(model.__table__):
        count = db.session.scalar(
            select(func.count()).select_from(column.table).where(column == object_id)
        )
        found.append(Reference(column.table.name, column.name, count))
    return found


def merge_venues(removed_id, survivor_id, actor, events_within=None):
    """Every event, date and override at the removed venue goes to the survivor; the removed
    venue is deleted. `events_within` (a WHERE clause on Event): the events the actor may
    change; a merge that would move another's event is refused."""
    return _merge(Venue, removed_id, survivor_id, actor, events_within, "venue")


def merge_organisations(removed_id, survivor_id, actor, events_within=None):
    """Every event organised and account held by the removed organisation goes to the
    survivor; the removed organisation is deleted."""
    return _merge(Organisation, removed_id, survivor_id, actor, events_within, "organisation")


def _merge(model, removed_id, survivor_id, actor, events_within, kind):
    if removed_id == survivor_id:
        raise CatalogueRefused("same-row", "survivor")
    removed = db.session.get(model, removed_id)
    survivor = db.session.get(model, survivor_id)
    if removed is None or survivor is None:
        raise CatalogueRefused("not-found", "survivor")
    if events_within is not None and _moves_foreign_events(model, removed_id, events_within):
        raise CatalogueRefused("foreign-events", "survivor")
    columns = _referencing_columns(model.__table__)
    for column in columns:
        if _would_collide(column, removed_id, survivor_id):
            raise CatalogueRefused("conflict", "survivor")
    moved = []
    for column in columns:
        count = _repoint(column, removed_id, survivor_id)
        moved.append(Reference(column.table.name, column.name, count))
    db.session.flush()
    before = {name: getattr(removed, name) for name in _columns_of(model)}
    db.session.expire(removed)  # collections it had are empty now: nothing to set NULL
    db.session.delete(removed)
    db.session.flush()
    after = {"survivor_id": survivor_id, **{ref.name: ref.count for ref in moved}}
    audit.record(actor, MERGED[kind], kind, survivor_id, before=before, after=after)
    logger.info("%s %s merged into %s", kind, removed_id, survivor_id)
    return Merge(survivor, removed_id, tuple(moved))


def _columns_of(model):
    return [column.key for column in model.__table__.columns]


def _referencing_columns(table):
    """The columns of every table whose foreign key names `table`, in a stable order."""
    return [
        fk.parent
        for other in db.metadata.sorted_tables
        for fk in sorted(other.foreign_keys, key=lambda fk: fk.parent.name)
        if fk.column.table is table
    ]


def _mapper_of(table):
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table:
            return mapper
    return None


def _affected_events(column, removed_id):
    """SELECT of the ids of events a row of `column` naming the removed row belongs to."""
    table = column.table
    if table is Event.__table__:
        return select(table.c.id).where(column == removed_id)
    event_fk = next(
        (
            fk.parent
            for fk in table.foreign_keys
            if fk.column.table is Event.__table__ and fk.parent is not column
        ),
        None,
    )
    if event_fk is None:
        return None
    return select(event_fk).where(column == removed_id)


def _moves_foreign_events(model, removed_id, events_within):
    for column in _referencing_columns(model.__table__):
        affected = _affected_events(column, removed_id)
        if affected is None:
            continue
        foreign = select(Event.id).where(Event.id.in_(affected), ~events_within).limit(1)
        if db.session.scalar(foreign) is not None:
            return True
    return False


def _unique_sets(table):
    """The column sets of the table's unique constraints (primary key included) and indexes."""
    unique = (UniqueConstraint, PrimaryKeyConstraint)
    sets = [{c.name for c in k.columns} for k in table.constraints if isinstance(k, unique)]
    sets += [{c.name for c in index.columns} for index in table.indexes if index.unique]
    return sets


def _would_collide(column, removed_id, survivor_id):
    """Whether moving the rows would break a unique constraint that holds more than links
    (a link table's duplicate rows are dropped instead: the survivor already has the link)."""
    if _is_link_table(column.table):
        return False
    table = column.table
    for names in _unique_sets(table):
        if column.name not in names or names == {column.name}:
            if names == {column.name}:
                # One row per target: both having one is a collision.
                survivor_has = select(table).where(column == survivor_id).exists()
                removed_has = select(table).where(column == removed_id).exists()
                if db.session.scalar(select(survivor_has & removed_has)):
                    return True
            continue
        others = [table.c[name] for name in sorted(names - {column.name})]
        survivor_rows = select(*others).where(column == survivor_id)
        clash = (
            select(func.count())
            .select_from(table)
            .where(column == removed_id, _tuple(others).in_(survivor_rows))
        )
        if db.session.scalar(clash):
            return True
    return False


def _tuple(columns):
    return tuple_(*columns) if len(columns) > 1 else columns[0]


def _is_link_table(table):
    """A table that only links rows (series_bassins): no mapped class, every column a key."""
    return _mapper_of(table) is None and all(c.primary_key for c in table.columns)


def _repoint(column, removed_id, survivor_id):
    """Point the rows of `column` naming the removed row at the survivor; their count."""
    table = column.table
    mapper = _mapper_of(table)
    if mapper is None:
        if _is_link_table(table):
            others = [c for c in table.columns if c is not column]
            already = select(*others).where(column == survivor_id)
            db.session.execute(
                delete(table).where(column == removed_id, _tuple(others).in_(already))
            )
        result = db.session.execute(
            update(table).where(column == removed_id).values({column.name: survivor_id})
        )
        return result.rowcount
    attribute = mapper.get_property_by_column(column).key
    # The relationships this column backs would still name the removed row: reload them.
    stale = [rel.key for rel in mapper.relationships if column in rel.local_columns]
    rows = db.session.scalars(select(mapper.class_).where(column == removed_id)).all()
    for row in rows:
        setattr(row, attribute, survivor_id)
        if stale:
            db.session.expire(row, stale)
    return len(rows)
