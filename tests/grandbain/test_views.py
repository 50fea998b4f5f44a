"""The public pages: programme and filters, offer, booking forms, personal page, the call.
Bad input gets a message beside the field and writes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.grandbain.conftest import rules
from webapp.agenda.models import Commune
from webapp.extensions import db
from webapp.grandbain.models import Booking, Edition, Offer, Slot, Visitor
from webapp.grandbain.states import OfferStatus
from webapp.unit_of_work import unit_of_work


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def apply_data(edition, **changes):
    forest = db.session.scalar(select(Commune.id).where(Commune.slug == "forest"))
    data = {
        "name": "Maison médicale Les Primevères",
        "sector": "maison-medicale",
        "address": "Chaussée de Bruxelles 10",
        "commune_id": str(forest),
        "discover_fr": "L'accueil, la réunion d'équipe.",
        "languages": ["fr"],
        "contact_name": "Sophie Janssens",
        "contact_email": "sophie@primeveres.be",
        "slots-0-day": edition.week_start.isoformat(),
        "slots-0-start": "09:00",
        "slots-0-end": "10:30",
        "slots-0-places": "6",
    }
    data.update(changes)
    return data


def test_grand_bain_redirects_to_the_current_edition(client, edition):
    response = client.get("/grand-bain/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/grand-bain/{edition.year}/")


def test_the_programme_groups_by_day_and_commune_and_filters(client, edition, make_offer):
    make_offer("Maison médicale du Midi", [(0, "09:00", "10:00", 5)], commune="forest")
    make_offer(
        "Le Méridien", [(1, "09:00", "10:00", 5)], commune="ixelles", email="m@x.be", languages="fr"
    )
    make_offer("Refusé", [(1, "11:00", "12:00", 5)], status=OfferStatus.REFUSED, email="r@x.be")
    page = client.get(f"/grand-bain/{edition.year}/?date=all").get_data(as_text=True)
    assert page.index("Maison médicale du Midi") < page.index("Le Méridien")
    assert "<h3>Forest</h3>" in page and "<h3>Ixelles</h3>" in page
    assert "Refusé" not in page
    assert "css/grandbain.css" in page
    filtered = client.get(f"/grand-bain/{edition.year}/?date=all&commune=ixelles").get_data(
        as_text=True
    )
    assert "Le Méridien" in filtered and "Maison médicale du Midi" not in filtered
    dutch = client.get(f"/grand-bain/{edition.year}/?date=all&lang=nl&language=nl").get_data(
        as_text=True
    )
    assert "Het programma filteren" in dutch and "Maison médicale du Midi" in dutch
    assert "Le Méridien" not in dutch  # speaks French only


def test_places_left_filter_leaves_out_full_slots(client, edition, make_offer, person):
    full = make_offer("Complet", [(0, "09:00", "10:00", 1)], email="c@x.be")
    make_offer("Ouvert", [(1, "09:00", "10:00", 5)], email="o@x.be")
    rules.book(edition.id, [full.slots[0].id], person())
    page = client.get(f"/grand-bain/{edition.year}/?date=all&places=1").get_data(as_text=True)
    assert "Ouvert" in page and "Complet</a>" not in page


def test_an_offer_not_accepted_is_not_found(client, edition, make_offer):
    offer = make_offer(status=OfferStatus.SUBMITTED)
    assert client.get(f"/grand-bain/{edition.year}/offers/{offer.id}").status_code == 404
    assert client.get(f"/grand-bain/slots/{offer.slots[0].id}/book").status_code == 404


def test_one_slot_booking_redirects_to_the_personal_page(client, edition, make_offer, person):
    offer = make_offer()
    url = f"/grand-bain/slots/{offer.slots[0].id}/book"
    assert "Sonnez" not in client.get(url).get_data(as_text=True)
    response = client.post(url, data=person() | {"consent": "y"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.headers["Cache-Control"] == "private, no-store"
    assert 'data-status="confirmed"' in page.get_data(as_text=True)


def test_a_known_address_is_not_shown_its_programme(client, edition, make_offer, person):
    first = make_offer("Maison médicale du Midi", [(0, "09:00", "10:00", 5)])
    second = make_offer("CPAS", [(2, "09:00", "10:00", 5)], email="c@x.be")
    rules.book(edition.id, [first.slots[0].id], person())
    response = client.post(
        f"/grand-bain/slots/{second.slots[0].id}/book",
        data=person(first_name="Mallory") | {"consent": "y"},
    )
    assert response.status_code == 303  # to the page of this request's visit alone
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "CPAS" in page and "Maison médicale du Midi" not in page and "Anne" not in page
    assert db.session.scalar(select(Visitor.first_name)) == "Anne"


@pytest.mark.parametrize("case", ["other-edition", "twice", "garbage", "huge"])
def test_bad_slot_ids_in_the_set_write_nothing(client, edition, make_offer, person, case):
    offer = make_offer()
    ids = [str(offer.slots[0].id)]
    if case == "other-edition":
        with unit_of_work("older"):
            older = Edition(
                year=edition.year - 1,
                week_start=edition.week_start - timedelta(days=364),
                week_end=edition.week_end - timedelta(days=364),
            )
            db.session.add(older)
        ids.append(str(make_offer("Ancien", edition_=older, email="a@x.be").slots[0].id))
    elif case == "twice":
        ids.append(ids[0])
    elif case == "huge":
        ids.append("9" * 5000)  # past Python's 4300 digits for int(): was a 500
    else:
        ids.append("١٢")  # Arabic-Indic digits: no id
    response = client.post(
        f"/grand-bain/{edition.year}/book", data=person() | {"consent": "y", "slot": ids}
    )
    assert response.status_code == 409
    assert 'role="alert"' in response.get_data(as_text=True)
    assert count(Booking) == 0 and count(Visitor) == 0


def test_a_refused_overlap_names_the_other_visit(client, edition, make_offer, person):
    first = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    second = make_offer("Hôpital Molière", [(0, "10:40", "11:30", 5)], email="h@x.be")
    response = client.post(
        f"/grand-bain/{edition.year}/book",
        data=person() | {"consent": "y", "slot": [first.slots[0].id, second.slots[0].id]},
    )
    assert response.status_code == 409
    assert "Trop proche de votre visite chez Maison médicale du Midi" in response.get_data(
        as_text=True
    )
    assert count(Booking) == 0


def test_a_visitor_cannot_cancel_another_visitors_booking(client, edition, make_offer, person):
    offer = make_offer()
    mine = rules.book(edition.id, [offer.slots[0].id], person(1)).visitor
    theirs = rules.book(edition.id, [offer.slots[0].id], person(2)).bookings[0]
    url = f"/grand-bain/visits/{mine.token}/{theirs.id}/cancel"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert db.session.get(Booking, theirs.id).status == "confirmed"
    assert client.get("/grand-bain/visits/not-a-token").status_code == 404


def test_cancel_all_from_the_personal_page_and_the_feed(client, edition, make_offer, person):
    offer = make_offer(slots=[(0, "09:00", "10:00", 5), (2, "09:00", "10:00", 5)])
    visitor = rules.book(edition.id, [s.id for s in offer.slots], person()).visitor
    feed = client.get(f"/grand-bain/calendar/{visitor.token}.ics")
    assert feed.headers["Content-Type"].startswith("text/calendar")
    assert feed.get_data(as_text=True).count("BEGIN:VEVENT") == 2
    assert client.post(f"/grand-bain/visits/{visitor.token}/cancel").status_code == 303
    page = client.get(f"/grand-bain/visits/{visitor.token}").get_data(as_text=True)
    assert page.count('data-status="cancelled"') == 2
    assert db.session.scalar(select(func.sum(Slot.booked_count))) == 0


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"slots-0-places": "0"}, "Entre 1 et 50 places."),
        ({"slots-0-places": "10000"}, "Entre 1 et 50 places."),
        ({"slots-0-end": "08:00"}, "La fin doit venir après le début."),
        ({"slots-0-day": "2020-01-06"}, "Choisissez un jour de la semaine du Grand Bain."),
        ({"name": "Maison\x00médicale"}, "caractères non autorisés"),
        ({"contact_email": "pas une adresse"}, "Adresse e-mail invalide."),
        ({"commune_id": "999999"}, "Choisissez une commune de la liste."),
        ({"slots-0-day": ""}, "Indiquez le jour, le début, la fin et le nombre de places."),
    ],
)
def test_the_call_refuses_bad_input_beside_the_field(client, edition, changes, field_error):
    response = client.post(f"/grand-bain/{edition.year}/apply", data=apply_data(edition, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error in page.replace("&#39;", "'")
    assert "Chaussée de Bruxelles 10" in page  # what was typed is kept
    assert count(Offer) == 0 and count(Slot) == 0


def test_the_call_takes_at_most_the_editions_slots_per_service(client, edition):
    extra = {}
    for n in range(4):
        extra |= {
            f"slots-{n}-day": edition.week_start.isoformat(),
            f"slots-{n}-start": f"{9 + n:02d}:00",
            f"slots-{n}-end": f"{9 + n:02d}:45",
            f"slots-{n}-places": "4",
        }
    response = client.post(f"/grand-bain/{edition.year}/apply", data=apply_data(edition, **extra))
    assert response.status_code == 422
    assert "Au plus 3 créneaux" in response.get_data(as_text=True)
    assert count(Offer) == 0


def test_the_host_edits_its_offer_until_accepted(client, edition):
    response = client.post(f"/grand-bain/{edition.year}/apply", data=apply_data(edition))
    assert response.status_code == 303
    url = response.headers["Location"].split("?")[0]
    form = client.get(url).get_data(as_text=True)
    assert "Maison médicale Les Primevères" in form and 'value="09:00"' in form
    changed = apply_data(edition, name="Maison médicale Les Primevères (Forest)")
    assert client.post(url, data=changed).status_code == 200
    assert db.session.scalar(select(Offer.name)).endswith("(Forest)")
    with unit_of_work("accept"):
        db.session.scalar(select(Offer)).status = OfferStatus.ACCEPTED
    assert client.post(url, data=apply_data(edition, name="Autre")).status_code == 409
    assert db.session.scalar(select(Offer.name)).endswith("(Forest)")


def test_the_api_lists_published_offers_with_their_slots(client, edition, make_offer, person):
    offer = make_offer(slots=[(0, "09:00", "10:00", 5)])
    make_offer("En attente", status=OfferStatus.SUBMITTED, email="w@x.be")
    rules.book(edition.id, [offer.slots[0].id], person())
    data = client.get(f"/api/v1/grand-bain/{edition.year}/offers").get_json()
    (item,) = data["items"]
    assert item["name"] == "Maison médicale du Midi"
    (slot,) = item["slots"]
    assert (slot["id"], slot["capacity"], slot["booked"]) == (offer.slots[0].id, 5, 1)
    assert slot["start"].endswith(("+01:00", "+02:00"))
    assert client.get("/api/v1/grand-bain/1990/offers").status_code == 404


def test_the_call_removes_bidirectional_and_zero_width_characters_from_names(client, edition):
    changes = {"name": "Maison\u200b médicale\u202e Les Primevères", "contact_name": "\u2067Sophie"}
    response = client.post(f"/grand-bain/{edition.year}/apply", data=apply_data(edition, **changes))
    assert response.status_code == 303
    offer = db.session.scalar(select(Offer))
    assert (offer.name, offer.contact_name) == ("Maison médicale Les Primevères", "Sophie")
