"""Places taken under a lock, decided by the database: events' seats today, Grand Bain visit
slots (several at once) next.

Rows are locked in id order (a no-op UPDATE: a row lock on PostgreSQL, the write lock on
SQLite), so two transactions that need the same rows never wait for each other in a circle.
A place is taken by a conditional UPDATE that the table's CHECK (taken <= capacity) backs:
never by reading a count in Python and writing it later.
"""

from dataclasses import dataclass

from sqlalchemy import select, update

from webapp.content_state import PLACES_COUNTER
from webapp.extensions import db
from webapp.unit_of_work import require


@dataclass(frozen=True)
class Places:
    """Where a model keeps its places: the column counting those taken and the capacity
    (NULL: no limit). `keep` names columns with an onupdate that counting leaves alone."""

    model: type
    taken: str
    capacity: str
    keep: tuple[str, ...] = ()

    def column(self, name):
        return getattr(self.model, name)

    def unchanged(self):
        return {name: self.column(name) for name in self.keep}


# Counting places is not an edit that calendars or the content generation see (see
# content_state.PLACES_COUNTER: the callers decide when a shown text changes).
_OPTIONS = {"synchronize_session": False, PLACES_COUNTER: True}


def lock(places: Places, *ids):
    """Lock the rows for the rest of the transaction, in id order."""
    require("a lock on places")
    for object_id in sorted(set(ids)):
        db.session.execute(
            update(places.model)
            .where(places.model.id == object_id)
            .values({places.taken: places.column(places.taken), **places.unchanged()})
            .execution_options(**_OPTIONS)
        )


def lock_rows(places: Places, ids):
    """lock(), in one statement however many rows: on PostgreSQL a SELECT ... ORDER BY id
    FOR NO KEY UPDATE (the lock an UPDATE takes; rows are locked as they come out of the
    sort, so in id order); on SQLite one no-op UPDATE (the database's write lock, where
    order does not matter)."""
    require("a lock on places")
    ids = sorted(set(ids))
    if not ids:
        return
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(
            update(places.model)
            .where(places.model.id.in_(ids))
            .values({places.taken: places.column(places.taken), **places.unchanged()})
            .execution_options(**_OPTIONS)
        )
        return
    db.session.execute(
        select(places.model.id)
        .where(places.model.id.in_(ids))
        .order_by(places.model.id)
        .with_for_update(key_share=True)
    ).all()


def take_each(places: Places, ids, count=1) -> dict:
    """Take `count` places in each row of `ids` that has them free, in one statement, under
    the locks the caller holds (lock_rows): {id: places now taken} for the rows that gave one
    (a full row is absent)."""
    taken, capacity = places.column(places.taken), places.column(places.capacity)
    rows = db.session.execute(
        update(places.model)
        .where(places.model.id.in_(sorted(set(ids))))
        .where(capacity.is_(None) | (taken + count <= capacity))
        .values({places.taken: taken + count, **places.unchanged()})
        .returning(places.model.id, taken)
        .execution_options(**_OPTIONS)
    ).all()
    return dict(rows)


def take(places: Places, object_id, count=1) -> bool:
    """Take `count` places if they are free; False (nothing taken) when they are not."""
    taken, capacity = places.column(places.taken), places.column(places.capacity)
    result = db.session.execute(
        update(places.model)
        .where(places.model.id == object_id)
        .where(capacity.is_(None) | (taken + count <= capacity))
        .values({places.taken: taken + count, **places.unchanged()})
        .execution_options(**_OPTIONS)
    )
    return result.rowcount == 1


def give_back(places: Places, object_id, count=1):
    """Give back `count` places (never below zero)."""
    taken = places.column(places.taken)
    db.session.execute(
        update(places.model)
        .where(places.model.id == object_id, taken >= count)
        .values({places.taken: taken - count, **places.unchanged()})
        .execution_options(**_OPTIONS)
    )


def take_all(places: Places, ids, count=1) -> bool:
    """Take places in every row or in none (several visit slots at once): the rows are
    locked first, in id order; False when one is full (the caller's unit of work rolls back
    what was taken)."""
    lock(places, *ids)
    return all(take(places, object_id, count) for object_id in sorted(set(ids)))
