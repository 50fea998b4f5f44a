"""A partner's proposal as the public form posts it, and a mail server to receive what it sends."""

from datetime import timedelta

import pytest

from tests.admin.conftest import make_staff  # noqa: F401  (staff accounts here too)
from tests.smtp import mail_config
from webapp.timezones import to_local, utcnow


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def in_days(days=20):
    """A local date some days ahead, as the form takes it (YYYY-MM-DD)."""
    return (to_local(utcnow()) + timedelta(days=days)).date().isoformat()


@pytest.fixture
def proposal_form(territory):
    """proposal_form(**changes) -> the public form's fields, valid unless changed."""

    def make(**changes):
        data = {
            "submitter_name": "Sarah Janssens",
            "submitter_email": "sarah@amo-forest.be",
            "organisation_name": "AMO de Forest",
            "phone": "+32 2 345 67 89",
            "title_fr": "Séance d'information : le soutien aux jeunes aidants",
            "title_nl": "",
            "description_fr": "Une heure pour découvrir notre accompagnement.",
            "kind": "rencontre",
            "audience": "professionals",
            "day": in_days(),
            "starts": "14:00",
            "ends": "15:30",
            "venue_name": "Maison des jeunes de Forest",
            "venue_address": "Rue du Curé 35",
            "venue_postal_code": "1190",
            "venue_commune": "Forest",
            "online_url": "",
            "free": "yes",
            "price_fr": "",
            "contact_email": "info@amo-forest.be",
            "registration": "link",
            "registration_url": "https://amo-forest.be/inscription",
            "bassins": ["sud"],
            "consent": "y",
            "website": "",
        }
        data.update(changes)
        return {key: value for key, value in data.items() if value is not None}

    return make
