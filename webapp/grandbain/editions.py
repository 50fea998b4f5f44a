"""An admin opens an edition or changes its settings: week, bassins, call window, booking
opening, caps, margin, and the totals of an edition held before this service. An operation
with no HTTP inside: it checks, writes an audit line, flushes; the caller commits."""

from sqlalchemy import select

from webapp import audit
from webapp.agenda.models import Bassin
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.grandbain.models import Edition

SETTINGS = (
    "year",
    "week_start",
    "week_end",
    "call_opens_at",
    "call_closes_at",
    "booking_opens_at",
    "booking_closes_at",
    "max_slots_per_offer",
    "max_visits_per_visitor",
    "margin_minutes",
    "reported_services",
    "reported_visitors",
    "reported_visits",
)


WINDOWS = (("call_opens_at", "call_closes_at"), ("booking_opens_at", "booking_closes_at"))


class EditionRefused(Exception):
    """`reason`: year-taken, week-order, window-order, unknown-bassin."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _check(edition_id, data, bassins, slugs):
    taken = db.session.scalar(
        select(Edition.id).where(Edition.year == data["year"], Edition.id != (edition_id or 0))
    )
    if taken:
        raise EditionRefused("year-taken")
    if data["week_end"] < data["week_start"]:
        raise EditionRefused("week-order")
    for opens, closes in (
        ("call_opens_at", "call_closes_at"),
        ("booking_opens_at", "booking_closes_at"),
    ):
        if data.get(opens) and data.get(closes) and data[closes] <= data[opens]:
            raise EditionRefused("window-order")
    if len(bassins) != len(set(slugs)):
        raise EditionRefused("unknown-bassin")


def save(edition_id, data, bassin_slugs, actor):
    """Create (edition_id None) or change an edition; returns it."""
    bassins = db.session.scalars(
        select(Bassin).where(Bassin.slug.in_(list(bassin_slugs) or [""]))
    ).all()
    _check(edition_id, data, bassins, bassin_slugs)
    edition = db.session.get(Edition, edition_id) if edition_id else Edition()
    if edition_id is None:
        db.session.add(edition)
    for name in SETTINGS:
        setattr(edition, name, data.get(name))
    before, after = audit.changes(edition, SETTINGS) if edition_id else ({}, dict(data))
    old_bassins = sorted(b.slug for b in edition.bassins)
    edition.bassins = sorted(bassins, key=lambda b: b.slug)
    if old_bassins != sorted(b.slug for b in bassins):
        before["bassins"], after["bassins"] = old_bassins, sorted(b.slug for b in bassins)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.GRAND_BAIN_EDITION_UPDATED
        if edition_id
        else AuditAction.GRAND_BAIN_EDITION_CREATED,
        "grand_bain_edition",
        edition.id,
        before=before or None,
        after=after,
    )
    db.session.flush()
    return edition
