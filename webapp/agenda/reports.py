"""The public report of a meeting (*Retour sur la rencontre*) and the yearly synthesis of a
theme run in several bassins.

One report per event, a draft until published: participant figures, ordered sections (a
title and a text each, as the bassins number what came out of each discussion table),
links, and an ordered list of short quotes. Reports imported by `import-events` before this
table existed stay on the event's own columns (Event.report_summary_fr...) and are shown
when the event has no published report (agenda/report_pages.py).
"""

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    exists,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from webapp.agenda.models import Event, Localized
from webapp.agenda.states import FiguresSource, ReportStatus
from webapp.extensions import db
from webapp.states import check_in
from webapp.timezones import UTCDateTime, utcnow

# What a quote may hold: a sentence or two, as the bassins' pages quote participants.
QUOTE_MAX_LENGTH = 300
SECTION_TITLE_MAX_LENGTH = 200
SECTION_TEXT_MAX_LENGTH = 10000


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        check_in("status", ReportStatus, name="status_known"),
        check_in("figures_source", FiguresSource, name="figures_source_known"),
        CheckConstraint(
            "participants_count IS NULL OR participants_count >= 0",
            name="participants_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.DRAFT)
    participants_count: Mapped[int | None] = mapped_column(Integer)
    # Sector-group slug -> number of participants.
    participant_sectors: Mapped[dict | None] = mapped_column(JSON)
    figures_source: Mapped[str] = mapped_column(String(20), default=FiguresSource.MANUAL)
    presentation_url: Mapped[str | None] = mapped_column(String(500))
    report_url: Mapped[str | None] = mapped_column(String(500))
    # The presentation attached (a PDF in UPLOAD_DIR named by its SHA-256: webapp/uploads.py),
    # its name as uploaded (for Content-Disposition) and its size in bytes.
    presentation_file: Mapped[str | None] = mapped_column(String(64))
    presentation_file_name: Mapped[str | None] = mapped_column(String(200))
    presentation_file_size: Mapped[int | None] = mapped_column(Integer)
    published_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    sections: Mapped[list["ReportSection"]] = relationship(
        cascade="all, delete-orphan", order_by="ReportSection.position"
    )
    quotes: Mapped[list["ReportQuote"]] = relationship(
        cascade="all, delete-orphan", order_by="ReportQuote.position"
    )

    @property
    def is_published(self):
        return self.status == ReportStatus.PUBLISHED


# Whether the event has a published report, loaded with the event (one EXISTS on the unique
# event_id): agenda cards and the dashboard know it without a query per event.
Event.has_published_report = column_property(
    exists().where(Report.event_id == Event.id, Report.status == ReportStatus.PUBLISHED)
)


class ReportSection(Localized, db.Model):
    """One numbered part of a report: what came out of a discussion table, the needs seen..."""

    __tablename__ = "report_sections"
    __table_args__ = (UniqueConstraint("report_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title_fr: Mapped[str] = mapped_column(String(SECTION_TITLE_MAX_LENGTH))
    title_nl: Mapped[str | None] = mapped_column(String(SECTION_TITLE_MAX_LENGTH))
    text_fr: Mapped[str] = mapped_column(Text)
    text_nl: Mapped[str | None] = mapped_column(Text)

    @property
    def title(self):
        return self.localized("title")

    @property
    def text(self):
        return self.localized("text")


class ReportQuote(db.Model):
    """A participant's words as said (one language), with their sector group if known."""

    __tablename__ = "report_quotes"
    __table_args__ = (UniqueConstraint("report_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(QUOTE_MAX_LENGTH))
    sector_group: Mapped[str | None] = mapped_column(String(40))


class ThemeSynthesis(Localized, db.Model):
    """The yearly *synthèse des concertations thématiques* of a theme (Series.theme), as seed
    000 has it: an introduction (text), *Veille des besoins* (needs) and *Pistes d'actions*
    (actions) as bold-led bullets picked from the meetings' reports and edited, the table
    *thématique × bassins concernés* (themes), *Perspectives*. Markdown, each in French and
    optionally Dutch; a draft until published."""

    __tablename__ = "theme_syntheses"
    __table_args__ = (
        UniqueConstraint("theme", "year"),
        check_in("status", ReportStatus, name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(
        String(20), default=ReportStatus.DRAFT, server_default=ReportStatus.DRAFT.value
    )
    text_fr: Mapped[str] = mapped_column(Text, default="")
    text_nl: Mapped[str | None] = mapped_column(Text)
    needs_fr: Mapped[str | None] = mapped_column(Text)
    needs_nl: Mapped[str | None] = mapped_column(Text)
    actions_fr: Mapped[str | None] = mapped_column(Text)
    actions_nl: Mapped[str | None] = mapped_column(Text)
    perspectives_fr: Mapped[str | None] = mapped_column(Text)
    perspectives_nl: Mapped[str | None] = mapped_column(Text)
    # [{"label_fr": ..., "label_nl": ... or None, "bassins": [bassin slugs]}], in order.
    themes: Mapped[list | None] = mapped_column(JSON)
    published_at = mapped_column(UTCDateTime)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @property
    def is_published(self):
        return self.status == ReportStatus.PUBLISHED

    @property
    def text(self):
        return self.localized("text")

    @property
    def needs(self):
        return self.localized("needs")

    @property
    def actions(self):
        return self.localized("actions")

    @property
    def perspectives(self):
        return self.localized("perspectives")
