"""What the dashboard (/admin/) shows an account, within its scope: the coming events with
their places, what waits for it, and the year's counts. Read-only queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.admin.participants.undelivered import undelivered_count
from webapp.agenda.models import Event
from webapp.agenda.states import EventStatus
from webapp.auth.scopes import event_filter, registration_filter
from webapp.extensions import db
from webapp.proposals import rules as proposal_rules
from webapp.registrations.models import Registration
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import local_day_start, to_local

LIST_LIMIT = 50
REPORT_WINDOW = timedelta(days=365)


@dataclass
class Board:
    coming: list = field(default_factory=list)  # [Event]
    counts: dict = field(default_factory=dict)  # {event id: {RegistrationStatus: n}}
    pending: list = field(default_factory=list)  # [(Event, pending count)]
    without_report: list = field(default_factory=list)  # [Event]
    drafts: list = field(default_factory=list)  # [Event]
    proposals: int | None = None  # None: no moderation queue in this installation
    year: int = 0
    kinds: dict = field(default_factory=dict)  # {kind slug: events this year}
    confirmed: int = 0
    reports: int = 0
    undelivered: int = 0  # messages failed or waiting for another try (auth.undelivered)


def board(scope, now):
    """Everything the dashboard shows for that scope at `now`."""
    coming = coming_events(scope, now)
    year = to_local(now).year
    kinds, confirmed, reports = year_counts(scope, year)
    return Board(
        coming=coming,
        counts=registration_counts(scope, [e.id for e in coming]),
        pending=pending_approvals(scope, now),
        without_report=past_without_report(scope, now),
        drafts=drafts(scope, now),
        proposals=proposals_waiting(scope),
        year=year,
        kinds=kinds,
        confirmed=confirmed,
        reports=reports,
        undelivered=undelivered_count(scope),
    )


def _events(*where, order):
    return db.session.scalars(
        select(Event)
        .where(*where)
        .order_by(order, Event.id)
        .limit(LIST_LIMIT)
        .options(selectinload(Event.bassins), selectinload(Event.venue))
    ).all()


def coming_events(scope, now):
    """Events not over yet and not cancelled, soonest first."""
    return _events(
        event_filter(scope),
        Event.end_at > now,
        Event.status != EventStatus.CANCELLED,
        order=Event.start_at,
    )


def registration_counts(scope, event_ids):
    """{event id: {status: count}} for those events, within the scope."""
    rows = db.session.execute(
        select(Registration.event_id, Registration.status, func.count())
        .where(Registration.event_id.in_(event_ids or [0]), registration_filter(scope))
        .where(Registration.walk_in.is_(False))  # people added at the door took no place
        .group_by(Registration.event_id, Registration.status)
    ).all()
    counts = {}
    for event_id, status, count in rows:
        counts.setdefault(event_id, {})[RegistrationStatus(status)] = count
    return counts


def pending_approvals(scope, now):
    """[(event, n)]: events not over yet with n requests awaiting approval, soonest first."""
    waiting = (
        select(Registration.event_id, func.count().label("n"))
        .where(Registration.status == RegistrationStatus.PENDING)
        .group_by(Registration.event_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Event, waiting.c.n)
        .join(waiting, waiting.c.event_id == Event.id)
        .where(event_filter(scope), Event.end_at > now)
        .order_by(Event.start_at, Event.id)
        .limit(LIST_LIMIT)
    ).all()
    return [(event, n) for event, n in rows]


def _blank(column):
    return or_(column.is_(None), column == "")


# Event.has_report, as SQL: no published report, and none imported (no summary, no report or
# slides link, no participants count).
NO_REPORT = and_(
    ~Event.has_published_report,
    _blank(Event.report_summary_fr),
    _blank(Event.report_url),
    _blank(Event.presentation_url),
    or_(Event.participants_count.is_(None), Event.participants_count == 0),
)


def past_without_report(scope, now):
    """Published one-off events ended in the last twelve months with no report, latest first.

    Repeating events (the prevention rendez-vous) are left out: no report is expected of them.
    """
    return _events(
        event_filter(scope),
        Event.status == EventStatus.PUBLISHED,
        Event.rrule.is_(None),
        Event.end_at <= now,
        Event.end_at > now - REPORT_WINDOW,
        NO_REPORT,
        order=Event.end_at.desc(),
    )


def drafts(scope, now):
    """Drafts not over yet, soonest first: what is left to publish."""
    return _events(
        event_filter(scope),
        Event.status == EventStatus.DRAFT,
        Event.end_at > now,
        order=Event.start_at,
    )


def year_counts(scope, year):
    """({kind: published events}, confirmed registrations, published reports) of the events
    that start in that calendar year (Brussels time)."""
    start, end = local_day_start(date(year, 1, 1)), local_day_start(date(year + 1, 1, 1))
    of_year = and_(
        event_filter(scope),
        Event.start_at >= start,
        Event.start_at < end,
        Event.status.in_((EventStatus.PUBLISHED, EventStatus.POSTPONED)),
    )
    kinds = dict(
        db.session.execute(
            select(Event.kind, func.count()).where(of_year).group_by(Event.kind)
        ).all()
    )
    confirmed = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(of_year, Registration.status == RegistrationStatus.CONFIRMED)
    )
    reports = db.session.scalar(select(func.count()).select_from(Event).where(of_year, ~NO_REPORT))
    return kinds, confirmed or 0, reports or 0


def proposals_waiting(scope):
    """Partners' proposals waiting for this scope's moderation (None: a service account,
    which moderates nothing)."""
    if not scope.everything and not scope.bassins:
        return None
    return proposal_rules.waiting_count(scope)
