"""The agenda's filter form: choices built from the database and the vocabulary."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.agenda.models import Bassin, Commune, Series
from webapp.extensions import db
from webapp.vocabulary import AUDIENCES, KINDS


def filter_choices(bassin=None):
    """Options of the filter form's selects; scoped to one bassin on its page."""
    bassins = db.session.scalars(select(Bassin).order_by(Bassin.slug)).all()
    communes_stmt = select(Commune).order_by(Commune.name_fr)
    series_stmt = select(Series).options(selectinload(Series.bassins)).order_by(Series.title_fr)
    if bassin is not None:
        communes_stmt = communes_stmt.where(Commune.bassin_id == bassin.id)
    series = db.session.scalars(series_stmt).all()
    if bassin is not None:
        series = [s for s in series if bassin in s.bassins]
    return {
        "bassins": [(b.slug, b.name) for b in bassins],
        "kinds": list(KINDS.items()),
        "audiences": list(AUDIENCES.items()),
        "communes": [(c.slug, c.name) for c in db.session.scalars(communes_stmt)],
        "themes": [(s.slug, _series_label(s, bassin)) for s in series],
    }


def _series_label(series, bassin):
    if bassin is not None or not series.bassins or len(series.bassins) > 1:
        return series.title
    return f"{series.title} ({series.bassins[0].name})"
