"""Service accounts manage what their organisation organises: its events' participants and
check-in, its Grand Bain offers (an offer of the public call is linked to an organisation at
moderation, duplicates found by name and address); never another organisation's people."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.admin.conftest import sign_in
from tests.edge import rules
from tests.factories import PERSON, morning_in
from webapp.agenda.models import Commune, Organisation
from webapp.extensions import db
from webapp.grandbain import offer_organisation
from webapp.grandbain.models import Edition, Offer, Slot
from webapp.timezones import utcnow


@pytest.fixture
def midi(app, make_staff):
    organisation = Organisation(name="Maison médicale du Midi")
    db.session.add(organisation)
    db.session.commit()
    client = sign_in(app.test_client(), make_staff("service", organisation=organisation.name))
    return organisation, client


def test_a_service_manages_the_participants_and_check_in_of_its_events(midi, make_event):
    organisation, service = midi
    own = make_event(
        title="Atelier du Midi", organiser=organisation, capacity=10, start=morning_in(3)
    )
    other = make_event(title="Atelier d'un autre service", capacity=10, start=morning_in(3))
    mine = rules.register(own.id, {**PERSON, "last_name": "Visible"}).registration
    rules.register(other.id, {**PERSON, "last_name": "Invisible", "email": "x@example.org"})
    page = service.get(f"/admin/events/{own.id}/participants").get_data(as_text=True)
    assert "Visible" in page and "Invisible" not in page
    assert service.get(f"/admin/events/{own.id}/attendance").status_code == 200
    assert (
        service.get(f"/admin/events/{own.id}/participants.csv?column=last_name").status_code == 200
    )
    for path in ("participants", "attendance", "participants.csv?column=last_name"):
        response = service.get(f"/admin/events/{other.id}/{path}")
        assert response.status_code == 404 and "Invisible" not in response.get_data(as_text=True)
    response = service.post(
        f"/admin/events/{own.id}/participants/{mine.id}/cancel", data={"confirm": "yes"}
    )
    assert response.status_code == 303
    hub = service.get(f"/admin/events/{own.id}").get_data(as_text=True)
    assert (
        f"/admin/events/{own.id}/participants" in hub and f"/admin/events/{own.id}/edit" not in hub
    )


def offer(name, address="Rue Haute 10", commune="forest", year=2031, organisation=None):
    edition = db.session.scalar(select(Edition).where(Edition.year == year))
    if edition is None:
        edition = Edition(year=year, week_start=date(year, 10, 13), week_end=date(year, 10, 17))
    found = Offer(
        edition=edition,
        name=name,
        sector="maison-medicale",
        address=address,
        commune=db.session.scalar(select(Commune).where(Commune.slug == commune)),
        discover_fr="x",
        contact_name="A",
        contact_email="a@example.org",
        status="submitted",
        organisation=organisation,
        slots=[
            Slot(
                start_at=utcnow() + timedelta(days=30),
                end_at=utcnow() + timedelta(days=30, hours=1),
                capacity=5,
            )
        ],
    )
    db.session.add(found)
    db.session.commit()
    return found


def test_duplicates_are_found_by_name_and_by_address(midi):
    organisation, _service = midi
    offer(
        "Maison Médicale du Midi (antenne)",
        address="Rue de l'Autre 1",
        year=2030,
        organisation=organisation,
    )
    called = offer("MAISON MEDICALE DU MIDI")
    moved = offer("Un nom tout autre", address="Rue de l'autre  1")
    assert offer_organisation.candidates(called) == [(organisation, ["name"])]
    assert offer_organisation.candidates(moved) == [(organisation, ["address"])]


def test_the_team_links_an_offer_and_the_service_finds_it(app, client, midi, make_staff):
    organisation, service = midi
    called = offer("Maison médicale du Midi")
    sud = sign_in(client, make_staff("bassin", bassins=("sud",)))
    assert service.get(f"/admin/grand-bain/offers/{called.id}").status_code == 404
    page = sud.get(f"/admin/grand-bain/offers/{called.id}").get_data(as_text=True)
    assert f'value="{organisation.id}"' in page and "même nom" in page
    response = sud.post(
        f"/admin/grand-bain/offers/{called.id}/organisation", data={"organisation": organisation.id}
    )
    assert response.status_code == 303
    assert service.get(f"/admin/grand-bain/offers/{called.id}").status_code == 200
    assert "Maison médicale du Midi" in service.get("/admin/grand-bain/").get_data(as_text=True)


def test_a_new_organisation_is_created_unless_one_has_that_name(app, client, midi, make_staff):
    organisation, _service = midi
    sud = sign_in(client, make_staff("bassin", bassins=("sud",)))
    fresh = offer("Service de santé mentale Le Méridien")
    sud.post(
        f"/admin/grand-bain/offers/{fresh.id}/organisation",
        data={"organisation": "new", "new_name": "SSM Le Méridien"},
    )
    db.session.expire_all()
    assert db.session.get(Offer, fresh.id).organisation.name == "SSM Le Méridien"
    again = offer("Autre offre")
    sud.post(
        f"/admin/grand-bain/offers/{again.id}/organisation",
        data={"organisation": "new", "new_name": "maison medicale du midi"},
    )
    db.session.expire_all()
    assert db.session.get(Offer, again.id).organisation_id == organisation.id  # no second one
    count = db.session.scalars(select(Organisation)).all()
    assert len(count) == 2


def test_another_bassin_cannot_link_nor_see_the_offer(app, client, midi, make_staff):
    organisation, _service = midi
    called = offer("Maison médicale du Midi")
    nord = sign_in(client, make_staff("bassin", bassins=("nord",)))
    response = nord.post(
        f"/admin/grand-bain/offers/{called.id}/organisation", data={"organisation": organisation.id}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Offer, called.id).organisation_id is None
