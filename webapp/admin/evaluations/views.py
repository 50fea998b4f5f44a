"""/admin/events/<id>/evaluation: an event's evaluation results (charts and tables), the
series trend, CSV and XLSX exports, quotes for the report, and the open link's QR code.

Exports give what the page shows, never an answer's row: per group (personal links, open
link) and question, the count of each value and the mean; then each question's free texts,
shuffled, one a row with nothing else of their answer (no day, no sector)."""

import io

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.admin import access, exports
from webapp.admin.blueprint import bp
from webapp.agenda import report_operations
from webapp.agenda.models import Event
from webapp.auth.states import AccountRole
from webapp.evaluations import editing, invitations, open_link, results
from webapp.evaluations.letters import last_day
from webapp.evaluations.states import AnswerChannel, QuestionType
from webapp.unit_of_work import unit_of_work
from webapp.urls import absolute_url
from webapp.vocabulary import SECTOR_GROUP_SLUGS, current_language, sector_groups

STAFF = (AccountRole.ADMIN, AccountRole.BASSIN)


def sector_filter():
    """The sector group the results are filtered by (None: all); an unknown one is 404."""
    sector = request.args.get("sector", "")
    if sector and sector not in SECTOR_GROUP_SLUGS:
        abort(404)
    return sector or None


@bp.get("/events/<int:event_id>/evaluation")
@access.roles(*STAFF)
def evaluation(event_id):
    event = access.find_or_404(Event, event_id)
    sector = sector_filter()
    outcome = results.event_results(event, current_language(), sector)
    scale_keys = [
        q["key"]
        for q in (outcome.form.questions if outcome.form else ())
        if q["type"] == QuestionType.SCALE
    ]
    return render_template(
        "admin/evaluation.html",
        event=event,
        results=outcome,
        sector=sector,
        sectors=sector_groups(),
        minimum=results.MIN_ANSWERS,
        trend=results.series_trend(event, scale_keys[0]) if scale_keys else [],
        has_questions=editing.event_questions(event) is not None,
        open_url=absolute_url("evaluations.open_link", token=outcome.form.open_token)
        if outcome.form
        else None,
        open_last_day=last_day(outcome.form, open_link.closes_at(outcome.form))
        if outcome.form
        else None,
    )


def _rows(event):
    """The export's rows (the groups shown); 404 when nothing is shown."""
    outcome = results.event_results(event, current_language(), sector_filter())
    if outcome.hidden:
        abort(404)
    return results_table(outcome)


def channel_label(channel):
    if channel == AnswerChannel.OPEN_LINK:
        return _("Lien ouvert")
    return _("Liens personnels")


def results_table(outcome):
    """(header, rows) of an export: the aggregates of each shown group's questions, then
    their free texts, each alone with its question (the export writer keeps text cells from
    running as formulas: webapp/spreadsheets.py)."""
    header = [_("Réponses"), _("Question"), _("Réponse"), _("Nombre")]
    aggregates, texts = [], []
    for group in outcome.groups:
        if group.hidden:
            continue
        channel = channel_label(group.channel)
        for item in group.questions:
            label = item.label
            for value, count in item.distribution:
                aggregates.append([channel, label, value, count])
            if item.mean is not None:
                aggregates.append([channel, label, _("Moyenne (1 à 5)"), item.mean])
            for _handle, text, _quoted in item.texts:
                texts.append([channel, label, text, None])
    return header, aggregates + texts


@bp.get("/events/<int:event_id>/evaluation.csv")
@access.roles(*STAFF)
def evaluation_csv(event_id):
    event = access.find_or_404(Event, event_id)
    return csv_response(*_rows(event), f"evaluation-{event.id}.csv")


def csv_response(header, rows, filename):
    """The answers as CSV for fr-BE (`;`, decimal commas), through the one export writer."""
    return exports.download("csv", _("Évaluation"), header, rows, filename)


@bp.get("/events/<int:event_id>/evaluation.xlsx")
@access.roles(*STAFF)
def evaluation_xlsx(event_id):
    event = access.find_or_404(Event, event_id)
    header, rows = _rows(event)
    return exports.download("xlsx", _("Évaluation"), header, rows, f"evaluation-{event.id}.xlsx")


@bp.post("/events/<int:event_id>/evaluation/quotes")
@access.roles(*STAFF)
def evaluation_quote(event_id):
    event = access.find_or_404(Event, event_id)
    text = " ".join((request.form.get("text") or "").split())[:500]
    with unit_of_work("evaluation-quote"):
        chosen = results.choose_quote(
            event.id, request.form.get("text_id", ""), request.form.get("key", ""), text
        )
        if chosen is None:
            abort(404)  # unknown, or its group is under the threshold
        if text:
            # The quote joins the meeting's report (a draft is made if there is none), with
            # at most the sector group as attribution; the team orders or trims it there.
            sector = results.quote_sector(chosen)
            try:
                report_operations.add_quote(event.id, text, sector, access.actor())
            except report_operations.ReportRefused:
                abort(422)  # longer than a quote: the report form cuts it beside the field
    flash(_("Citation ajoutée au compte rendu.") if text else _("Citation retirée."), "info")
    return redirect(url_for("admin.evaluation", event_id=event.id), 303)


@bp.route("/events/<int:event_id>/evaluation/qr.svg", methods=["GET"])
@access.roles(*STAFF)
def evaluation_qr(event_id):
    """The QR code of the event's open link (an SVG made here), for the attendance sheet.
    Opens the event's form if it was not yet (the sheet is printed before the meeting)."""
    event = access.find_or_404(Event, event_id)
    with unit_of_work("evaluation-open-form"):
        form = invitations.open_form(event)
    if form is None:
        abort(404)
    url = absolute_url("evaluations.open_link", token=form.open_token)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, xmldecl=False, title=_("QR code"))
    return Response(out.getvalue(), content_type="image/svg+xml")
