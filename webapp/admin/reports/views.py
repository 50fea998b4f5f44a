"""A meeting's report (/admin/events/<id>/report); a theme's yearly synthesis is
admin/reports/synthesis.py.

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
from webapp.admin.reports.forms import (
    MAX_ROWS,
    ReportActionForm,
    ReportForm,
    ordered,
    too_many_rows,
)
from webapp.admin.reports.quotes import check_quotes
from webapp.admin.reports.upload import received_presentation
from webapp.agenda import report_files, report_operations
from webapp.agenda.models import Event
from webapp.agenda.report_operations import Quote, ReportRefused, Section
from webapp.agenda.report_outline import first_parts
from webapp.agenda.report_pages import next_meeting, written_report
from webapp.agenda.reports import Report
from webapp.agenda.states import FiguresSource
from webapp.agenda.views import event_page
from webapp.evaluations import quotable
from webapp.extensions import db
from webapp.registrations.attendance_counts import attendance_of
from webapp.unit_of_work import unit_of_work
from webapp.uploads import takes_upload
from webapp.vocabulary import current_language

EMPTY_ROWS = 2

REFUSALS = {
    "already-published": lambda: _("Ce compte rendu est déjà publié."),
    "not-published": lambda: _("Ce compte rendu n'est pas publié."),
    "no-report": lambda: _("Ce compte rendu n'existe pas encore."),
    "bad-link": lambda: _("Indiquez une adresse web complète (https://…)."),
    "bad-file": lambda: _("Ce fichier n'est pas un PDF : joignez la présentation exportée en PDF."),
}


@bp.route("/events/<int:event_id>/report", methods=["GET", "POST"])
@roles("admin", "bassin")
@takes_upload
def event_report(event_id):
    event = find_or_404(Event, event_id)
    report = db.session.scalar(select(Report).where(Report.event_id == event.id))
    attendance = attendance_of(event.id)
    action = request.form.get("action") if request.method == "POST" else None
    if action == "unpublish":
        return _unpublish(event)
    if action == "delete":
        return _delete(event)
    form = ReportForm()
    attachment = None
    texts = quotable.quotable_texts(event, current_language())
    if request.method == "GET":
        _fill(form, event, report, attendance)
        attachment = received_presentation(form, report)
        _pick(form, texts, request.args.get("quote"))
    elif too_many_rows(request.form):
        flash(_("Trop de lignes : %(max)d au plus.", max=MAX_ROWS), "error")
    elif request.form.get("pick"):
        # A quote picked: the form comes back with it in a row, everything typed kept,
        # nothing written until saved.
        attachment = received_presentation(form, report)
        _pick(form, texts, request.form["pick"])
        return _form_page(event, report, form, attendance, attachment, texts, 200)
    else:
        valid = form.validate_on_submit()
        valid = check_quotes(form, event.id) and valid
        # The file is kept even when another field is refused: the form sent again has it.
        attachment = received_presentation(form, report)
        if valid and not form.presentation_upload.errors:
            saved = _save(form, event, report, attendance, attachment, action)
            if saved is not None:
                return saved
    status = 422 if request.method == "POST" else 200
    return _form_page(event, report, form, attendance, attachment, texts, status)


def _form_page(event, report, form, attendance, attachment, texts, status):
    quoted = {row.form.text.data for row in form.quotes if row.form.text.data}
    return render_template(
        "admin/report_form.html",
        event=event,
        report=report,
        form=form,
        attendance=attendance,
        attachment=attachment,
        save_the_date=next_meeting(event),
        quotable=[t for t in texts if t.text not in quoted],
        action_form=ReportActionForm(),
    ), status


def _pick(form, texts, pick):
    """Put the evaluation text a button names in the first empty quote row (or a new one),
    with its sector group; a text longer than a quote is kept whole for the team to cut
    (the form says so beside it when saved)."""
    chosen = quotable.find(texts, pick) if pick else None
    if chosen is None:
        if pick:
            flash(_("Cette réponse ne peut pas être citée."), "error")
        return
    empty = next(
        (row.form for row in form.quotes if row.form.is_blank and not row.form.remove.data), None
    )
    if empty is None:
        if len(form.quotes) >= MAX_ROWS:
            flash(_("Trop de lignes : %(max)d au plus.", max=MAX_ROWS), "error")
            return
        form.quotes.append_entry({"position": len(form.quotes) + 1})
        empty = form.quotes[-1].form
    empty.text.data = chosen.text
    empty.sector_group.data = chosen.sector_group or ""
    if not str(empty.position.data or "").strip():
        numbers = [str(r.form.position.data or "") for r in form.quotes]
        empty.position.data = max((int(n) for n in numbers if n.isdigit()), default=0) + 1


def _save(form, event, report, attendance, attachment, action):
    """Write the form (and publish it when asked); the redirect, or None when refused."""
    publishing = action == "publish"
    earlier_file = report.presentation_file if report else None
    try:
        with unit_of_work("admin.event_report"):
            data = {**_data(form, attendance), "presentation_file": attachment}
            saved = report_operations.save_draft(event.id, data, actor())
            if publishing and not saved.is_published:
                report_operations.publish(event.id, actor())
    except ReportRefused as refused:
        _show_refusal(form, refused)
        return None
    if earlier_file and earlier_file != (attachment.digest if attachment else None):
        report_files.remove_unless_named(earlier_file)
    if action == "preview":
        return redirect(url_for("admin.event_report_preview", event_id=event.id), 303)
    flash(_("Compte rendu publié.") if publishing else _("Compte rendu enregistré."), "info")
    return redirect(url_for("admin.event_report", event_id=event.id), 303)


@bp.get("/events/<int:event_id>/report/preview")
@roles("admin", "bassin")
def event_report_preview(event_id):
    """The event's public page with the report as saved, published or not."""
    event = find_or_404(Event, event_id)
    report = db.session.scalar(select(Report).where(Report.event_id == event.id))
    if report is None:
        flash(_("Enregistrez le compte rendu pour le voir comme le public."), "info")
        return redirect(url_for("admin.event_report", event_id=event.id), 303)
    return event_page(
        event,
        template="admin/report_preview.html",
        report=written_report(report),
        draft_report=report,
        home=url_for("admin.event_report", event_id=event.id),
    )


@bp.get("/events/<int:event_id>/report/presentation.pdf")
@roles("admin", "bassin")
def event_report_presentation(event_id):
    """The report's PDF for the team, draft or published."""
    event = find_or_404(Event, event_id)
    report = db.session.scalar(select(Report).where(Report.event_id == event.id))
    if report is None or not report.presentation_file:
        abort(404)
    return report_files.presentation_response(report, public=False)


def _delete(event):
    if not ReportActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work("admin.event_report.delete"):
            digest = report_operations.delete(event.id, actor())
    except ReportRefused as refused:
        flash(REFUSALS[refused.reason](), "error")
    else:
        report_files.remove_unless_named(digest)
        flash(_("Compte rendu supprimé, avec son PDF."), "info")
    return redirect(url_for("admin.event_report", event_id=event.id), 303)


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
    if refused.field in (
        "presentation_url",
        "report_url",
        "participants_count",
        "presentation_upload",
    ):
        form[refused.field].errors = [*form[refused.field].errors, message]
    else:
        flash(message, "error")
