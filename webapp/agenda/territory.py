"""The bassins and their communes, loaded from the shared data file (idempotent)."""

import re
import unicodedata

from sqlalchemy import select

from webapp.agenda.models import Bassin, Commune
from webapp.extensions import db
from webapp.vocabulary import bassin_facts


def slugify(text):
    """'Woluwe-Saint-Lambert' -> 'woluwe-saint-lambert'; accents and brackets dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _commune_slug(fact):
    if not fact.get("district"):
        return slugify(fact["name_fr"])
    # 'Bruxelles-Ville (Laeken)' -> 'bruxelles-ville-laeken'; long district names keep their head.
    district = fact["name_fr"].split("(", 1)[1].rstrip(")")
    head = re.split(r"[:/,]", district)[0]
    return slugify(f"{fact['commune_fr']} {head}")


def load_territory():
    """Create or update the five bassins and their communes; returns the bassins by slug."""
    bassins = {b.slug: b for b in db.session.scalars(select(Bassin))}
    communes = {c.slug: c for c in db.session.scalars(select(Commune))}
    for fact in bassin_facts():
        bassin = bassins.get(fact["slug"]) or Bassin(slug=fact["slug"])
        bassin.code, bassin.name_fr, bassin.name_nl = fact["code"], fact["name_fr"], fact["name_nl"]
        bassin.website = fact.get("website")
        bassin.team_email = fact.get("team_email")
        db.session.add(bassin)
        bassins[bassin.slug] = bassin
        for item in fact["communes"]:
            slug = _commune_slug(item)
            commune = communes.get(slug) or Commune(slug=slug)
            commune.name_fr, commune.name_nl = item["name_fr"], item["name_nl"]
            commune.municipality_fr = item.get("commune_fr") or item["name_fr"]
            commune.municipality_nl = item.get("commune_nl") or item["name_nl"]
            commune.municipality_slug = slugify(commune.municipality_fr)
            commune.postal_codes = ",".join(item["postal_codes"])
            commune.bassin = bassin
            db.session.add(commune)
            communes[slug] = commune
    db.session.flush()
    return bassins
