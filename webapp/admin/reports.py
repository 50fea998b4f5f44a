"""A meeting's report (/admin/events/<id>/report) and a theme's yearly synthesis
(/admin/themes/<theme>/<year>).

The report's draft starts from the data: the figures of the attendance (or of the confirmed
registrations when none was taken, marked so), the links and text of a report imported
before. Saving writes through agenda.report_operations; bad input answers 422 beside the
field and writes nothing.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from webapp.admin.access import actor, find_or_404, roles
from webapp.admin.blueprint import bp
from webapp.admin.report_forms import (
    MAX_ROWS,
    MAX_THEME_ROWS,
    ReportActionForm,
    ReportForm,
    SynthesisForm,
    ordered,
    too_many_rows,
)
from webapp.admin.report_quotes import check_quotes
from webapp.admin.report_upload import received_presentation
from webapp.agenda import report_files, report_operations, synthesis_items
from webapp.agenda.models import Event
from webapp.agenda.report_operations import Quote, ReportRefused, Section, ThemeRow
from webapp.agenda.report_outline import first_parts
from webapp.agenda.report_pages import THEME_YEARS, next_meeting, theme_year, written_report
from webapp.agenda.reports import Report
from webapp.agenda.states import FiguresSource
from webapp.agenda.views import event_page
from webapp.evaluations import quotable
from webapp.extensions import db
from webapp.registrations.attendance_counts import attendance_of
from webapp.unit_of_work import unit_of_work
from webapp.uploads import takes_upload
from webapp.vocabulary import current_language, sector_groups

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


@bp.route("/themes/<theme>/<int:year>", methods=["GET", "POST"])
@roles("admin")
def theme_synthesis(theme, year):
    """Compose a theme's yearly synthesis: items picked from the meetings' reports into
    *Veille des besoins* and *Pistes d'actions*, the table of themes × bassins, the
    perspectives; save, preview (the public page shows a draft to admins), publish."""
    if "\x00" in theme or year not in THEME_YEARS:
        abort(404)
    found = theme_year(theme, year, full_reports=True)
    if found is None:
        abort(404)
    action = request.form.get("action") if request.method == "POST" else None
    if action == "unpublish":
        return _unpublish_synthesis(theme, year)
    items = synthesis_items.items_of(found)
    form = SynthesisForm()
    status = 200
    if request.method == "GET":
        _fill_synthesis(form, found)
    elif too_many_rows(request.form):
        flash(_("Trop de lignes : %(max)d au plus.", max=MAX_THEME_ROWS), "error")
        status = 422
    elif request.form.get("add_to") in ("needs", "actions"):
        _add_items(form, items, request.form["add_to"], request.form.getlist("item"))
    elif form.validate_on_submit():
        publishing = action == "publish"
        try:
            with unit_of_work("admin.theme_synthesis"):
                report_operations.save_synthesis(theme, year, _synthesis_data(form), actor())
                if publishing and not (found.synthesis and found.synthesis.is_published):
                    report_operations.publish_synthesis(theme, year, actor())
        except ReportRefused as refused:
            flash(REFUSALS.get(refused.reason, lambda: _("Cette synthèse est refusée."))(), "error")
            status = 422
        else:
            flash(_("Synthèse publiée.") if publishing else _("Synthèse enregistrée."), "info")
            return redirect(url_for("admin.theme_synthesis", theme=theme, year=year), 303)
    else:
        status = 422
    return render_template(
        "admin/theme_synthesis.html",
        theme=found,
        form=form,
        items=items,
        action_form=ReportActionForm(),
        groups=sector_groups(),
    ), status


@bp.get("/themes/<theme>/<int:year>/preview")
@roles("admin")
def theme_synthesis_preview(theme, year):
    """The theme's public page with the synthesis as saved, draft or published."""
    if "\x00" in theme or year not in THEME_YEARS:
        abort(404)
    found = theme_year(theme, year)
    if found is None:
        abort(404)
    return render_template(
        "agenda/theme.html", theme=found, synthesis=found.synthesis, preview=True
    )


def _unpublish_synthesis(theme, year):
    if not ReportActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work("admin.theme_synthesis.unpublish"):
            report_operations.unpublish_synthesis(theme, year, actor())
    except ReportRefused as refused:
        flash(REFUSALS[refused.reason](), "error")
    else:
        flash(_("La synthèse n'est plus publique."), "info")
    return redirect(url_for("admin.theme_synthesis", theme=theme, year=year), 303)


def _fill_synthesis(form, found):
    """The saved synthesis, else a draft with seed 000's standing sentences."""
    synthesis = found.synthesis
    if synthesis is not None:
        for part in report_operations.SYNTHESIS_PARTS:
            for language in ("fr", "nl"):
                form[f"{part}_{language}"].data = getattr(synthesis, f"{part}_{language}")
        rows = synthesis.themes or []
    else:
        form.text_fr.data = INTRODUCTION
        form.perspectives_fr.data = PERSPECTIVES.format(
            theme=found.title[:1].lower() + found.title[1:],
            bassins=len(found.bassins),
            next_year=found.year + 1,
        )
        rows = []
    for number, row in enumerate([*rows, *[{}] * EMPTY_THEME_ROWS], start=1):
        form.themes.append_entry({"position": number, **row})


def _add_items(form, items, part, picked):
    """Append the items picked to a part of the synthesis (the form comes back, nothing is
    written until saved)."""
    by_id = {item.id: item for item in items}
    chosen = [by_id[one] for one in picked if one in by_id]
    if not chosen:
        flash(_("Cochez les éléments à ajouter."), "error")
        return
    field = form.needs_fr if part == "needs" else form.actions_fr
    lines = synthesis_items.as_bullets(chosen)
    field.data = f"{field.data.rstrip()}\n{lines}" if field.data and field.data.strip() else lines
    flash(
        ngettext(
            "%(num)d élément ajouté : mettez en gras ce qui ouvre chaque point et enregistrez.",
            "%(num)d éléments ajoutés : mettez en gras ce qui ouvre chaque point et enregistrez.",
            len(chosen),
        ),
        "info",
    )


def _synthesis_data(form):
    data = {
        f"{part}_{language}": form[f"{part}_{language}"].data or None
        for part in report_operations.SYNTHESIS_PARTS
        for language in ("fr", "nl")
    }
    data["themes"] = [
        ThemeRow(
            label_fr=row.label_fr.data,
            label_nl=row.label_nl.data or None,
            bassins=tuple(row.bassins.data or ()),
        )
        for row in ordered(form.themes)
    ]
    return data


EMPTY_THEME_ROWS = 3
INTRODUCTION = (
    "Les concertations thématiques des bassins visent à suivre les actualités et partager les "
    "connaissances, assurer une fonction de veille des besoins de la population, identifier "
    "les ajustements nécessaires en termes d'offre et de collaboration, proposer des actions à "
    "mener collectivement. Elles sont ouvertes à tous·tes les acteur·rices social-santé."
)
PERSPECTIVES = (
    "Les concertations thématiques {theme} se poursuivent dans les {bassins} bassins. Les dates "
    "des concertations de {next_year} sont à l'agenda des sites des bassins."
)
