"""The whole path: a service answers the call, the team accepts, a social worker books three
visits in one go, then cancels one; every mail reaches the local SMTP server."""

import re
from datetime import timedelta

from sqlalchemy import select

from tests.grandbain.conftest import offers
from tests.smtp import attachments
from webapp.agenda.models import Commune
from webapp.audit import Actor
from webapp.extensions import db
from webapp.grandbain.models import Booking, Offer, Slot
from webapp.grandbain.states import OfferStatus
from webapp.mail.outbox import deliver_all


def apply_form(edition, name, email, day, start, end, commune_id, places="8"):
    return {
        "name": name,
        "sector": "maison-medicale",
        "address": "Chaussée de Waterloo 1",
        "commune_id": str(commune_id),
        "discover_fr": "L'accueil sans rendez-vous et la réunion d'équipe du matin.",
        "access_notes_fr": "Entrée par la cour, rez-de-chaussée accessible.",
        "languages": ["fr", "nl"],
        "contact_name": "Sophie Janssens",
        "contact_email": email,
        "slots-0-day": (edition.week_start + timedelta(days=day)).isoformat(),
        "slots-0-start": start,
        "slots-0-end": end,
        "slots-0-places": places,
    }


def commune_id(slug):
    return db.session.scalar(select(Commune.id).where(Commune.slug == slug))


def delivered(smtp):
    sent, failed = deliver_all()
    assert failed == 0
    return sent


def test_call_moderation_booking_and_cancellation_with_every_mail(client, edition, smtp, person):
    year = edition.year
    hosts = [
        ("Maison médicale Les Primevères", "mm@primeveres.be", 0, "09:00", "10:30", "saint-gilles"),
        ("CPAS de Forest – service social", "social@cpasforest.be", 0, "11:00", "12:00", "forest"),
        (
            "Centre de santé mentale Le Méridien",
            "accueil@meridien.be",
            1,
            "14:00",
            "15:30",
            "saint-josse-ten-noode",
        ),
    ]
    for name, email, day, start, end, commune in hosts:
        response = client.post(
            f"/grand-bain/{year}/apply",
            data=apply_form(edition, name, email, day, start, end, commune_id(commune)),
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert delivered(smtp) == 3
    received = smtp.inbox.to("mm@primeveres.be")[0]
    host_link = re.search(
        r"/grand-bain/offers/[A-Za-z0-9_-]{43}", received.get_body(("plain",)).get_content()
    ).group(0)
    assert "Les Primevères" in client.get(host_link).get_data(as_text=True)

    for offer in db.session.scalars(select(Offer)):
        offers.decide(offer.id, OfferStatus.ACCEPTED, Actor.account(1))
    assert delivered(smtp) == 3
    assert "acceptée" in smtp.inbox.to("social@cpasforest.be")[-1]["Subject"]

    slots = db.session.scalars(select(Slot).order_by(Slot.start_at)).all()
    programme = client.get(f"/grand-bain/{year}/?date=all").get_data(as_text=True)
    assert all(f'value="{s.id}"' in programme for s in slots)
    chosen = client.get(f"/grand-bain/{year}/book?" + "&".join(f"slot={s.id}" for s in slots))
    assert chosen.status_code == 200
    assert "Le Méridien" in chosen.get_data(as_text=True)

    data = person() | {
        "consent": "y",
        "slot": [s.id for s in slots],
        f"question_{slots[0].id}": "Peut-on voir l'accueil ?",
    }
    response = client.post(f"/grand-bain/{year}/book", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count('data-status="confirmed"') == 3

    assert delivered(smtp) == 4  # one to her, one to each host
    (confirmation,) = smtp.inbox.to("anne.1@example.org")
    text = confirmation.get_body(("plain",)).get_content()
    assert "Chaussée de Waterloo 1" in text and "Entrée par la cour" in text
    (ics,) = attachments(confirmation)
    assert ics.get_content().count("BEGIN:VEVENT") == 3
    host_notice = smtp.inbox.to("mm@primeveres.be")[-1].get_body(("plain",)).get_content()
    assert "Peeters1" in host_notice and "Peut-on voir l'accueil ?" in host_notice

    booking = db.session.scalars(select(Booking).order_by(Booking.id)).first()
    token = response.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/grand-bain/visits/{token}/{booking.id}/cancel").status_code == 200
    assert client.post(f"/grand-bain/visits/{token}/{booking.id}/cancel").status_code == 303
    statuses = [b.status for b in db.session.scalars(select(Booking).order_by(Booking.id))]
    assert statuses == ["cancelled", "confirmed", "confirmed"]
    assert db.session.get(Slot, booking.slot_id).booked_count == 0
    assert delivered(smtp) == 2  # her cancellation, the host's notice
    cancelled = smtp.inbox.to("anne.1@example.org")[-1]
    assert "annulée" in cancelled["Subject"]
    assert "METHOD:CANCEL" in attachments(cancelled)[0].get_content()
    host = db.session.get(Slot, booking.slot_id).offer.contact_email
    assert "annulée" in smtp.inbox.to(host)[-1]["Subject"]
