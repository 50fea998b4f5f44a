"""Two more kinds of waiting work on the dashboard (/admin/), each one query, apart from
admin/dashboard.py: the reports written but not published yet, and the last Grand Bain
edition held with the evaluation answers its visits received."""

from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.admin.dashboard import LIST_LIMIT, Listed
from webapp.agenda.models import Event
from webapp.agenda.reports import Report
from webapp.agenda.states import ReportStatus
from webapp.auth.scopes import event_filter, offer_filter
from webapp.evaluations.models import Answer
from webapp.extensions import db
from webapp.grandbain.models import Edition, Offer
from webapp.timezones import to_local


def report_drafts(scope):
    """Events whose report is saved as a draft, not published, the latest meeting first:
    what is left to proofread and publish."""
    rows = db.session.execute(
        select(Event, func.count().over())
        # (IN, not a join: Event's has_published_report would correlate a joined Report.)
        .where(
            event_filter(scope),
            Event.id.in_(select(Report.event_id).where(Report.status == ReportStatus.DRAFT)),
        )
        .order_by(Event.start_at.desc(), Event.id)
        .limit(LIST_LIMIT)
    ).all()
    return Listed([event for event, _total in rows], rows[0][1] if rows else 0)


@dataclass(frozen=True)
class HeldEdition:
    year: int
    answers: int  # evaluation answers of the visits of the offers in the scope


def held_edition(scope, now):
    """The latest Grand Bain edition whose week is over, with the evaluation answers of its
    offers the account reaches (None: none held, or a service account, which reads its own
    offers' results from them)."""
    if not scope.everything and not scope.bassins:
        return None
    today = to_local(now).date()
    answers = (
        select(func.count(Answer.id))
        .select_from(Answer)
        .join(Offer, Answer.offer_id == Offer.id)
        .where(Offer.edition_id == Edition.id, offer_filter(scope))
        .correlate(Edition)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(Edition.year, answers)
        .where(Edition.week_end < today)
        .order_by(Edition.year.desc())
        .limit(1)
    ).first()
    return HeldEdition(row[0], row[1] or 0) if row else None
