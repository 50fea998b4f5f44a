"""What the public sees of reports: the published report of each event (or the report
imported on the event's own columns), the *Save the date* of its series, and the meetings of
a theme in a year with its synthesis. Pages, the API and the theme page read them here."""

import os
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.agenda.models import PUBLIC_STATUSES, Event, Series
from webapp.agenda.queries import EVENT_LOADS
from webapp.agenda.report_outline import numbered_tables
from webapp.agenda.reports import Report, ThemeSynthesis
from webapp.agenda.states import EventStatus, FiguresSource, ReportStatus
from webapp.extensions import db
from webapp.timezones import local_day_start, utcnow
from webapp.urls import absolute_url


@dataclass
class PublicReport:
    """A report as public pages show it, whether written here or imported."""

    participants_count: int | None
    participant_sectors: dict
    figures_source: str
    presentation_url: str | None = None
    presentation_file_url: str | None = None  # the PDF attached, served by the agenda
    presentation_file_size: int | None = None
    report_url: str | None = None
    summary: str | None = None  # an imported report's text (one block)
    summary_field: object = None  # the object whose report_summary the summary is, for lang
    sections: list = field(default_factory=list)
    quotes: list = field(default_factory=list)
    save_the_date: Event | None = None
    numbered_tables: bool = False  # an Atelier du changement's discussion tables (01, 02...)

    @property
    def estimated(self):
        """The figures are the confirmed registrations: no attendance was taken."""
        return self.figures_source == FiguresSource.REGISTRATIONS


def public_reports(events, now=None, save_the_date=True):
    """{event id: PublicReport} for those of `events` that have a public report (without
    looking up each one's *Save the date* when `save_the_date` is false: the theme page)."""
    now = now or utcnow()
    ids = [e.id for e in events]
    published = {
        r.event_id: r
        for r in db.session.scalars(
            select(Report)
            .where(Report.event_id.in_(ids or [0]), Report.status == ReportStatus.PUBLISHED)
            .options(selectinload(Report.sections), selectinload(Report.quotes))
        )
    }
    found = {}
    for event in events:
        report = published.get(event.id)
        if report is not None:
            following = next_meeting(event, now) if save_the_date else None
            found[event.id] = _written(report, following)
        elif event.has_report and event.end_at <= now:
            found[event.id] = _imported(event)
    return found


def public_report(event, now=None):
    """The public report of one event, or None."""
    return public_reports([event], now).get(event.id)


def written_report(report, now=None):
    """A report as its public page shows it, published or not (the staff's preview)."""
    return _written(report, next_meeting(report.event, now))


def _written(report, save_the_date):
    file_url = None
    if report.presentation_file:
        # Absolute (BASE_URL): a printed report gives the address, the API a full link.
        file_url = absolute_url("agenda.report_presentation", event_id=report.event_id)
    return PublicReport(
        participants_count=report.participants_count,
        participant_sectors=report.participant_sectors or {},
        figures_source=report.figures_source,
        presentation_url=report.presentation_url,
        presentation_file_url=file_url,
        presentation_file_size=report.presentation_file_size,
        report_url=report.report_url,
        sections=list(report.sections),
        quotes=list(report.quotes),
        save_the_date=save_the_date,
        numbered_tables=numbered_tables(report.event.kind),
    )


def _imported(event):
    return PublicReport(
        participants_count=event.participants_count,
        participant_sectors=event.participant_sectors or {},
        figures_source=FiguresSource.MANUAL,
        presentation_url=event.presentation_url,
        report_url=event.report_url,
        summary=event.report_summary,
        summary_field=event,
    )


def next_meeting(event, now=None):
    """The next published meeting of the event's series after it, if one is to come (the
    report's *Save the date*)."""
    now = now or utcnow()
    if event.series_id is None:
        return None
    after = max(event.end_at, now)
    return db.session.scalar(
        select(Event)
        .where(
            Event.series_id == event.series_id,
            Event.id != event.id,
            Event.status == EventStatus.PUBLISHED,
            Event.start_at > after,
        )
        .order_by(Event.start_at, Event.id)
        .limit(1)
    )


# The years a theme page may show; others are not pages (404).
THEME_YEARS = range(2000, 2101)


@dataclass
class ThemeYear:
    """A theme's year as seed 000 shows it: the meetings of every bassin, the figures
    computed from their reports, the synthesis the regional team composed."""

    theme: str
    year: int
    title: str
    series: list  # the theme's series, one (or more) per bassin
    meetings: list  # events of every bassin in the year, by date
    reports: dict  # event id -> PublicReport (full_reports) or ReportFigures
    synthesis: ThemeSynthesis | None  # the year's synthesis (draft or published), if any
    now: object = None

    @property
    def held(self):
        """The meetings that took place (not cancelled, ended)."""
        return [
            e for e in self.meetings if e.status == EventStatus.PUBLISHED and e.end_at <= self.now
        ]

    @property
    def participants(self):
        return sum(r.participants_count or 0 for r in self.reports.values())

    @property
    def sectors(self):
        """The sector groups present at the meetings, most represented first."""
        totals = {}
        for report in self.reports.values():
            for group, count in (report.participant_sectors or {}).items():
                totals[group] = totals.get(group, 0) + (count or 0)
        return [g for g, _n in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]

    @property
    def bassins(self):
        """The bassins whose series share the theme, by name."""
        found = {b.id: b for one in self.series for b in one.bassins}
        return sorted(found.values(), key=lambda b: b.name_fr)

    @property
    def bassin_series(self):
        """[(bassin, series)] for the links 'in each bassin', by bassin name."""
        pairs = [(b, one) for one in self.series for b in one.bassins]
        return sorted(pairs, key=lambda pair: (pair[0].name_fr, pair[1].slug))

    @property
    def reported(self):
        """The meetings with a public report, by date (their links)."""
        return [e for e in self.meetings if e.id in self.reports]

    @property
    def published_synthesis(self):
        return self.synthesis if self.synthesis and self.synthesis.is_published else None

    def theme_rows(self):
        """[(label, language fallback or None, "Tous" or [bassin codes])] of the table
        *thématique × bassins concernés*: every bassin of the theme is "all"."""
        if not self.synthesis:
            return []
        codes = {b.slug: b.code for b in self.bassins}
        rows = []
        for row in self.synthesis.themes or []:
            slugs = [slug for slug in row.get("bassins", []) if slug in codes]
            everyone = bool(codes) and set(slugs) == set(codes)
            rows.append((row, everyone, [codes[slug] for slug in sorted(slugs, key=codes.get)]))
        return rows


def theme_series(theme):
    """The series that share a theme (their bassins', titles')."""
    return db.session.scalars(
        select(Series)
        .where(Series.theme == theme)
        .options(selectinload(Series.bassins))
        .order_by(Series.slug)
    ).all()


@dataclass(frozen=True)
class ReportFigures:
    """What the theme's public page shows of a meeting's report: its figures."""

    participants_count: int | None
    participant_sectors: dict


def report_figures(meetings, now):
    """{event id: ReportFigures} of the meetings with a public report: two columns of the
    published reports (their parts and quotes are not read), or the imported figures."""
    ids = [e.id for e in meetings] or [0]
    published = {
        event_id: ReportFigures(count, sectors or {})
        for event_id, count, sectors in db.session.execute(
            select(Report.event_id, Report.participants_count, Report.participant_sectors).where(
                Report.event_id.in_(ids), Report.status == ReportStatus.PUBLISHED
            )
        )
    }
    for event in meetings:
        if event.id not in published and event.has_report and event.end_at <= now:
            published[event.id] = ReportFigures(
                event.participants_count, event.participant_sectors or {}
            )
    return published


def theme_year(theme, year, now=None, full_reports=False):
    """The meetings of a theme in one year (local dates), their public reports (their
    figures only unless `full_reports`: the synthesis' composer reads their parts) and the
    year's synthesis; None when no series has that theme."""
    now = now or utcnow()
    series = theme_series(theme)
    if not series:
        return None
    start, end = local_day_start(date(year, 1, 1)), local_day_start(date(year + 1, 1, 1))
    meetings = db.session.scalars(
        select(Event)
        .where(
            Event.series_id.in_([s.id for s in series]),
            Event.status.in_(PUBLIC_STATUSES),
            Event.start_at >= start,
            Event.start_at < end,
        )
        .options(*(EVENT_LOADS if full_reports else (selectinload(Event.bassins),)))
        .order_by(Event.start_at, Event.id)
    ).all()
    synthesis = db.session.scalar(
        select(ThemeSynthesis).where(ThemeSynthesis.theme == theme, ThemeSynthesis.year == year)
    )
    return ThemeYear(
        theme=theme,
        year=year,
        title=_common_title(series),
        series=series,
        meetings=meetings,
        reports=public_reports(meetings, now, save_the_date=False)
        if full_reports
        else report_figures(meetings, now),
        synthesis=synthesis,
        now=now,
    )


def _common_title(series):
    """What the theme's series titles share ("Liaison ambulatoire-hôpital – Bassin Sud" and
    "– Bassin Nord": "Liaison ambulatoire-hôpital", without the dash nor the word "Bassin"
    they also share), else the first title."""
    titles = [one.title for one in series]
    common = os.path.commonprefix(titles) if len(titles) > 1 else titles[0]
    common = _TRAILING_BASSIN.sub("", common)
    return common if len(common) >= 4 else titles[0]


# What ends a prefix shared by "… – Bassin Sud" and "… – Bassin Nord" (or "– Zorgzone …").
_TRAILING_BASSIN = re.compile(r"[\s–—:\-]*(?:(?:bassin|zorgzone)\b\s*)?$", re.IGNORECASE)
