"""/admin/stats: a year's figures per bassin, as charts (SVG made here) with their tables,
and the same figures as CSV. A bassin team sees its bassins; an admin sees the five side by
side with the regional total."""

from flask import abort, render_template, request
from flask_babel import gettext as _

from webapp.admin import access, exports
from webapp.admin.blueprint import bp
from webapp.admin.reports.figures import REGION, year_figures
from webapp.auth.states import AccountRole
from webapp.timezones import local_today
from webapp.vocabulary import KINDS, bassin_names, sector_group_label

FIRST_YEAR = 2015


def _columns():
    """The bassins (slug, name) the account reaches, narrowed by ?bassin= if given."""
    reachable = _reachable_bassins()
    wanted = request.args.get("bassin", "")
    if wanted:
        reachable = [(slug, name) for slug, name in reachable if slug == wanted]
        if not reachable:
            abort(404)
    return reachable


def _year():
    today = local_today()
    year = request.args.get("year", type=int) or today.year
    if not FIRST_YEAR <= year <= today.year + 1:
        abort(404)
    return year


def _report():
    columns = _columns()
    year = _year()
    figures = year_figures(access.scope(), year, [slug for slug, _name in columns])
    shown = list(columns)
    if len(columns) > 1:
        shown.append((REGION, _("Région")))
    return year, columns, shown, figures


@bp.get("/stats")
@access.roles(AccountRole.ADMIN, AccountRole.BASSIN)
def stats():
    year, columns, shown, figures = _report()
    rows = _rows(shown, figures)
    return render_template(
        "admin/stats.html",
        year=year,
        years=range(local_today().year + 1, FIRST_YEAR - 1, -1),
        bassin=request.args.get("bassin", ""),
        reachable=_reachable_bassins(),
        shown=shown,
        figures=figures,
        sections=_sections(rows),
        by_bassin=[(name, figures[slug].events) for slug, name in columns]
        if len(columns) > 1
        else [],
    )


def _sections(rows):
    """(title, rows, chart items of the last column) per section; the overview has no chart
    (its figures are of different kinds)."""
    sections = {}
    for row in rows:
        sections.setdefault(row[0], []).append(row)
    return [
        (title, section_rows, [] if index == 0 else [(r[1], r[2][-1]) for r in section_rows])
        for index, (title, section_rows) in enumerate(sections.items())
    ]


@bp.get("/stats.csv")
@access.roles(AccountRole.ADMIN, AccountRole.BASSIN)
def stats_csv():
    year, columns, shown, figures = _report()
    headers = [_("Rubrique"), _("Libellé")] + [name for _slug, name in shown]
    rows = [[section, label, *values] for section, label, values in _rows(shown, figures)]
    filename = f"statistiques-{year}-{request.args.get('bassin') or 'bassins'}.csv"
    return exports.download("csv", _("Statistiques"), headers, rows, filename)


def _reachable_bassins():
    scope = access.scope()
    return [
        (slug, name) for slug, name in bassin_names() if scope.everything or slug in scope.bassins
    ]


def _rows(shown, figures):
    """(section, label, [value per column]) for every figure, in the page's order."""
    columns = [figures[slug] for slug, _name in shown]
    rows = []

    def add(section, label, getter):
        rows.append((section, label, [getter(f) for f in columns]))

    overview = _("Vue d'ensemble")
    add(overview, _("Activités organisées"), lambda f: f.events)
    add(overview, _("Activités annulées"), lambda f: f.cancelled)
    add(overview, _("Inscriptions confirmées"), lambda f: f.registrations)
    add(overview, _("Présent·es"), lambda f: f.present)
    add(overview, _("Absent·es (inscrit·es non venu·es)"), lambda f: f.no_shows)
    add(overview, _("Sans inscription (sur place)"), lambda f: f.walk_ins)
    add(
        overview,
        _("Taux de présence (%)"),
        lambda f: None if f.attendance_rate is None else round(100 * f.attendance_rate),
    )
    kinds = sorted({k for f in columns for k in f.events_by_kind}, key=list(KINDS).index)
    for kind in kinds:
        add(_("Activités par type"), str(KINDS[kind]), lambda f, k=kind: f.events_by_kind[k])
    for kind in kinds:
        add(
            _("Participant·es par rencontre, en moyenne, par type"),
            str(KINDS[kind]),
            lambda f, k=kind: f.average_by_kind().get(k),
        )
    series = sorted({s for f in columns for s in f.participants_by_series})
    for title in series:
        add(
            _("Participant·es par rencontre, en moyenne, par série"),
            title,
            lambda f, t=title: f.average_by_series().get(t),
        )
    groups = sorted(
        {g for f in columns for g in f.sector_groups},
        key=lambda g: -figures[REGION].sector_groups[g] if REGION in figures else 0,
    )
    for group in groups:
        add(
            _("Secteurs touchés (participant·es)"),
            sector_group_label(group),
            lambda f, g=group: f.sector_groups[g],
        )
    communes = (
        [c for c, _n in figures[REGION].communes.most_common(20)] if REGION in figures else []
    )
    for commune in communes:
        add(
            _("Communes de travail (les 20 plus fréquentes)"),
            commune,
            lambda f, c=commune: f.communes[c],
        )
    return rows
