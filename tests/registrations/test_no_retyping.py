"""No retyping (issue 26, point 4): the person fields carry their autocomplete tokens; from
her personal page a person registers to another activity with her details prefilled through
her own session, never through a URL; a hybrid event's form asks how she attends."""

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from tests.edge import personal_data, rules
from webapp.extensions import db
from webapp.registrations.models import Registration

TOKENS = {
    "first_name": "given-name",
    "last_name": "family-name",
    "email": "email",
    "organisation": "organization",
    "job_title": "organization-title",
}


def autocomplete_of(html):
    """{input name: its autocomplete token} of a page's inputs."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        token = re.search(r'autocomplete="([^"]+)"', tag)
        if name:
            found[name.group(1)] = token.group(1) if token else None
    return found


def value_of(html, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


def test_the_registration_form_carries_the_autocomplete_tokens(client, make_event):
    event = make_event(capacity=5)
    html = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    tokens = autocomplete_of(html)
    assert {name: tokens[name] for name in TOKENS} == TOKENS


def test_the_proposal_form_names_its_person_for_the_browser(client, territory):
    tokens = autocomplete_of(client.get("/propose").get_data(as_text=True))
    assert tokens["submitter_name"] == "name"
    assert tokens["submitter_email"] == "email"
    assert tokens["organisation_name"] == "organization"


def test_a_person_registers_again_with_her_details_prefilled(client, app, make_event, person):
    first = make_event("Concertation santé mentale", capacity=5)
    second = make_event("Formation Diogène", capacity=5)
    registration = rules.register(first.id, person(1)).registration
    response = client.post(f"/registrations/{registration.token}/reuse")
    assert response.status_code == 303
    # Nothing of the person in the address the browser goes to.
    location = response.headers["Location"]
    for value in person(1).values():
        assert value not in location
    assert registration.token not in location
    html = client.get(f"/events/{second.id}/register").get_data(as_text=True)
    assert "data-prefilled" in html and "Concertation santé mentale" in html
    assert value_of(html, "first_name") == "Anne"
    assert value_of(html, "last_name") == "Peeters1"
    assert value_of(html, "email") == "anne.1@example.org"
    assert value_of(html, "job_title") == "Assistante sociale"
    assert '<option selected value="cpas">' in html
    # Another browser (no such session) gets an empty form; the page is never stored.
    stranger = app.test_client().get(f"/events/{second.id}/register")
    assert "anne.1@example.org" not in stranger.get_data(as_text=True)
    assert "no-store" in stranger.headers["Cache-Control"]
    # Sent as prefilled (with consent), it is a registration of its own.
    data = person(1) | {"consent": "y"}
    assert client.post(f"/events/{second.id}/register", data=data).status_code == 303
    assert db.session.scalar(
        select(Registration.status).where(
            Registration.event_id == second.id, Registration.email == "anne.1@example.org"
        )
    )


def test_the_prefill_ends_after_two_hours_on_erasure_and_on_request(client, make_event, person):
    first = make_event(capacity=5)
    second = make_event(capacity=5)
    registration = rules.register(first.id, person(1)).registration
    client.post(f"/registrations/{registration.token}/reuse")
    with time_machine.travel(timedelta(hours=2, minutes=1)):
        html = client.get(f"/events/{second.id}/register").get_data(as_text=True)
    assert "anne.1@example.org" not in html
    client.post(f"/registrations/{registration.token}/reuse")
    response = client.post("/registrations/prefill/forget", data={"event_id": str(second.id)})
    assert response.headers["Location"].endswith(f"/events/{second.id}/register")
    assert "anne.1@example.org" not in client.get(f"/events/{second.id}/register").get_data(
        as_text=True
    )
    client.post(f"/registrations/{registration.token}/reuse")
    personal_data.erase(registration.id)
    assert "anne.1@example.org" not in client.get(f"/events/{second.id}/register").get_data(
        as_text=True
    )
    # An erased registration's page offers nothing to reuse.
    assert client.post(f"/registrations/{registration.token}/reuse").status_code == 404


def test_a_hybrid_form_asks_how_one_attends_and_says_the_places(client, make_event):
    event = make_event(mode="hybrid", capacity=1, online_capacity=12, confirmed_count=1)
    html = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert 'name="mode"' in html
    assert "Sur place – complet : liste d'attente" in html
    assert "En ligne – 12 places restantes" in html
    data = {
        "first_name": "Anne",
        "last_name": "Peeters",
        "email": "anne@example.org",
        "organisation": "CPAS",
        "sector": "cpas",
        "job_title": "AS",
        "consent": "y",
    }
    refused = client.post(f"/events/{event.id}/register", data=data)
    assert refused.status_code == 422
    assert "Choisissez sur place ou en ligne." in refused.get_data(as_text=True)
    assert (
        client.post(f"/events/{event.id}/register", data=data | {"mode": "moon"}).status_code == 422
    )
    response = client.post(f"/events/{event.id}/register", data=data | {"mode": "online"})
    assert response.status_code == 303
    row = db.session.scalar(select(Registration).where(Registration.event_id == event.id))
    assert (row.mode, row.status) == ("online", "confirmed")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-place-mode="online"' in page


def test_the_agenda_card_and_page_say_the_places_of_each_way(client, make_event):
    event = make_event(
        "Concertation hybride",
        mode="hybrid",
        capacity=20,
        confirmed_count=20,
        online_capacity=80,
        online_confirmed_count=68,
    )
    card = client.get("/").get_data(as_text=True)
    assert re.search(r"Sur place : complet</span> · <span[^>]*>En ligne : places disponibles", card)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Sur place : complet" in page
    assert "En ligne : 12 places restantes sur 80" in page
    nl = client.get(f"/events/{event.id}?lang=nl").get_data(as_text=True)
    assert "Ter plaatse: volzet" in nl and "Online: 12 plaatsen vrij van de 80" in nl


def test_an_online_events_page_counts_its_online_places(client, make_event):
    event = make_event(mode="online", online_capacity=40, online_confirmed_count=3, commune=None)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "37 places restantes sur 40" in page
    card = client.get("/").get_data(as_text=True)
    assert "En ligne" in card and "Places disponibles" in card
