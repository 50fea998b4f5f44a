"""One number that moves whenever anything a public page shows changes: the generation.

Every transaction that writes content (events, venues, series, organisations, bassins,
registrations, which move the places left...) adds one to `content_state.generation`, in the
same transaction, as its last statement. A page rendered after reading generation N shows
data at least as new as N, so "page for generation N" is a safe cache key across workers
and machines (webapp/pagecache.py). Writes that no page shows (the mail outbox) do not count.

The increment is taken last, just before COMMIT, so that on PostgreSQL its row lock is held
for one round trip and does not serialise whole transactions.
"""

from flask import current_app
from sqlalchemy import BigInteger, Integer, create_engine, event, insert, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.extensions import db
from webapp.timezones import UTCDateTime

# Tables whose writes no public page shows.
NOT_CONTENT = frozenset({"content_state", "outbox_messages"})
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
GENERATION_SQL = "SELECT generation FROM content_state WHERE id = 1"


def current_generation():
    """The committed generation (None if the row is missing).

    Read before the page's queries, so a page shows data at least as new as this number.
    It is the only statement of a cached page, so it goes straight to a pooled DBAPI
    connection (a fifth of the time through the SQLAlchemy layers) of the reader engine.
    """
    engine = reader_engine()
    for attempt in (1, 2):
        connection = engine.raw_connection()
        cursor = None
        try:
            cursor = connection.cursor()
            cursor.execute(GENERATION_SQL)
            row = cursor.fetchone()
            cursor.close()
            return row[0] if row else None
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


def _is_content(table):
    return getattr(table, "name", None) not in NOT_CONTENT


@event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context):
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _is_content(getattr(obj, "__table__", None)):
            note_change(session)
            return


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state):
    # UPDATE/INSERT/DELETE statements run through the session (the places counter, bulk loads).
    writes = state.is_update or state.is_delete or state.is_insert
    if writes and _is_content(getattr(state.statement, "table", None)):
        note_change(state.session)


@event.listens_for(Session, "before_commit")
def _advance(session):
    if session.in_nested_transaction():  # a SAVEPOINT: the outer COMMIT takes the increment
        return
    session.flush()  # the last pending changes are noted by _note_flush
    if not session.info.pop(CHANGED, False):
        return
    result = session.execute(
        update(_table).where(_table.c.id == 1).values(generation=_table.c.generation + 1)
    )
    if result.rowcount == 0:  # a schema made without its first row
        session.execute(insert(_table).values(id=1, generation=1))


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    if transaction.parent is None:  # rolled back or committed: nothing left to count
        session.info.pop(CHANGED, None)
