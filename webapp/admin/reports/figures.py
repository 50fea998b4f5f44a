"""A year's figures per bassin, as the yearly reports count them: no HTTP here.

Counted from the rows, never typed by hand: events held by kind, registrations, people
present, no-shows, walk-ins, attendance rate, participants per meeting (per kind and per
series), sector groups and communes reached. An event shared by several bassins counts in each
bassin's column and once in the regional total.

Participants of one meeting, in order of trust: the figure of its published report (the
bassins count the room; or of the report imported with the event), else the attendance taken
at the door (present + walk-ins), else the confirmed registrations (marked as such on the
page: no attendance was taken).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from webapp.agenda.models import Bassin, Event, Series, event_bassins
from webapp.agenda.reports import Report
from webapp.agenda.states import EventStatus, ReportStatus
from webapp.auth.scopes import event_filter
from webapp.extensions import db
from webapp.registrations.attendance_counts import attendance_mark
from webapp.registrations.models import Registration
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import local_day_start, utcnow
from webapp.vocabulary import SECTOR_GROUP_SLUGS, sectors

REGION = "region"
SECTOR_GROUP_OF = {s["slug"]: s["group"] for s in sectors()}


@dataclass
class Figures:
    """One column of the statistics: a bassin, or the region."""

    events_by_kind: Counter = field(default_factory=Counter)
    cancelled: int = 0
    registrations: int = 0
    present: int = 0
    no_shows: int = 0
    walk_ins: int = 0
    confirmed_where_taken: int = 0  # confirmed people of the meetings where attendance was taken
    participants_by_kind: dict = field(default_factory=lambda: defaultdict(list))
    participants_by_series: dict = field(default_factory=lambda: defaultdict(list))
    sector_groups: Counter = field(default_factory=Counter)
    communes: Counter = field(default_factory=Counter)
    estimated_meetings: int = 0  # past meetings counted from their registrations only

    @property
    def events(self):
        return sum(self.events_by_kind.values())

    @property
    def attendance_rate(self):
        """Present ÷ confirmed, over the meetings where attendance was taken (None if none)."""
        if not self.confirmed_where_taken:
            return None
        return self.present / self.confirmed_where_taken

    def average_by_kind(self):
        return {kind: _mean(values) for kind, values in self.participants_by_kind.items()}

    def average_by_series(self):
        return {title: _mean(values) for title, values in self.participants_by_series.items()}


@dataclass(frozen=True)
class MeetingCounts:
    confirmed: int = 0
    present: int = 0
    absent: int = 0
    walk_ins: int = 0
    taken: bool = False

    @property
    def attendance_taken(self):
        return self.taken


def year_figures(scope, year, bassin_slugs):
    """{bassin slug: Figures, REGION: Figures} for the events of `year` within `scope`."""
    start, end = local_day_start(date(year, 1, 1)), local_day_start(date(year + 1, 1, 1))
    published = Report.status == ReportStatus.PUBLISHED
    published = (Report.event_id == Event.id) & (Report.status == ReportStatus.PUBLISHED)
    events = db.session.execute(
        select(
            Event.id,
            Event.kind,
            Event.status,
            Event.end_at,
            # A published report's own figures first, then those of an imported report.
            func.coalesce(Report.participants_count, Event.participants_count).label(
                "participants_count"
            ),
            func.coalesce(Report.participant_sectors, Event.participant_sectors).label(
                "participant_sectors"
            ),
            Series.title_fr.label("series_title"),
        )
        .outerjoin(Series, Event.series_id == Series.id)
        .outerjoin(Report, published)
        .where(
            event_filter(scope),
            Event.start_at >= start,
            Event.start_at < end,
            Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED)),
        )
    ).all()
    ids = [e.id for e in events]
    bassins_of = _bassins_of(ids, bassin_slugs)
    counts = _meeting_counts(ids)
    groups = _sector_groups(ids)
    communes = _communes(ids)
    now = utcnow()
    columns = {slug: Figures() for slug in bassin_slugs}
    columns[REGION] = Figures()
    for event in events:
        targets = [columns[slug] for slug in bassins_of.get(event.id, ())]
        if not targets:
            continue
        targets.append(columns[REGION])
        for figures in targets:
            _add(
                figures,
                event,
                counts.get(event.id, MeetingCounts()),
                groups.get(event.id),
                communes.get(event.id, Counter()),
                now,
            )
    return columns


def _add(figures, event, counts, registered_groups, communes, now):
    if event.status == EventStatus.CANCELLED:
        figures.cancelled += 1
        return
    figures.events_by_kind[event.kind] += 1
    figures.registrations += counts.confirmed
    figures.walk_ins += counts.walk_ins
    if counts.attendance_taken:
        figures.present += counts.present
        figures.no_shows += counts.absent
        figures.confirmed_where_taken += counts.present + counts.absent
    if event.end_at > now:
        return  # not met yet: no participants to count
    participants = _participants(event, counts)
    if participants is None:
        return
    if event.participants_count is None and not counts.attendance_taken and counts.confirmed:
        figures.estimated_meetings += 1  # the registrations stand in for who came
    figures.participants_by_kind[event.kind].append(participants)
    if event.series_title:
        figures.participants_by_series[event.series_title].append(participants)
    reported = {
        slug: count
        for slug, count in (event.participant_sectors or {}).items()
        if slug in SECTOR_GROUP_SLUGS and isinstance(count, int)
    }
    figures.sector_groups.update(reported or registered_groups or {})
    figures.communes.update(communes)


def _participants(event, counts):
    if event.participants_count is not None:
        return event.participants_count
    if counts.attendance_taken:
        return counts.present + counts.walk_ins
    return (counts.confirmed + counts.walk_ins) or None


def _bassins_of(event_ids, bassin_slugs):
    rows = db.session.execute(
        select(event_bassins.c.event_id, Bassin.slug)
        .join(Bassin, Bassin.id == event_bassins.c.bassin_id)
        .where(event_bassins.c.event_id.in_(event_ids or [0]), Bassin.slug.in_(bassin_slugs))
    ).all()
    found = defaultdict(list)
    for event_id, slug in rows:
        found[event_id].append(slug)
    return found


def _counted():
    """Registrations that count as people: confirmed (present, absent or not yet known)."""
    return Registration.status == RegistrationStatus.CONFIRMED


def _meeting_counts(event_ids):
    """Per event: confirmed registrations and the walk-ins present, and where attendance was
    taken (a registered person ticked or marked) those present and those who did not come."""
    registered = Registration.walk_in.is_(False)
    came = Registration.attended.is_(True)
    rows = db.session.execute(
        select(
            Registration.event_id,
            func.sum(case((registered, 1), else_=0)),
            func.sum(case((registered & came, 1), else_=0)),
            func.sum(case((~registered & came, 1), else_=0)),
            func.sum(case((attendance_mark(), 1), else_=0)),
        )
        .where(Registration.event_id.in_(event_ids or [0]), _counted())
        .group_by(Registration.event_id)
    ).all()
    counts = {}
    for event_id, confirmed, present, walk_ins, marked in rows:
        confirmed, present, walk_ins = int(confirmed or 0), int(present or 0), int(walk_ins or 0)
        if not marked:
            counts[event_id] = MeetingCounts(confirmed=confirmed, walk_ins=walk_ins)
            continue
        counts[event_id] = MeetingCounts(
            confirmed=confirmed,
            present=present,
            absent=confirmed - present,
            walk_ins=walk_ins,
            taken=True,
        )
    return counts


def _people(event_ids):
    """The registrations that stand for participants of each meeting: present ones where
    attendance was taken, confirmed ones elsewhere, and the walk-ins present everywhere."""
    taken = (
        select(Registration.event_id)
        .where(Registration.event_id.in_(event_ids or [0]), attendance_mark())
        .distinct()
    )
    return (
        Registration.event_id.in_(event_ids or [0]),
        _counted(),
        (Registration.attended.is_(True))
        | (Registration.event_id.not_in(taken) & Registration.walk_in.is_(False)),
    )


def _sector_groups(event_ids):
    rows = db.session.execute(
        select(Registration.event_id, Registration.sector, func.count())
        .where(*_people(event_ids))
        .group_by(Registration.event_id, Registration.sector)
    ).all()
    found = defaultdict(Counter)
    for event_id, sector, count in rows:
        group = SECTOR_GROUP_OF.get(sector)
        if group:
            found[event_id][group] += count
    return found


def _communes(event_ids):
    """Communes as people typed them, folded (Etterbeek, etterbeek and ' Etterbeek' are one)."""
    rows = db.session.execute(
        select(Registration.event_id, func.lower(func.trim(Registration.commune)), func.count())
        .where(*_people(event_ids), Registration.commune.is_not(None), Registration.commune != "")
        .group_by(Registration.event_id, func.lower(func.trim(Registration.commune)))
    ).all()
    found = defaultdict(Counter)
    for event_id, commune, count in rows:
        found[event_id][commune.title()] += count
    return found


def _mean(values):
    return round(sum(values) / len(values), 1) if values else None
