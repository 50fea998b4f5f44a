"""demo-data's partner proposal: a Saint-Gilles service proposed a meeting for the Bassin
Sud's agenda through the public form a few days ago, and it waits for the team's review."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.proposals import rules
from webapp.proposals.models import Proposal
from webapp.timezones import app_zone, to_utc

SUBMITTER_EMAIL = "coordination@ssm-saint-gilles.be"


def load_demo_proposals(today):
    """The waiting proposal, once (found again by its submitter's address); no mail, as the
    submitter is made up. Never commits. Returns the proposal, or None when it is there."""
    if db.session.scalar(select(Proposal.id).where(Proposal.submitter_email == SUBMITTER_EMAIL)):
        return None
    day = today + timedelta(days=45 + (3 - today.weekday()) % 7)  # a Thursday, in six weeks

    def at(hour, minute=0):
        return to_utc(datetime.combine(day, time(hour, minute), tzinfo=app_zone()))

    details = {
        "kind": "rencontre",
        "audience": "professionals",
        "title_fr": "Café-rencontre : santé mentale et précarité à Saint-Gilles",
        "title_nl": None,
        "description_fr": (
            "Une heure et demie d'échange entre professionnel·les du social et de la santé "
            "mentale de Saint-Gilles et Forest : comment orienter une personne en souffrance "
            "psychique qui n'a pas de logement stable ? Présentation de l'équipe mobile et des "
            "permanences sans rendez-vous, puis questions sur des situations apportées par "
            "les participant·es."
        ),
        "start_at": at(9, 30),
        "end_at": at(11),
        "online_url": None,
        "free": True,
        "price_fr": None,
        "contact_email": SUBMITTER_EMAIL,
        "registration_url": None,
        "venue_name": "Service de santé mentale de Saint-Gilles",
        "venue_address": "Rue de la Victoire 26",
        "venue_postal_code": "1060",
        "venue_commune": "Saint-Gilles",
        "submitter_name": "Leïla Bensaïd",
        "submitter_email": SUBMITTER_EMAIL,
        "organisation_name": "Service de santé mentale de Saint-Gilles",
        "phone": "02 538 12 40",
    }
    return rules.submit(rules.Submission(details, ("sud",)), notify=False)
