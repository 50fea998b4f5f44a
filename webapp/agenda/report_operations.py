"""The writes of reports: save a draft, publish, unpublish, delete, add a quote; save a
theme's synthesis.

Each operation takes ids and data and an actor, checks, changes the rows, writes one audit
line with the values before and after, and flushes; it never commits (webapp.unit_of_work).
A refusal is a `ReportRefused` with a stable reason (and the field it is about). Forms check
what people type before calling these; the checks here hold for every caller (the
evaluations will call `add_quote` with what a participant wrote).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from webapp import audit, uploads
from webapp.agenda.models import Bassin, Event
from webapp.agenda.reports import (
    QUOTE_MAX_LENGTH,
    SECTION_TEXT_MAX_LENGTH,
    SECTION_TITLE_MAX_LENGTH,
    Report,
    ReportQuote,
    ReportSection,
    ThemeSynthesis,
)
from webapp.agenda.states import FiguresSource, ReportStatus
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.timezones import utcnow
from webapp.vocabulary import SECTOR_GROUP_SLUGS

MAX_PARTICIPANTS = 100_000
LINK_MAX_LENGTH = 500


class ReportRefused(Exception):
    """The change cannot be made; `reason` is a stable code, `field` the field it is about."""

    def __init__(self, reason, field=None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Section:
    title_fr: str
    text_fr: str = ""
    title_nl: str | None = None
    text_nl: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A presentation file stored by webapp/uploads.py: its digest, name and size."""

    digest: str
    name: str
    size: int


@dataclass(frozen=True)
class Quote:
    text: str
    sector_group: str | None = None


def save_draft(event_id, data, actor):
    """Create or update the report of an event from `data`: participants_count,
    participant_sectors, figures_source, presentation_url, report_url, sections (Section, in
    order), quotes (Quote, in order). A published report stays published."""
    event = _event(event_id)
    report = _report_of(event.id) or Report(event_id=event.id, status=ReportStatus.DRAFT)
    before = snapshot(report) if report.id else None
    _check(data)
    report.participants_count = data.get("participants_count")
    report.participant_sectors = {k: v for k, v in data.get("participant_sectors", {}).items() if v}
    report.figures_source = data.get("figures_source") or FiguresSource.MANUAL
    report.presentation_url = data.get("presentation_url") or None
    report.report_url = data.get("report_url") or None
    if "presentation_file" in data:
        attached = data["presentation_file"]
        report.presentation_file = attached.digest if attached else None
        report.presentation_file_name = attached.name if attached else None
        report.presentation_file_size = attached.size if attached else None
    db.session.add(report)
    _replace_rows(report, data.get("sections", []), data.get("quotes", []))
    after = snapshot(report)
    if after != before:
        audit.record(actor, AuditAction.REPORT_SAVED, "event", event.id, before, after)
    db.session.flush()
    return report


def publish(event_id, actor):
    """Show the event's report to the public (event page, series, theme page, API)."""
    report = _existing(event_id)
    if report.is_published:
        raise ReportRefused("already-published")
    report.status = ReportStatus.PUBLISHED
    report.published_at = utcnow()
    audit.record(
        actor,
        AuditAction.REPORT_PUBLISHED,
        "event",
        report.event_id,
        {"status": ReportStatus.DRAFT},
        {"status": ReportStatus.PUBLISHED},
    )
    db.session.flush()
    return report


def unpublish(event_id, actor):
    """Take the report back to a draft: no public page shows it any more."""
    report = _existing(event_id)
    if not report.is_published:
        raise ReportRefused("not-published")
    report.status = ReportStatus.DRAFT
    report.published_at = None
    audit.record(
        actor,
        AuditAction.REPORT_UNPUBLISHED,
        "event",
        report.event_id,
        {"status": ReportStatus.PUBLISHED},
        {"status": ReportStatus.DRAFT},
    )
    db.session.flush()
    return report


def delete(event_id, actor):
    """Delete the event's report (its parts and quotes go with it); the digest of its
    presentation file, which the caller removes once the deletion is committed
    (agenda.report_files.remove_unless_named)."""
    report = _existing(event_id)
    digest = report.presentation_file
    audit.record(
        actor, AuditAction.REPORT_DELETED, "event", report.event_id, snapshot(report), None
    )
    db.session.delete(report)
    db.session.flush()
    return digest


def add_quote(event_id, text, sector_group, actor):
    """Add a quote at the end of the event's report (a draft is made when there is none)."""
    event = _event(event_id)
    quote = Quote((text or "").strip(), sector_group or None)
    _check_quote(quote)
    report = _report_of(event.id)
    if report is None:
        report = Report(event_id=event.id, status=ReportStatus.DRAFT)
        db.session.add(report)
    position = max((q.position for q in report.quotes), default=0) + 1
    report.quotes.append(
        ReportQuote(position=position, text=quote.text, sector_group=quote.sector_group)
    )
    audit.record(
        actor,
        AuditAction.REPORT_QUOTE_ADDED,
        "event",
        event.id,
        None,
        {"position": position, "text": quote.text, "sector_group": quote.sector_group},
    )
    db.session.flush()
    return report


SYNTHESIS_PARTS = ("text", "needs", "actions", "perspectives")
SYNTHESIS_MAX_LENGTH = 30_000
THEME_LABEL_MAX_LENGTH = 200
MAX_THEME_ROWS = 40


@dataclass(frozen=True)
class ThemeRow:
    """A line of the table *thématique × bassins concernés*."""

    label_fr: str
    bassins: tuple = ()  # bassin slugs
    label_nl: str | None = None


def save_synthesis(theme, year, data, actor):
    """Write the yearly synthesis of a theme: `data` holds text_fr/_nl (introduction),
    needs_fr/_nl, actions_fr/_nl, perspectives_fr/_nl (Markdown) and themes ([ThemeRow]).
    A published synthesis stays published (shown on /themes/<theme>/<year>)."""
    _check_synthesis(data)
    synthesis = _synthesis(theme, year)
    if synthesis is None:
        synthesis = ThemeSynthesis(theme=theme, year=year, status=ReportStatus.DRAFT)
        db.session.add(synthesis)
    before = synthesis_snapshot(synthesis)
    for part in SYNTHESIS_PARTS:
        setattr(synthesis, f"{part}_fr", data.get(f"{part}_fr") or ("" if part == "text" else None))
        setattr(synthesis, f"{part}_nl", data.get(f"{part}_nl") or None)
    synthesis.themes = [
        {"label_fr": row.label_fr, "label_nl": row.label_nl or None, "bassins": list(row.bassins)}
        for row in data.get("themes", [])
    ]
    after = synthesis_snapshot(synthesis)
    db.session.flush()
    if after != before:
        audit.record(
            actor, AuditAction.THEME_SYNTHESIS_SAVED, "theme_synthesis", synthesis.id, before, after
        )
    return synthesis


def publish_synthesis(theme, year, actor):
    synthesis = _synthesis(theme, year)
    if synthesis is None:
        raise ReportRefused("no-report")
    if synthesis.is_published:
        raise ReportRefused("already-published")
    synthesis.status = ReportStatus.PUBLISHED
    synthesis.published_at = utcnow()
    audit.record(
        actor,
        AuditAction.THEME_SYNTHESIS_PUBLISHED,
        "theme_synthesis",
        synthesis.id,
        {"status": ReportStatus.DRAFT},
        {"status": ReportStatus.PUBLISHED},
    )
    db.session.flush()
    return synthesis


def unpublish_synthesis(theme, year, actor):
    synthesis = _synthesis(theme, year)
    if synthesis is None or not synthesis.is_published:
        raise ReportRefused("not-published")
    synthesis.status = ReportStatus.DRAFT
    synthesis.published_at = None
    audit.record(
        actor,
        AuditAction.THEME_SYNTHESIS_UNPUBLISHED,
        "theme_synthesis",
        synthesis.id,
        {"status": ReportStatus.PUBLISHED},
        {"status": ReportStatus.DRAFT},
    )
    db.session.flush()
    return synthesis


def synthesis_snapshot(synthesis):
    found = {
        f"{part}_{language}": getattr(synthesis, f"{part}_{language}")
        for part in SYNTHESIS_PARTS
        for language in ("fr", "nl")
    }
    found["themes"] = synthesis.themes or []
    return found


def _synthesis(theme, year):
    return db.session.scalar(
        select(ThemeSynthesis).where(ThemeSynthesis.theme == theme, ThemeSynthesis.year == year)
    )


def _check_synthesis(data):
    for part in SYNTHESIS_PARTS:
        for language in ("fr", "nl"):
            value = data.get(f"{part}_{language}") or ""
            if len(value) > SYNTHESIS_MAX_LENGTH or not _printable(value, multiline=True):
                raise ReportRefused("bad-text", f"{part}_{language}")
    rows = data.get("themes", [])
    if len(rows) > MAX_THEME_ROWS:
        raise ReportRefused("too-many-rows", "themes")
    known = set(db.session.scalars(select(Bassin.slug)))
    for row in rows:
        for label in (row.label_fr, row.label_nl or ""):
            if len(label) > THEME_LABEL_MAX_LENGTH or not _printable(label, multiline=False):
                raise ReportRefused("bad-text", "themes")
        if not row.label_fr or not set(row.bassins) <= known:
            raise ReportRefused("bad-theme-row", "themes")


def snapshot(report):
    """What a report says, as the audit log keeps it."""
    return {
        "participants_count": report.participants_count,
        "participant_sectors": report.participant_sectors or {},
        "figures_source": report.figures_source,
        "presentation_url": report.presentation_url,
        "report_url": report.report_url,
        "presentation_file": report.presentation_file,
        "sections": [
            [s.title_fr, s.title_nl, s.text_fr, s.text_nl]
            for s in sorted(report.sections, key=lambda s: s.position)
        ],
        "quotes": [
            [q.text, q.sector_group] for q in sorted(report.quotes, key=lambda q: q.position)
        ],
    }


def _replace_rows(report, sections, quotes):
    # The positions are unique per report: the old rows go before the new ones are written.
    report.sections.clear()
    report.quotes.clear()
    db.session.flush()
    for position, section in enumerate(sections, start=1):
        report.sections.append(
            ReportSection(
                position=position,
                title_fr=section.title_fr,
                title_nl=section.title_nl or None,
                text_fr=section.text_fr or "",
                text_nl=section.text_nl or None,
            )
        )
    for position, quote in enumerate(quotes, start=1):
        report.quotes.append(
            ReportQuote(position=position, text=quote.text, sector_group=quote.sector_group)
        )


def _check(data):
    count = data.get("participants_count")
    if count is not None and not 0 <= count <= MAX_PARTICIPANTS:
        raise ReportRefused("bad-count", "participants_count")
    for group, value in data.get("participant_sectors", {}).items():
        if group not in SECTOR_GROUP_SLUGS:
            raise ReportRefused("unknown-sector-group")
        if value is not None and not 0 <= value <= MAX_PARTICIPANTS:
            raise ReportRefused("bad-count", f"sector_{group}")
    if data.get("figures_source", FiguresSource.MANUAL) not in set(FiguresSource):
        raise ReportRefused("unknown-source")
    for name in ("presentation_url", "report_url"):
        if data.get(name) and not is_web_link(data[name]):
            raise ReportRefused("bad-link", name)
    attached = data.get("presentation_file")
    if attached is not None and not (
        uploads.is_digest(attached.digest)
        and 0 < attached.size <= uploads.MAX_PDF_BYTES
        and attached.name
        and len(attached.name) <= 200
        and _printable(attached.name, multiline=False)
    ):
        raise ReportRefused("bad-file", "presentation_upload")
    for section in data.get("sections", []):
        _check_section(section)
    for quote in data.get("quotes", []):
        _check_quote(quote)


def is_web_link(value):
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and len(value) <= LINK_MAX_LENGTH
        and not any(c.isspace() or ord(c) < 32 for c in value)
    )


def _check_section(section):
    if not section.title_fr:
        raise ReportRefused("section-incomplete", "sections")
    for title in (section.title_fr, section.title_nl or ""):
        if len(title) > SECTION_TITLE_MAX_LENGTH or not _printable(title, multiline=False):
            raise ReportRefused("bad-text", "sections")
    for text in (section.text_fr, section.text_nl or ""):
        if len(text) > SECTION_TEXT_MAX_LENGTH or not _printable(text, multiline=True):
            raise ReportRefused("bad-text", "sections")


def _check_quote(quote):
    if not quote.text:
        raise ReportRefused("quote-empty", "quotes")
    if len(quote.text) > QUOTE_MAX_LENGTH:
        raise ReportRefused("quote-too-long", "quotes")
    if not _printable(quote.text, multiline=False):
        raise ReportRefused("bad-text", "quotes")
    if quote.sector_group is not None and quote.sector_group not in SECTOR_GROUP_SLUGS:
        raise ReportRefused("unknown-sector-group", "quotes")


def _printable(value, multiline):
    allowed = "\n\r\t" if multiline else ""
    return not any((ord(c) < 32 and c not in allowed) or ord(c) == 127 for c in value)


def _event(event_id):
    event = db.session.get(Event, event_id)
    if event is None:
        raise ReportRefused("no-event")
    return event


def _report_of(event_id):
    return db.session.scalar(select(Report).where(Report.event_id == event_id))


def _existing(event_id):
    report = _report_of(event_id)
    if report is None:
        raise ReportRefused("no-report")
    return report
