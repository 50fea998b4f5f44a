"""What the dashboard (/admin/) shows an account, within its scope: what waits for it (every
kind of work it can act on, each with its count), today's and tomorrow's meetings, the
coming events with their places, and the year's counts. Read-only queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from webapp.admin.participants.undelivered import undelivered_count
from webapp.agenda.models import Event, EventOccurrence
from webapp.agenda.states import EventStatus
from webapp.auth.scopes import event_filter, offer_filter, registration_filter
from webapp.evaluations.models import Answer, EvaluationForm
from webapp.extensions import db
from webapp.grandbain.models import Edition, Offer
from webapp.grandbain.states import OfferStatus
from webapp.proposals import rules as proposal_rules
from webapp.registrations.models import Registration
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import local_day_start, to_local

# Cards shown per list (a phone scrolls through each); the lists say how many there are.
LIST_LIMIT = 8
REPORT_WINDOW = timedelta(days=365)
# An evaluation's answers are news while its form opened this recently (answers keep no
# time of their own: they would tell who answered when).
EVALUATION_WINDOW = timedelta(days=30)


class Listed(list):
    """The first LIST_LIMIT rows of a list, and `total`: how many there are in all."""

    def __init__(self, rows, total):
        super().__init__(rows)
        self.total = total


@dataclass
class Board:
    coming: list = field(default_factory=list)  # [Event]
    counts: dict = field(default_factory=dict)  # {event id: {RegistrationStatus: n}}
    pending: Listed = field(default_factory=lambda: Listed([], 0))  # [(Event, pending count)]
    without_report: Listed = field(default_factory=lambda: Listed([], 0))  # [Event]
    drafts: Listed = field(default_factory=lambda: Listed([], 0))  # [Event]
    proposals: int | None = None  # None: no moderation queue in this installation
    year: int = 0
    kinds: dict = field(default_factory=dict)  # {kind slug: events this year}
    confirmed: int = 0
    reports: int = 0
    undelivered: int = 0  # messages failed or waiting for another try (auth.undelivered)
    soon: list = field(default_factory=list)  # [(Event, start)]: today's and tomorrow's
    offers: int | None = None  # Grand Bain offers to moderate (None: the account moderates none)
    offers_year: int | None = None  # the edition whose offers wait, for the link
    evaluations: list = field(default_factory=list)  # [(Event, answers)]: recent forms

    @property
    def work(self):
        """How many things wait, all kinds together (the page's first line)."""
        return (
            self.pending.total
            + (self.proposals or 0)
            + (self.offers or 0)
            + self.without_report.total
            + self.undelivered
            + self.drafts.total
        )


def board(scope, now):
    """Everything the dashboard shows for that scope at `now`."""
    coming = coming_events(scope, now)
    year = to_local(now).year
    kinds, confirmed, reports = year_counts(scope, year)
    offers, offers_year = offers_waiting(scope)
    return Board(
        soon=meetings_soon(scope, now),
        offers=offers,
        offers_year=offers_year,
        evaluations=evaluations_answered(scope, now),
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
    rows = db.session.scalars(
        select(Event).where(*where).order_by(order, Event.id).limit(LIST_LIMIT)
    ).all()
    if len(rows) < LIST_LIMIT:
        return Listed(rows, len(rows))
    # More than a page: count them apart (a window count would load every row's columns).
    total = db.session.scalar(select(func.count()).select_from(Event).where(*where))
    return Listed(rows, total)


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
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Registration.event_id, Registration.status, func.count())
        .where(Registration.event_id.in_(event_ids), registration_filter(scope))
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
        select(Event, waiting.c.n, func.sum(waiting.c.n).over())
        .join(waiting, waiting.c.event_id == Event.id)
        .where(event_filter(scope), Event.end_at > now)
        .order_by(Event.start_at, Event.id)
        .limit(LIST_LIMIT)
    ).all()
    return Listed([(event, n) for event, n, _total in rows], int(rows[0][2]) if rows else 0)


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
    # One round trip: the kinds grouped, the two totals as scalar subqueries beside them.
    confirmed = (
        select(func.count())
        .select_from(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(of_year, Registration.status == RegistrationStatus.CONFIRMED)
        .scalar_subquery()
    )
    reports = select(func.count()).select_from(Event).where(of_year, ~NO_REPORT).scalar_subquery()
    rows = db.session.execute(
        select(Event.kind, func.count(), confirmed, reports).where(of_year).group_by(Event.kind)
    ).all()
    kinds = {kind: count for kind, count, _c, _r in rows}
    confirmed, reports = (rows[0][2], rows[0][3]) if rows else (0, 0)
    return kinds, confirmed or 0, reports or 0


def proposals_waiting(scope):
    """Partners' proposals waiting for this scope's moderation (None: a service account,
    which moderates nothing)."""
    if not scope.everything and not scope.bassins:
        return None
    return proposal_rules.waiting_count(scope)


def meetings_soon(scope, now):
    """[(event, start)]: the meetings of today and tomorrow (Brussels time), a repeating
    event once per date, not cancelled, soonest first: where check-in will be needed."""
    today = to_local(now).date()
    start, end = local_day_start(today), local_day_start(today + timedelta(days=2))
    one_off = select(Event.id, Event.start_at).where(
        Event.rrule.is_(None), Event.start_at >= start, Event.start_at < end
    )
    dated = select(EventOccurrence.event_id, EventOccurrence.start_at).where(
        EventOccurrence.cancelled.is_(False),
        EventOccurrence.start_at >= start,
        EventOccurrence.start_at < end,
    )
    dates = one_off.union(dated).subquery()
    rows = db.session.execute(
        select(Event, dates.c.start_at)
        .join(dates, dates.c.id == Event.id)
        .where(
            event_filter(scope),
            Event.status.in_((EventStatus.PUBLISHED, EventStatus.POSTPONED)),
        )
        .order_by(dates.c.start_at, Event.id)
        .limit(LIST_LIMIT)
        .options(joinedload(Event.venue))
    ).all()
    return [(event, start_at) for event, start_at in rows]


def offers_waiting(scope):
    """(Grand Bain offers waiting for a decision within the scope, the latest edition that
    has some); (None, None) for a service account, which moderates none."""
    if not scope.everything and not scope.bassins:
        return None, None
    row = db.session.execute(
        select(func.count(Offer.id), func.max(Edition.year))
        .join(Edition, Offer.edition_id == Edition.id)
        .where(offer_filter(scope), Offer.status == OfferStatus.SUBMITTED)
    ).one()
    return row[0] or 0, row[1]


def evaluations_answered(scope, now):
    """[(event, answers)]: events whose evaluation opened in the last EVALUATION_WINDOW and
    has answers, latest first."""
    answers = (
        select(Answer.event_id, func.count().label("n"))
        .where(Answer.event_id.is_not(None))
        .group_by(Answer.event_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Event, answers.c.n)
        .join(answers, answers.c.event_id == Event.id)
        .join(EvaluationForm, EvaluationForm.event_id == Event.id)
        .where(event_filter(scope), EvaluationForm.opened_at > now - EVALUATION_WINDOW)
        .order_by(Event.end_at.desc(), Event.id)
        .limit(LIST_LIMIT)
    ).all()
    return [(event, n) for event, n in rows]
