"""A proposal in one line, submitted as the public form would (committed), for tests."""

from datetime import timedelta

from webapp.extensions import db
from webapp.proposals import rules
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


def details(**changes):
    start = (utcnow() + timedelta(days=20)).replace(microsecond=0)
    values = {
        "submitter_name": "Sarah Janssens",
        "submitter_email": "sarah@amo-forest.be",
        "organisation_name": "AMO de Forest",
        "phone": None,
        "kind": "rencontre",
        "audience": "professionals",
        "title_fr": "Séance d'information jeunes aidants",
        "title_nl": None,
        "description_fr": "Une heure pour découvrir notre accompagnement.",
        "start_at": start,
        "end_at": start + timedelta(hours=2),
        "online_url": None,
        "free": True,
        "price_fr": None,
        "contact_email": "info@amo-forest.be",
        "venue_name": "Maison des jeunes de Forest",
        "venue_address": "Rue du Curé 35",
        "venue_postal_code": "1190",
        "venue_commune": "Forest",
        "registration_url": None,
    }
    values.update(changes)
    return values


def submitted(bassins=("sud",), language="fr", **changes):
    """A proposal waiting in the queue of those bassins."""
    with unit_of_work("test proposal"):
        proposal = rules.submit(rules.Submission(details(**changes), tuple(bassins)), language)
    db.session.expire_all()
    return proposal
