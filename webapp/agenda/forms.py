"""The agenda's filter form: choices built from the database and the vocabulary."""

import re

from sqlalchemy import select

from webapp.agenda.models import Bassin, Commune, Series, series_bassins
from webapp.extensions import db
from webapp.vocabulary import AUDIENCES, KINDS, current_language


def filter_choices(bassin=None):
    """Options of the filter form's selects; scoped to one bassin on its page.

    Reads plain columns, not ORM objects: it runs on every agenda page (bench/bench_agenda.py).
    """
    language = current_language()
    bassins = db.session.execute(
        select(Bassin.id, Bassin.slug, Bassin.name_fr, Bassin.name_nl).order_by(Bassin.slug)
    ).all()
    bassin_names = {b.id: _in_language(b.name_fr, b.name_nl, language) for b in bassins}
    communes_stmt = select(Commune.slug, Commune.name_fr, Commune.name_nl).order_by(Commune.name_fr)
    if bassin is not None:
        communes_stmt = communes_stmt.where(Commune.bassin_id == bassin.id)
    return {
        "bassins": [(b.slug, bassin_names[b.id]) for b in bassins],
        "kinds": list(KINDS.items()),
        "audiences": list(AUDIENCES.items()),
        "communes": [
            (c.slug, _in_language(c.name_fr, c.name_nl, language))
            for c in db.session.execute(communes_stmt)
        ],
        "themes": _theme_choices(bassin, bassin_names, language),
    }


def _theme_choices(bassin, bassin_names, language):
    """(slug, label) of the series; a series of one bassin names it on the all-bassins page."""
    series_bassin_ids = {}
    for series_id, bassin_id in db.session.execute(
        select(series_bassins.c.series_id, series_bassins.c.bassin_id)
    ):
        series_bassin_ids.setdefault(series_id, []).append(bassin_id)
    choices = []
    for series in db.session.execute(
        select(Series.id, Series.slug, Series.title_fr, Series.title_nl).order_by(Series.title_fr)
    ):
        ids = series_bassin_ids.get(series.id, [])
        if bassin is not None and bassin.id not in ids:
            continue
        label = _in_language(series.title_fr, series.title_nl, language)
        if bassin is None and len(ids) == 1 and not _names(label, bassin_names[ids[0]]):
            label = f"{label} ({bassin_names[ids[0]]})"
        choices.append((series.slug, label))
    return choices


def _names(label, name):
    """Whether `label` already names `name` as a whole (the Sud of "Bassin Sud-Est" is not
    the Bassin Sud)."""
    return re.search(rf"{re.escape(name)}(?![\w-])", label, re.IGNORECASE) is not None


def _in_language(french, dutch, language):
    return dutch if language == "nl" and dutch else french
