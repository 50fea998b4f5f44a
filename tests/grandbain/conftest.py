"""An edition whose week is a month ahead, accepted offers with slots, people who book."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.edge import Committed
from tests.smtp import mail_config
from webapp.agenda.models import Bassin, Commune
from webapp.extensions import db
from webapp.grandbain import offers as _offers
from webapp.grandbain import rules as _rules
from webapp.grandbain.models import Edition, Offer, Slot
from webapp.grandbain.states import OfferStatus
from webapp.timezones import app_zone, local_today, utcnow
from webapp.unit_of_work import unit_of_work

rules = Committed(_rules)
offers = Committed(_offers)


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


@pytest.fixture
def edition(territory):
    """Booking open now; the week starts on the Monday a month ahead; margin 30 minutes."""
    today = local_today()
    monday = today + timedelta(days=28 + (7 - today.weekday()) % 7)
    now = utcnow()
    with unit_of_work("test edition"):
        found = Edition(
            year=monday.year,
            week_start=monday,
            week_end=monday + timedelta(days=4),
            call_opens_at=now - timedelta(days=10),
            call_closes_at=now + timedelta(days=10),
            booking_opens_at=now - timedelta(days=1),
            booking_closes_at=now + timedelta(days=27),
            max_slots_per_offer=3,
            max_visits_per_visitor=4,
            margin_minutes=30,
            bassins=db.session.scalars(select(Bassin)).all(),
        )
        db.session.add(found)
    return found


def at(edition, day, clock):
    """An aware Brussels time on the `day`-th day (0: Monday) of the edition's week."""
    return datetime.combine(
        edition.week_start + timedelta(days=day), time.fromisoformat(clock), tzinfo=app_zone()
    )


@pytest.fixture
def make_offer(edition):
    """make_offer(name, slots=[(day, "09:00", "10:30", places)], commune=...) -> accepted."""

    def make(
        name="Maison médicale du Midi",
        slots=((0, "09:00", "10:30", 5),),
        commune="forest",
        status=OfferStatus.ACCEPTED,
        email="accueil@mm-midi.be",
        edition_=None,
        languages="fr,nl",
    ):
        target = edition_ or edition
        with unit_of_work("test offer"):
            offer = Offer(
                edition_id=target.id,
                name=name,
                sector="maison-medicale",
                address="Rue du Midi 12",
                commune=db.session.scalar(select(Commune).where(Commune.slug == commune)),
                discover_fr="L'accueil, la salle d'attente, une réunion d'équipe.",
                access_notes_fr="Sonnez à l'interphone, 1er étage.",
                languages=languages,
                contact_name="Sophie Janssens",
                contact_email=email,
                status=status,
                slots=[
                    Slot(start_at=at(target, d, s), end_at=at(target, d, e), capacity=c)
                    for d, s, e, c in slots
                ],
            )
            db.session.add(offer)
        return offer

    return make


@pytest.fixture
def person():
    def make(n=1, **fields):
        data = {
            "first_name": "Anne",
            "last_name": f"Peeters{n}",
            "email": f"anne.{n}@example.org",
            "organisation": "Service social de l'hôpital Saint-Pierre",
            "sector": "hopital",
            "job_title": "Assistante sociale",
            "commune": "Bruxelles",
        }
        data.update(fields)
        return data

    return make
