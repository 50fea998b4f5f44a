"""One number that moves whenever anything a public page shows changes: the generation.

Every transaction that writes content (events, venues, series, organisations, bassins,
registrations, which move the places left...) adds one to `content_state.generation`, in the
same transaction, as its last statement. A page rendered after reading generation N shows
data at least as new as N, so "page for generation N" is a safe cache key across workers
and machines (webapp/pagecache.py). Writes that no page shows (the mail outbox) do not count.

The increment is taken last, just before COMMIT, so that on PostgreSQL its row lock is held
for one round trip and does not serialise whole transactions.
"""

from sqlalchemy import BigInteger, Integer, event, insert, select, update
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


def current_generation():
    """The committed generation as this transaction sees it (None if the row is missing)."""
    return db.session.execute(select(ContentState.generation).where(ContentState.id == 1)).scalar()


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
    table = ContentState.__table__
    result = session.execute(
        update(table).where(table.c.id == 1).values(generation=table.c.generation + 1)
    )
    if result.rowcount == 0:  # a schema made without its first row
        session.execute(insert(table).values(id=1, generation=1))


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    if transaction.parent is None:  # rolled back or committed: nothing left to count
        session.info.pop(CHANGED, None)
