"""A meeting's report (/admin/events/<id>/report) and a theme's yearly synthesis
(/admin/themes/<theme>/<year>).

The report's draft starts from the data: the figures of the attendance (or of the confirmed
registrations when none was taken, marked so), the links and text of a report imported
before. Saving writes through agenda.report_operations; bad input answers 422 beside the
field and writes nothing.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.admin.access import actor, find_or_404, roles
from webapp.admin.blueprint import bp
from webapp.admin.report_forms import (
    MAX_ROWS,
    ReportActionForm,
    ReportForm,
    SynthesisForm,
    ordered,
    too_many_rows,
)
from webapp.agenda import report_operations
from webapp.agenda.models import Event
from webapp.agenda.report_operations import Quote, ReportRefused, Section
from webapp.agenda.report_outline import first_parts
from webapp.agenda.report_pages import THEME_YEARS, next_meeting, theme_year
from webapp.agenda.reports import Report
from webapp.agenda.states import FiguresSource
from webapp.extensions import db
from webapp.registrations.attendance_counts import attendance_of
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import sector_groups

EMPTY_ROWS = 2

REFUSALS = {
    "already-published": lambda: _("Ce compte rendu est déjà publié."),
    "not-published": lambda: _("Ce compte rendu n'est pas publié."),
    "no-report": lambda: _("Ce compte rendu n'existe pas encore."),
    "bad-link": lambda: _("Indiquez une adresse web complète (https://…)."),
}


@bp.route("/events/<int:event_id>/report", methods=["GET", "POST"])
@roles("admin", "bassin")
def event_report(event_id):
    event = find_or_404(Event, event_id)
    report = db.session.scalar(select(Report).where(Report.event_id == event.id))
    attendance = attendance_of(event.id)
    if request.method == "POST" and request.form.get("action") == "unpublish":
        return _unpublish(event)
    form = ReportForm()
    if request.method == "GET":
        _fill(form, event, report, attendance)
    elif too_many_rows(request.form):
        flash(_("Trop de lignes : %(max)d au plus.", max=MAX_ROWS), "error")
    elif form.validate_on_submit():
        publishing = request.form.get("action") == "publish"
        try:
            with unit_of_work("admin.event_report"):
                report_operations.save_draft(event.id, _data(form, attendance), actor())
                if publishing and not (report and report.is_published):
                    report_operations.publish(event.id, actor())
        except ReportRefused as refused:
            _show_refusal(form, refused)
        else:
            saved = _("Compte rendu publié.") if publishing else _("Compte rendu enregistré.")
            flash(saved, "info")
            return redirect(url_for("admin.event_report", event_id=event.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/report_form.html",
        event=event,
        report=report,
        form=form,
        attendance=attendance,
        save_the_date=next_meeting(event),
        action_form=ReportActionForm(),
    ), status


def _unpublish(event):
    if not ReportActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work("admin.event_report.unpublish"):
            report_operations.unpublish(event.id, actor())
    except ReportRefused as refused:
        flash(REFUSALS[refused.reason](), "error")
    else:
        flash(_("Le compte rendu n'est plus public."), "info")
    return redirect(url_for("admin.event_report", event_id=event.id), 303)


def _fill(form, event, report, attendance):
    """The form's first values: the saved report, else a draft from the data."""
    if report is not None:
        form.participants_count.data = report.participants_count
        sectors = report.participant_sectors or {}
        form.presentation_url.data = report.presentation_url
        form.report_url.data = report.report_url
        sections = [
            {
                "title_fr": s.title_fr,
                "title_nl": s.title_nl,
                "text_fr": s.text_fr,
                "text_nl": s.text_nl,
            }
            for s in report.sections
        ]
        quotes = [{"text": q.text, "sector_group": q.sector_group or ""} for q in report.quotes]
    else:
        imported = event.participants_count is not None
        form.participants_count.data = (
            event.participants_count if imported else attendance.participants
        )
        sectors = (event.participant_sectors or {}) if imported else attendance.sectors
        form.presentation_url.data = event.presentation_url
        form.report_url.data = event.report_url
        sections = [
            {"title_fr": title_fr, "title_nl": title_nl, "text_fr": "", "text_nl": ""}
            for title_fr, title_nl in first_parts(event.kind)
        ]
        if event.report_summary_fr:
            sections.append(
                {
                    "title_fr": "Synthèse",
                    "title_nl": "Samenvatting",
                    "text_fr": event.report_summary_fr,
                    "text_nl": event.report_summary_nl,
                }
            )
        quotes = []
    for slug, field in form.sector_fields():
        field.data = sectors.get(slug)
    for number, row in enumerate([*sections, *[{}] * EMPTY_ROWS], start=1):
        form.sections.append_entry({"position": number, **row})
    for number, row in enumerate([*quotes, *[{}] * EMPTY_ROWS], start=1):
        form.quotes.append_entry({"position": number, **row})


def _data(form, attendance):
    """What the form says, as report_operations.save_draft takes it."""
    sectors = {slug: field.data for slug, field in form.sector_fields() if field.data}
    count = form.participants_count.data
    from_data = count == attendance.participants and sectors == attendance.sectors
    return {
        "participants_count": count,
        "participant_sectors": sectors,
        "figures_source": attendance.source if from_data else FiguresSource.MANUAL,
        "presentation_url": form.presentation_url.data,
        "report_url": form.report_url.data,
        "sections": [
            Section(
                title_fr=row.title_fr.data,
                text_fr=row.text_fr.data,
                title_nl=row.title_nl.data or None,
                text_nl=row.text_nl.data or None,
            )
            for row in ordered(form.sections)
        ],
        "quotes": [
            Quote(row.text.data, row.sector_group.data or None) for row in ordered(form.quotes)
        ],
    }


def _show_refusal(form, refused):
    message = REFUSALS.get(refused.reason, lambda: _("Ce compte rendu est refusé."))()
    if refused.field in ("presentation_url", "report_url", "participants_count"):
        form[refused.field].errors = [*form[refused.field].errors, message]
    else:
        flash(message, "error")


@bp.route("/themes/<theme>/<int:year>", methods=["GET", "POST"])
@roles("admin")
def theme_synthesis(theme, year):
    if "\x00" in theme or year not in THEME_YEARS:
        abort(404)
    found = theme_year(theme, year)
    if found is None:
        abort(404)
    form = SynthesisForm(obj=found.synthesis if request.method == "GET" else None)
    if form.validate_on_submit():
        with unit_of_work("admin.theme_synthesis"):
            report_operations.save_synthesis(
                theme, year, form.text_fr.data, form.text_nl.data, actor()
            )
        flash(_("Synthèse enregistrée."), "info")
        return redirect(url_for("admin.theme_synthesis", theme=theme, year=year), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/theme_synthesis.html", theme=found, form=form, groups=sector_groups()
    ), status
