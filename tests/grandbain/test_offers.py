"""The call and its moderation: what the host is told, what it may still change, what the
public pages' generation counts."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.grandbain.conftest import offers, rules
from webapp.agenda.models import Commune
from webapp.audit import Actor, AuditEntry
from webapp.content_state import current_generation
from webapp.extensions import db
from webapp.grandbain.models import Offer
from webapp.grandbain.offers import SlotRequest
from webapp.grandbain.states import OfferStatus
from webapp.mail.models import OutboxMessage


def data():
    return {
        "name": "Service social de l'hôpital Saint-Pierre",
        "sector": "hopital",
        "address": "Rue Haute 322",
        "commune_id": db.session.scalar(select(Commune.id).where(Commune.slug == "ixelles")),
        "discover_fr": "La préparation d'une sortie d'hospitalisation.",
        "languages": "fr,nl,xx",
        "contact_name": "Luc Maes",
        "contact_email": "luc.maes@example.be",
    }


def request(edition, day=0, start="09:00", end="10:00", places=6):
    when = edition.week_start + timedelta(days=day)
    return SlotRequest(
        datetime.combine(when, time.fromisoformat(start)),
        datetime.combine(when, time.fromisoformat(end)),
        places,
    )


@pytest.mark.parametrize(
    ("slots", "reason"),
    [
        ([], "no-slot"),
        ([None] * 4, "too-many-slots"),
        ([("day", 7)], "slots"),
        ([("places", 0)], "slots"),
        ([("places", 10000)], "slots"),
        ([("end", "08:00")], "slots"),
    ],
)
def test_the_rule_refuses_slots_the_edition_does_not_take(edition, slots, reason):
    requests = []
    for change in slots:
        values = {"day": 0, "start": "09:00", "end": "10:00", "places": 6}
        if change:
            values[change[0]] = change[1]
        requests.append(request(edition, **values))
    with pytest.raises(offers.OfferRefused) as refused:
        offers.submit(edition.id, data(), requests)
    assert refused.value.reason == reason
    assert db.session.scalar(select(Offer.id)) is None


def test_moderation_tells_the_host_and_changes_requested_reopen_the_offer(edition):
    generation = current_generation()
    offer = offers.submit(edition.id, data(), [request(edition)])
    assert offer.languages == "fr,nl"  # an unknown code is dropped
    assert current_generation() > generation  # offers are public content
    offers.decide(offer.id, OfferStatus.CHANGES_REQUESTED, Actor.account(7), "Précisez l'accès.")
    offers.update(offer.id, data() | {"access_notes_fr": "Entrée B, 2e étage."}, [request(edition)])
    assert db.session.get(Offer, offer.id).status == OfferStatus.SUBMITTED
    offers.decide(offer.id, OfferStatus.REFUSED, Actor.account(7), "Hors des bassins participants.")
    with pytest.raises(offers.OfferRefused):
        offers.update(offer.id, data(), [request(edition)])
    subjects = db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert subjects == [
        "Grand Bain : votre offre est reçue",
        "Grand Bain : une modification est demandée",
        "Grand Bain : votre offre n'est pas retenue",
    ]
    refused = db.session.scalars(select(OutboxMessage.body_text).order_by(OutboxMessage.id)).all()
    assert "Hors des bassins participants." in refused[-1]
    reasons = db.session.scalars(
        select(AuditEntry.reason).where(AuditEntry.subject_type == "grand_bain_offer")
    ).all()
    assert "Précisez l'accès." in reasons


def test_booking_does_not_move_the_public_pages_generation_and_the_promoted_is_told(
    edition, make_offer, person
):
    offer = make_offer(slots=[(0, "09:00", "10:00", 1)])
    generation = current_generation()
    first = rules.book(edition.id, [offer.slots[0].id], person(1)).bookings[0]
    rules.book(edition.id, [offer.slots[0].id], person(2), waitlist=True)
    assert current_generation() == generation
    rules.cancel(first.id)
    promoted = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.recipient == "anne.2@example.org")
    ).all()
    assert promoted[-1] == "Grand Bain : une place s'est libérée"
