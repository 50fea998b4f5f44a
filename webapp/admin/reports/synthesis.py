"""A theme's yearly synthesis (/admin/themes/<theme>/<year>), as seed 000: composed by an
admin from the items of the meetings' reports (agenda/synthesis_items.py), picked into
*Veille des besoins* and *Pistes d'actions* and edited there; the table of themes × bassins;
the perspectives. A draft until published; the preview is the public page with the draft.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.admin.access import actor, roles
from webapp.admin.blueprint import bp
from webapp.admin.reports.forms import (
    MAX_THEME_ROWS,
    ReportActionForm,
    SynthesisForm,
    ordered,
    too_many_rows,
)
from webapp.admin.reports.views import REFUSALS
from webapp.agenda import report_operations, synthesis_items
from webapp.agenda.report_operations import ReportRefused, ThemeRow
from webapp.agenda.report_pages import THEME_YEARS, theme_year
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import sector_groups


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
