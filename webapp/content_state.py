"""One number that moves whenever anything a public page shows changes: the generation.

Every transaction that writes to a table the public pages show (PUBLIC_TABLES: events,
venues, series...) adds one to `content_state.generation`, in the same transaction, as its
last statement, and stamps `changed_at`. A page rendered after reading generation N shows
data at least as new as N, so "page for generation N" is a safe cache key across workers
and machines (webapp/pagecache.py, webapp/feeds/http.py). Writes that no public page shows
do not count: the private tables (registrations, the mail outbox), a dirty object with no
net change, and the places counter of registrations/rules.py, whose statements carry the
PLACES_COUNTER option: the event page keys on its own event's count instead (read in the
same round trip), and the rules move the generation only when an agenda card's text changes.

The increment is taken last, just before COMMIT, so that on PostgreSQL its row lock is held
for one round trip and does not serialise whole transactions.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import BigInteger, Integer, case, create_engine, event, insert, literal, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.extensions import db
from webapp.timezones import UTCDateTime, utcnow
from webapp.vocabulary import PUBLIC_STATUSES

# Tables whose rows the public pages (and feeds) show: a write to one moves the generation.
PUBLIC_TABLES = frozenset(
    {
        "bassins",
        "communes",
        "venues",
        "organisations",
        "series",
        "series_bassins",
        "events",
        "event_bassins",
        # The API's `removed` (ids and times only).
        "event_removals",
        "occurrence_overrides",
        "event_occurrences",
        "questions",
        "grand_bain_editions",
        "grand_bain_edition_bassins",
        "grand_bain_offers",
        "grand_bain_slots",
        "reports",
        "report_sections",
        "report_quotes",
        "theme_syntheses",
    }
)
# Tables no public page shows. Every table is in one list or the other (tests/test_pagecache.py):
# whoever adds a table decides whether its writes empty the page caches.
PRIVATE_TABLES = frozenset(
    {
        "accommodation_requests",
        "account_bassins",
        "accounts",
        "audit_entries",
        "check_ins",
        "content_state",
        "digest_subscriptions",
        "evaluation_answers",
        "evaluation_forms",
        "evaluation_invitations",
        "evaluation_open_claims",
        "evaluation_templates",
        "grand_bain_bookings",
        "grand_bain_visitors",
        "job_runs",
        "outbox_messages",
        "proposals",
        "registrations",
        "staff_sessions",
    }
)
# Execution option of the places counter's statements (registrations/rules.py): they do not
# move the generation, the rules decide (note_change) when a card's text changes.
PLACES_COUNTER = "places_counter"
CHANGED = "content_changed"


class ContentState(db.Model):
    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
    # When the generation last moved: the Last-Modified of what is built from it.
    changed_at = mapped_column(UTCDateTime)


@event.listens_for(ContentState.__table__, "after_create")
def _first_row(table, connection, **kw):
    connection.execute(insert(table).values(id=1, generation=0))


_table = ContentState.__table__
STATE_SQL = "SELECT generation, changed_at FROM content_state WHERE id = 1"
# The places taken of an event, on site and online, as one number (Event.places_key): each
# count is below a million (places are typed up to 100000).
PLACES_KEY_SQL = "confirmed_count + online_confirmed_count * CAST(1000000 AS BIGINT)"
# The same row, and the places taken of one public event (NULL when there is none).
EVENT_STATE_SQL = (
    "SELECT generation, changed_at, (SELECT " + PLACES_KEY_SQL + " FROM events WHERE id = {id}"
    " AND status IN (" + ", ".join(f"'{status}'" for status in PUBLIC_STATUSES) + "))"
    " FROM content_state WHERE id = 1"
)
# Ids beyond this overflow the databases' integers.
MAX_ID = 2**63
# How each DBAPI marks a parameter (sqlite3: qmark; psycopg: pyformat).
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": ":1"}


@dataclass(frozen=True)
class Snapshot:
    """The committed content state, read in one round trip."""

    generation: int
    changed_at: datetime | None
    # Places taken of the event asked for; None when no public event has that id.
    event_places: int | None = None


def current_generation():
    """The committed generation (None if the row is missing)."""
    snapshot = current_state()
    return snapshot.generation if snapshot else None


def current_state(event_id=None) -> Snapshot | None:
    """The committed generation and its time, and an event's places taken (one round trip).

    None if the row is missing. Read before the page's queries, so a page shows data at
    least as new as this. It is the only statement of a cached page or a feed's 304, so it
    goes straight to a pooled DBAPI connection (a fifth of the time through the SQLAlchemy
    layers) of the reader engine.
    """
    engine = reader_engine()
    if event_id is None or not 0 < int(event_id) < MAX_ID:  # beyond any id: no such event
        sql, parameters = STATE_SQL, ()
    else:
        placeholder = PLACEHOLDERS[engine.dialect.paramstyle]
        sql, parameters = EVENT_STATE_SQL.format(id=placeholder), (int(event_id),)
    row = _read_one(engine, sql, parameters)
    if row is None:
        return None
    changed_at = row[1]
    if isinstance(changed_at, str):  # SQLite hands its text back as it is
        changed_at = datetime.fromisoformat(changed_at)
    changed_at = _table.c.changed_at.type.process_result_value(changed_at, engine.dialect)
    return Snapshot(row[0], changed_at, row[2] if len(row) > 2 else None)


def _read_one(engine, sql, parameters):
    """One row of `sql` on a pooled DBAPI connection; a dropped connection is tried again."""
    for attempt in (1, 2):
        connection = engine.raw_connection()
        cursor = None
        try:
            cursor = connection.cursor()
            cursor.execute(sql, parameters)
            row = cursor.fetchone()
            cursor.close()
            return row
        except engine.dialect.loaded_dbapi.Error as error:
            # The reader does not ping before use: a connection the server dropped (a
            # restart) fails here instead, is thrown away, and the read is tried once more.
            dbapi_connection = connection.dbapi_connection
            if attempt == 2 or not engine.dialect.is_disconnect(error, dbapi_connection, cursor):
                raise
            connection.invalidate(error)
        finally:
            connection.close()  # back to the pool
    raise AssertionError("unreachable")  # pragma: no cover


def remembered(generation, load):
    """`load()`, called once per content generation in this process, then kept.

    For what depends on public content only (the known filter values): the generation names
    the data, so the copy kept is never that of other data, and a hit needs no query for it.
    """
    memo = current_app.extensions.setdefault("per_generation", {})
    held = memo.get(load)
    if held is None or held[0] != generation:
        held = (generation, load())
        memo[load] = held  # one tuple, replaced whole: safe between threads
    return held[1]


def reader_engine():
    """The engine the generation is read on.

    SQLite: the app's own (a local file, no ping, and pysqlite opens no transaction for a
    SELECT). Elsewhere a small engine of its own, in autocommit and without the ping before
    each checkout that the app's engine does: the read is one round trip, not three (ping,
    SELECT, ROLLBACK on return), and a dropped connection is retried instead of pinged for.
    """
    engine = db.engine
    if engine.dialect.name == "sqlite":
        return engine
    app = current_app._get_current_object()
    reader = app.extensions.get("generation_reader")
    if reader is None:
        # Connected as the app's engine is (search_path, SSL...), or it could read elsewhere.
        options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        reader = create_engine(
            engine.url,
            connect_args=options.get("connect_args", {}),
            isolation_level="AUTOCOMMIT",
            pool_size=2,
            max_overflow=8,
        )
        app.extensions["generation_reader"] = reader
        # Whoever disposes of the app's engine (tests, a forked worker) disposes of this too.
        event.listen(engine, "engine_disposed", lambda _engine: reader.dispose())
    return reader


def note_change(session):
    """Mark this transaction as one that changes content (done for you on ORM writes)."""
    session.info[CHANGED] = True


def _is_public(table):
    return getattr(table, "name", None) in PUBLIC_TABLES


def _changes_public_rows(session, obj):
    """Whether flushing `obj` wrote something a public page shows."""
    if not _is_public(getattr(obj, "__table__", None)):
        return False
    # A dirty object may hold the values it had (a form saved unchanged): no net change.
    return obj in session.new or obj in session.deleted or session.is_modified(obj)


@event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context):
    # Still the flushed state here: new, dirty, deleted and their attribute histories.
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _changes_public_rows(session, obj):
            note_change(session)
            return


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state):
    # UPDATE/INSERT/DELETE statements run through the session (bulk loads, imports); the
    # places counter's statements are marked and leave the decision to their rules.
    writes = state.is_update or state.is_delete or state.is_insert
    if not writes or state.execution_options.get(PLACES_COUNTER):
        return
    if _is_public(getattr(state.statement, "table", None)):
        note_change(state.session)


@event.listens_for(Session, "before_commit")
def _advance(session):
    if session.in_nested_transaction():  # a SAVEPOINT: the outer COMMIT takes the increment
        return
    session.flush()  # the last pending changes are noted by _note_flush
    if not session.info.pop(CHANGED, False):
        return
    now = literal(utcnow(), UTCDateTime())
    # Never backwards (another machine's clock a little behind): a Last-Modified that went
    # back could let If-Modified-Since keep a stale copy.
    changed_at = case((_table.c.changed_at > now, _table.c.changed_at), else_=now)
    result = session.execute(
        update(_table)
        .where(_table.c.id == 1)
        .values(generation=_table.c.generation + 1, changed_at=changed_at)
    )
    if result.rowcount == 0:  # a schema made without its first row
        session.execute(insert(_table).values(id=1, generation=1, changed_at=utcnow()))


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    if transaction.parent is None:  # rolled back or committed: nothing left to count
        session.info.pop(CHANGED, None)
