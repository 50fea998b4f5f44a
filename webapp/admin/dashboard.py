"""What the dashboard (/admin/) shows an account, within its scope: what waits for it (every
kind of work it can act on, each with its count), today's and tomorrow's meetings, the
coming events with their places, and the year's counts. Read-only queries.

The page is read by every coordinator many times a day, so it costs two round trips: one
row of counts (`_figures`) and one UNION ALL of the short lists of cards (`_lists`), each
card with only the columns it shows. Both statements are built once per scope (an account's
bassins or organisation are in them, as today's query filters) with the times as bound
parameters: a page then spends nothing on building SQL or on SQLAlchemy's cache keys
(memoised on the statement). No data is kept between requests.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    null,
    or_,
    select,
    true,
)

from webapp.admin.participants.undelivered import undelivered_count_query
from webapp.agenda.models import Bassin, Event, EventOccurrence, Localized, Venue, event_bassins
from webapp.agenda.reports import Report
from webapp.agenda.states import EventStatus, Kind, RegistrationMode, ReportStatus
from webapp.auth.scopes import Scope, offer_filter
from webapp.evaluations.models import Answer, EvaluationForm
from webapp.extensions import db
from webapp.grandbain.models import Edition, Offer
from webapp.grandbain.states import OfferStatus
from webapp.proposals import rules as proposal_rules
from webapp.registrations.models import Registration
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import UTCDateTime, local_day_start, to_local

# Cards shown per list (a phone scrolls through each); the lists say how many there are.
LIST_LIMIT = 8
REPORT_WINDOW = timedelta(days=365)
# An evaluation's answers are news while its form opened this recently (answers keep no
# time of their own: they would tell who answered when).
EVALUATION_WINDOW = timedelta(days=30)
# The places a coming event's card shows (registrations taken at the door take none).
PLACE_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
)
SHOWN = (EventStatus.PUBLISHED, EventStatus.POSTPONED)

# The times a page is read at, bound at each execution (the statements are kept).
NOW = bindparam("now", type_=UTCDateTime)
REPORT_SINCE = bindparam("report_since", type_=UTCDateTime)
EVALUATION_SINCE = bindparam("evaluation_since", type_=UTCDateTime)
SOON_START = bindparam("soon_start", type_=UTCDateTime)
SOON_END = bindparam("soon_end", type_=UTCDateTime)
YEAR_START = bindparam("year_start", type_=UTCDateTime)
YEAR_END = bindparam("year_end", type_=UTCDateTime)
TODAY = bindparam("today", type_=Date)
BASSIN_IDS = bindparam("bassin_ids", expanding=True)  # the scope's bassins (their ids)


class Listed(list):
    """The first LIST_LIMIT rows of a list, and `total`: how many there are in all."""

    def __init__(self, rows, total):
        super().__init__(rows)
        self.total = total


@dataclass(frozen=True)
class Card(Localized):
    """What an event's card on the dashboard shows (not the whole Event row)."""

    id: int
    title_fr: str
    title_nl: str | None
    start_at: datetime
    end_at: datetime
    status: str
    registration_mode: str
    capacity: int | None
    venue_name: str | None = None  # today's and tomorrow's meetings only

    @property
    def title(self):
        return self.localized("title")

    @property
    def takes_registrations(self):
        return RegistrationMode(self.registration_mode).takes_registrations


@dataclass(frozen=True)
class HeldEdition:
    """The latest Grand Bain edition whose week is over, and the evaluation answers its
    visits received at the offers the account reaches."""

    year: int
    answers: int


@dataclass
class Board:
    coming: list = field(default_factory=list)  # [Card]
    counts: dict = field(default_factory=dict)  # {event id: {status: n}} (PLACE_STATUSES)
    pending: Listed = field(default_factory=lambda: Listed([], 0))  # [(Card, pending count)]
    without_report: Listed = field(default_factory=lambda: Listed([], 0))  # [Card]
    drafts: Listed = field(default_factory=lambda: Listed([], 0))  # [Card]
    proposals: int | None = None  # None: no moderation queue in this installation
    year: int = 0
    kinds: dict = field(default_factory=dict)  # {kind slug: events this year}
    confirmed: int = 0
    reports: int = 0
    undelivered: int = 0  # messages failed or waiting for another try (auth.undelivered)
    soon: list = field(default_factory=list)  # [(Card, start)]: today's and tomorrow's
    offers: int | None = None  # Grand Bain offers to moderate (None: the account moderates none)
    offers_year: int | None = None  # the edition whose offers wait, for the link
    evaluations: list = field(default_factory=list)  # [(Card, answers)]: recent forms
    report_drafts: Listed = field(default_factory=lambda: Listed([], 0))  # [Card]
    held: HeldEdition | None = None  # None: no edition held, or the account moderates none

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
            + self.report_drafts.total
        )


def board(scope, now):
    """Everything the dashboard shows for that scope at `now`."""
    year = to_local(now).year
    params = _params(now, year)
    if scope.bassins:
        params["bassin_ids"] = sorted(scope.bassin_ids) or _bassin_ids(scope.bassins)
    figures_statement, lists_statement = _statements(scope)
    figures = db.session.execute(figures_statement, params).one()._mapping
    lists = _read_lists(db.session.execute(lists_statement, params))
    coming = [card for card, _row in lists["coming"]]
    return Board(
        coming=coming,
        counts={
            card.id: {s: row._mapping[s.value] for s in PLACE_STATUSES if row._mapping[s.value]}
            for card, row in lists["coming"]
        },
        pending=Listed([(card, row.n) for card, row in lists["pending"]], figures["pending"]),
        without_report=Listed(
            [card for card, _row in lists["without_report"]], figures["without_report"]
        ),
        drafts=Listed([card for card, _row in lists["drafts"]], figures["drafts"]),
        report_drafts=Listed(
            [card for card, _row in lists["report_drafts"]], figures["report_drafts"]
        ),
        held=_held(figures) if _moderates(scope) else None,
        soon=[(card, row.at) for card, row in lists["soon"]],
        evaluations=[(card, row.n) for card, row in lists["evaluations"]],
        proposals=figures["proposals"] if _moderates(scope) else None,
        offers=(figures["offers"] or 0) if _moderates(scope) else None,
        offers_year=figures["offers_year"] if _moderates(scope) else None,
        undelivered=figures["undelivered"] or 0,
        year=year,
        kinds=_kinds(figures),
        confirmed=figures["confirmed"] or 0,
        reports=figures["reports"] or 0,
    )


def _bassin_ids(slugs):
    return list(db.session.scalars(select(Bassin.id).where(Bassin.slug.in_(slugs)))) or [0]


def _held(figures):
    if figures["held_year"] is None:
        return None
    return HeldEdition(figures["held_year"], figures["held_answers"] or 0)


def _params(now, year):
    today = to_local(now).date()
    return {
        "now": now,
        "today": today,
        "report_since": now - REPORT_WINDOW,
        "evaluation_since": now - EVALUATION_WINDOW,
        "soon_start": local_day_start(today),
        "soon_end": local_day_start(today + timedelta(days=2)),
        "year_start": local_day_start(date(year, 1, 1)),
        "year_end": local_day_start(date(year + 1, 1, 1)),
    }


def _moderates(scope):
    """Whether the scope moderates partners' proposals and Grand Bain offers (a service
    account moderates nothing)."""
    return scope.everything or bool(scope.bassins)


@lru_cache(maxsize=256)
def _statements(scope: Scope):
    """(counts, lists) of that scope, with the times left as parameters. Kept per scope: a
    scope is a handful of bassins or one organisation, so there are few of them."""
    return _figures(scope), _lists(scope)


# --- the counts ---------------------------------------------------------------------------


def _reached(scope: Scope):
    """auth.scopes.event_filter, with a bassin's events as one set (IN, read once per
    clause and hashed) instead of an EXISTS run for every event row: the dashboard's counts
    and lists pass over every event of the year."""
    if scope.everything:
        return true()
    clauses = []
    if scope.bassins:
        # The bassins' ids are a parameter (`_params`): no join to bassins in every list and
        # count, which PostgreSQL would plan a dozen times per page.
        of_bassins = select(event_bassins.c.event_id).where(
            event_bassins.c.bassin_id.in_(BASSIN_IDS)
        )
        clauses.append(Event.id.in_(of_bassins))
    if scope.organisation_id is not None:
        clauses.append(Event.organiser_id == scope.organisation_id)
    return or_(*clauses) if clauses else false()


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


def _without_report(scope):
    """Published one-off events ended in the last twelve months with no report. Repeating
    events (the prevention rendez-vous) are left out: no report is expected of them."""
    return (
        _reached(scope),
        Event.status == EventStatus.PUBLISHED,
        Event.rrule.is_(None),
        Event.end_at <= NOW,
        Event.end_at > REPORT_SINCE,
        NO_REPORT,
    )


def _report_drafts(scope):
    """Events whose report is saved as a draft, not published: left to proofread."""
    drafted = select(Report.event_id).where(Report.status == ReportStatus.DRAFT)
    return _reached(scope), Event.id.in_(drafted)


def _drafts(scope):
    """Drafts not over yet: what is left to publish."""
    return _reached(scope), Event.status == EventStatus.DRAFT, Event.end_at > NOW


def _of_year(scope):
    """The published or postponed events that start in the year (Brussels time)."""
    return and_(
        _reached(scope),
        Event.start_at >= YEAR_START,
        Event.start_at < YEAR_END,
        Event.status.in_(SHOWN),
    )


def _alone(query):
    """A count as a column of its own, never tied to the events of the row around it."""
    return query.correlate(None).scalar_subquery()


def _year_columns(scope):
    """Columns over the events of the year (`_of_year`, the WHERE of their SELECT): one count
    per kind, the reports, and the confirmed registrations."""
    confirmed = _alone(
        select(func.count())
        .select_from(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(_of_year(scope), Registration.status == RegistrationStatus.CONFIRMED)
    )
    return [
        *(func.count(case((Event.kind == kind.value, 1))).label(kind.value) for kind in Kind),
        func.count(case((~NO_REPORT, 1))).label("reports"),
        confirmed.label("confirmed"),
    ]


def _kinds(row):
    return {kind.value: row[kind.value] for kind in Kind if row[kind.value]}


def _figures(scope):
    """One row: the year's counts and the size of every kind of waiting work."""
    # From the events not over (a few), each counted on its (event, status) index entries,
    # not from every registration ever taken.
    pending = select(func.coalesce(func.sum(_count_of(RegistrationStatus.PENDING)), 0)).where(
        _reached(scope), Event.end_at > NOW
    )
    columns = [
        *_year_columns(scope),
        _alone(pending).label("pending"),
        _alone(select(func.count(Event.id)).where(*_without_report(scope))).label("without_report"),
        _alone(select(func.count(Event.id)).where(*_drafts(scope))).label("drafts"),
        _alone(select(func.count(Event.id)).where(*_report_drafts(scope))).label("report_drafts"),
        _alone(select(func.count()).select_from(undelivered_count_query(scope).subquery())).label(
            "undelivered"
        ),
    ]
    if _moderates(scope):
        offers = _offers_query(scope)
        columns += [
            _alone(proposal_rules.waiting_query(scope)).label("proposals"),
            _alone(offers.with_only_columns(func.count(Offer.id))).label("offers"),
            _alone(offers.with_only_columns(func.max(Edition.year))).label("offers_year"),
            *_held_columns(scope),
        ]
    return select(*columns).where(_of_year(scope))


def _held_columns(scope):
    """The latest edition whose week is over, and its visits' evaluation answers at the
    offers the scope reaches."""
    held_year = select(func.max(Edition.year)).where(Edition.week_end < TODAY)
    answers = (
        select(func.count(Answer.id))
        .join(Offer, Answer.offer_id == Offer.id)
        .join(Edition, Offer.edition_id == Edition.id)
        .where(Edition.year == held_year.scalar_subquery(), offer_filter(scope))
    )
    return [_alone(held_year).label("held_year"), _alone(answers).label("held_answers")]


def _offers_query(scope):
    return (
        select(Offer.id)
        .join(Edition, Offer.edition_id == Edition.id)
        .where(offer_filter(scope), Offer.status == OfferStatus.SUBMITTED)
    )


def year_counts(scope, year):
    """({kind: published events}, confirmed registrations, published reports) of the events
    that start in that calendar year (Brussels time)."""
    row = (
        db.session.execute(
            select(*_year_columns(scope)).where(_of_year(scope)),
            {
                "year_start": local_day_start(date(year, 1, 1)),
                "year_end": local_day_start(date(year + 1, 1, 1)),
                **(
                    {"bassin_ids": sorted(scope.bassin_ids) or _bassin_ids(scope.bassins)}
                    if scope.bassins
                    else {}
                ),
            },
        )
        .one()
        ._mapping
    )
    return _kinds(row), row["confirmed"] or 0, row["reports"] or 0


def proposals_waiting(scope):
    """Partners' proposals waiting for this scope's moderation (None: a service account,
    which moderates nothing)."""
    if not _moderates(scope):
        return None
    return proposal_rules.waiting_count(scope)


def offers_waiting(scope):
    """(Grand Bain offers waiting for a decision within the scope, the latest edition that
    has some); (None, None) for a service account, which moderates none."""
    if not _moderates(scope):
        return None, None
    offers = _offers_query(scope)
    row = db.session.execute(
        offers.with_only_columns(func.count(Offer.id), func.max(Edition.year))
    ).one()
    return row[0] or 0, row[1]


# --- the lists ----------------------------------------------------------------------------

CARD_COLUMNS = (
    Event.id,
    Event.title_fr,
    Event.title_nl,
    Event.start_at,
    Event.end_at,
    Event.status,
    Event.registration_mode,
    Event.capacity,
)


def _none(type_, name):
    # Typed: PostgreSQL resolves a UNION's column from its first branches, and two bare
    # NULLs make it text.
    return cast(null(), type_).label(name)


def _branch(name, query, order, venue=None, n=None, at=None, places=None):
    """One list of the UNION: `query` (FROM events, joined and filtered) with the card's
    columns, the list's name, its own figures and each row's place in the list."""
    places = places or [_none(Integer, status.value) for status in PLACE_STATUSES]
    columns = [
        cast(name, String).label("list"),
        *CARD_COLUMNS,
        venue.label("venue_name") if venue is not None else _none(String, "venue_name"),
        n.label("n") if n is not None else _none(Integer, "n"),
        at.label("at") if at is not None else _none(UTCDateTime, "at"),
        *places,
        func.row_number().over(order_by=order).label("position"),
    ]
    return select(
        query.with_only_columns(*columns).order_by(*order).limit(LIST_LIMIT).subquery(name)
    )


def _count_of(status, *where):
    """How many registrations of that status the row's event has."""
    return (
        select(func.count())
        .where(Registration.event_id == Event.id, Registration.status == status, *where)
        .scalar_subquery()
    )


def _places(status):
    """A coming event's registrations of that status, those added at the door apart (they
    took no place)."""
    return _count_of(status, Registration.walk_in.is_(False)).label(status.value)


def _lists(scope):
    """The UNION ALL of the dashboard's lists, LIST_LIMIT rows each. The scope's filter is in
    each list once (the report lists hold it in their own conditions)."""
    events, reached = select(Event.id), _reached(scope)
    # Counted per listed event (index lookups), not grouped over every registration or answer.
    pending = _count_of(RegistrationStatus.PENDING)
    # Tied to the form, not the event: the few recent forms are found first, then counted
    # (PostgreSQL would count every event's answers before the join otherwise).
    answers = (
        select(func.count()).where(Answer.event_id == EvaluationForm.event_id).scalar_subquery()
    )
    # Today's and tomorrow's dates: a one-off event's, a repeating event's occurrences.
    dates = (
        select(Event.id.label("event_id"), Event.start_at.label("at"))
        .where(Event.rrule.is_(None), Event.start_at >= SOON_START, Event.start_at < SOON_END)
        .union(
            select(EventOccurrence.event_id, EventOccurrence.start_at).where(
                EventOccurrence.cancelled.is_(False),
                EventOccurrence.start_at >= SOON_START,
                EventOccurrence.start_at < SOON_END,
            )
        )
        .subquery("dates")
    )
    soonest, latest = (Event.start_at, Event.id), (Event.end_at.desc(), Event.id)
    return _branch(
        "coming",
        events.where(reached, Event.end_at > NOW, Event.status != EventStatus.CANCELLED),
        soonest,
        places=[_places(status) for status in PLACE_STATUSES],
    ).union_all(
        _branch(
            "pending",
            events.where(reached, Event.end_at > NOW, pending > 0),
            soonest,
            n=pending,
        ),
        _branch("without_report", events.where(*_without_report(scope)), latest),
        _branch("drafts", events.where(*_drafts(scope)), soonest),
        _branch(
            "report_drafts",
            events.where(*_report_drafts(scope)),
            (Event.start_at.desc(), Event.id),
        ),
        _branch(
            "soon",
            events.join(dates, dates.c.event_id == Event.id)
            .outerjoin(Venue, Venue.id == Event.venue_id)
            .where(reached, Event.status.in_(SHOWN)),
            (dates.c.at, Event.id),
            venue=Venue.name,
            at=dates.c.at,
        ),
        _branch(
            "evaluations",
            events.join(EvaluationForm, EvaluationForm.event_id == Event.id).where(
                reached, EvaluationForm.opened_at > EVALUATION_SINCE, answers > 0
            ),
            latest,
            n=answers,
        ),
    )


def _read_lists(result):
    """{list name: [(Card, row)]}, each list in its own order."""
    lists = {
        name: []
        for name in (
            "coming",
            "pending",
            "without_report",
            "drafts",
            "report_drafts",
            "soon",
            "evaluations",
        )
    }
    for row in result:
        card = Card(*row[1:10])
        lists[row.list].append((row.position, card, row))
    return {
        name: [(card, row) for _position, card, row in sorted(rows, key=lambda r: r[0])]
        for name, rows in lists.items()
    }
