"""The audit log: who changed what, the values before and after, and why.

Operations call `record` inside their own transaction, so the line stands or falls with the
change it describes. It holds ids and the changed values, never a person's name or address
(a registration's line says its status changed, not who the person is).
"""

import logging
from dataclasses import dataclass

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.timezones import UTCDateTime, utcnow
from webapp.unit_of_work import require

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff account (its id), import-events, the system (scheduled jobs), or
    a person through their own link (the registration's id)."""

    kind: str
    id: int | None = None

    ACCOUNT = "account"
    IMPORT = "import"
    SYSTEM = "system"
    PERSONAL_LINK = "personal-link"

    @classmethod
    def account(cls, account_id):
        return cls(cls.ACCOUNT, account_id)

    @classmethod
    def personal_link(cls, registration_id):
        return cls(cls.PERSONAL_LINK, registration_id)


IMPORT = Actor(Actor.IMPORT)
SYSTEM = Actor(Actor.SYSTEM)


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # An AuditAction's value: "event.moved", "registration.cancelled"... (webapp/audit_actions.py)
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


def record(
    actor: Actor,
    action: AuditAction,
    subject_type,
    subject_id,
    before=None,
    after=None,
    reason=None,
):
    """Add one audit line to the current transaction (flushed with it, never committed here).
    `action` is a member of AuditAction: text the registry does not know would show no label."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"an audit action is a member of AuditAction, not {action!r}")
    require("an audit line")
    entry = AuditEntry(
        actor_kind=actor.kind,
        actor_id=actor.id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
    )
    db.session.add(entry)
    logger.info("audit %s %s:%s by %s:%s", action, subject_type, subject_id, actor.kind, actor.id)
    return entry


def purged(action: AuditAction, subject_type, subject_id, months):
    """The line the retention purge writes for one person's row: by the system, with why."""
    return record(SYSTEM, action, subject_type, subject_id, reason=f"retention {months} months")


def changes(obj, fields):
    """(before, after) of the fields of `obj` that this transaction changed, for `record`."""
    from sqlalchemy import inspect

    state = inspect(obj)
    before, after = {}, {}
    for name in fields:
        history = state.attrs[name].history
        if history.has_changes():
            before[name] = history.deleted[0] if history.deleted else None
            after[name] = history.added[0] if history.added else None
    return before, after


def _jsonable(values):
    """Dates and other values as text, so any backend's JSON column takes them; lists and
    dicts (a JSON column's own value: {sector group: count}) as they are, never their repr."""
    if values is None:
        return None
    return {
        key: value
        if value is None or isinstance(value, (str, int, float, bool, list, dict))
        else (value.isoformat() if hasattr(value, "isoformat") else str(value))
        for key, value in values.items()
    }
