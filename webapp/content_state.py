"""One number that moves whenever anything a public page shows changes: the generation.

Every transaction that writes content (events, venues, series, organisations, bassins,
registrations, which move the places left...) adds one to `content_state.generation`, in the
same transaction, as its last statement. A page rendered after reading generation N shows
data at least as new as N, so "page for generation N" is a safe cache key across workers
and machines (webapp/pagecache.py). Writes that no page shows (the mail outbox) do not count.

The increment is taken last, just before COMMIT, so that on PostgreSQL its row lock is held
for one round trip and does not serialise whole transactions.
"""

from sqlalchemy import BigInteger, Integer, event, insert, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.extensions import db

# Tables whose writes no public page shows.
NOT_CONTENT = frozenset({"content_state", "outbox_messages"})
CHANGED = "content_changed"


class ContentState(db.Model):
    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)


@event.listens_for(ContentState.__table__, "after_create")
def _first_row(table, connection, **kw):
    connection.execute(insert(table).values(id=1, generation=0))


_table = ContentState.__table__
GENERATION_SQL = "SELECT generation FROM content_state WHERE id = 1"


def current_generation():
    """The committed generation (None if the row is missing).

    Read before the page's queries, so a page shows data at least as new as this number.
    It is the only statement of a cached page, so it goes straight to a pooled DBAPI
    connection (a fifth of the time through the SQLAlchemy layers), in autocommit where the
    driver would otherwise open a transaction to roll back on return (one round trip less).
    """
    engine = db.engine
    dialect = engine.dialect
    connection = engine.raw_connection()
    try:
        dbapi_connection = connection.dbapi_connection
        autocommit = dialect.name != "sqlite"  # pysqlite opens no transaction for a SELECT
        if autocommit:
            dialect.set_isolation_level(dbapi_connection, "AUTOCOMMIT")
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute(GENERATION_SQL)
            row = cursor.fetchone()
            cursor.close()
        finally:
            if autocommit:
                dialect.reset_isolation_level(dbapi_connection)
    finally:
        connection.close()  # back to the pool
    return row[0] if row else None


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
