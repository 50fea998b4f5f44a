"""The personal page behind a token: what it says, its calendar choices, and the second step
before cancelling or erasing (a page with a form: no JavaScript needed)."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.edge import rules
from webapp.extensions import db
from webapp.registrations.models import Registration


def page_of(client, registration, suffix=""):
    response = client.get(f"/registrations/{registration.token}{suffix}")
    return response, response.get_data(as_text=True)


def hrefs(page):
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def status_of(registration_id):
    db.session.expire_all()
    return db.session.get(Registration, registration_id).status


def test_the_page_says_its_link_was_emailed_and_should_be_kept(client, make_event, person):
    registration = rules.register(make_event(capacity=3).id, person(1)).registration
    _, page = page_of(client, registration)
    assert "Le lien de cette page vous a été envoyé par e-mail" in unescape(page)
    assert "Gardez ce message" in page


def test_cancelling_asks_for_confirmation_first_and_changes_nothing(client, make_event, person):
    registration = rules.register(make_event(capacity=3).id, person(1)).registration
    _, page = page_of(client, registration)
    cancel_url = f"/registrations/{registration.token}/cancel"
    assert cancel_url in hrefs(page)  # a link to the second step, not a one-click form
    response, confirm = page_of(client, registration, "/cancel")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert re.search(rf'<form method="post" action="{re.escape(cancel_url)}"', confirm)
    assert "Oui, annuler mon inscription" in confirm
    assert f'href="/registrations/{registration.token}"' in confirm  # "Non, revenir"
    assert status_of(registration.id) == "confirmed"
    assert client.post(cancel_url).status_code == 303
    assert status_of(registration.id) == "cancelled"


def test_erasing_asks_for_confirmation_first_and_changes_nothing(client, make_event, person):
    registration = rules.register(make_event(capacity=3).id, person(1)).registration
    erase_url = f"/registrations/{registration.token}/erase"
    _, page = page_of(client, registration)
    assert erase_url in hrefs(page)
    response, confirm = page_of(client, registration, "/erase")
    assert response.status_code == 200
    assert re.search(rf'<form method="post" action="{re.escape(erase_url)}"', confirm)
    assert "Oui, effacer mes données" in unescape(confirm)
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).email == "anne.1@example.org"
    client.post(erase_url)
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).email is None
    # Nothing left to erase: the second step leads back to the page.
    assert page_of(client, registration, "/erase")[0].status_code == 303


def test_a_waitlisted_person_is_offered_to_leave_the_waitlist(client, make_event, person):
    event = make_event(capacity=1)
    rules.register(event.id, person(1))
    waiting = rules.register(event.id, person(2)).registration
    page = unescape(page_of(client, waiting)[1])
    assert "Quitter la liste d'attente" in page
    assert "Libérez votre place" not in page
    confirm = unescape(page_of(client, waiting, "/cancel")[1])
    assert "Oui, quitter la liste d'attente" in confirm


def test_a_pending_person_is_offered_to_withdraw_the_request(client, make_event, person):
    pending = rules.register(make_event(registration_mode="approval").id, person(1)).registration
    page = unescape(page_of(client, pending)[1])
    assert "Retirer ma demande" in page and "Libérez votre place" not in page
    assert "Oui, retirer ma demande" in unescape(page_of(client, pending, "/cancel")[1])


def test_after_cancelling_the_page_offers_to_register_again(client, make_event, person):
    event = make_event(capacity=3)
    registration = rules.register(event.id, person(1)).registration
    response = client.post(f"/registrations/{registration.token}/cancel")
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "S'inscrire à nouveau" in page
    assert f"/events/{event.id}/register" in hrefs(page)
    # The second step of a cancelled registration leads back to the page.
    assert page_of(client, registration, "/cancel")[0].status_code == 303


def test_no_register_again_link_once_the_event_takes_no_registrations(client, make_event, person):
    event = make_event(capacity=3)
    registration = rules.register(event.id, person(1)).registration
    rules.cancel(registration.id)
    event.registration_mode = "none"
    db.session.commit()
    page = unescape(page_of(client, registration)[1])
    assert "S'inscrire à nouveau" not in page


def test_the_calendar_choices_add_the_event_and_follow_the_registration(client, make_event, person):
    event = make_event(title="Formation Diogène", capacity=1)
    rules.register(event.id, person(1))
    waiting = rules.register(event.id, person(2)).registration
    page = page_of(client, waiting)[1]
    links = hrefs(page)
    google = next(h for h in links if "action=TEMPLATE" in h)
    assert parse_qs(urlsplit(google).query)["text"] == ["Formation Diogène (liste d'attente)"]
    assert any("outlook.live.com/calendar/0/deeplink/compose" in h for h in links)
    assert f"http://agenda.test/events/{event.id}.ics?lang=fr" in links
    webcal = f"webcal://agenda.test/calendar/{waiting.calendar_token}.ics?lang=fr"
    assert webcal in links
    for words in ("Android / Google Agenda", "iPhone, Mac, Thunderbird : fichier .ics"):
        assert words in page


class TestWithCSRF:
    @pytest.fixture
    def app_config(self, smtp):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_confirmation_form_carries_its_csrf_token(self, client, make_event, person):
        registration = rules.register(make_event(capacity=3).id, person(1)).registration
        confirm = page_of(client, registration, "/cancel")[1]
        token = re.search(r'name="csrf_token" value="([^"]+)"', confirm).group(1)
        url = f"/registrations/{registration.token}/cancel"
        assert client.post(url).status_code == 400
        assert status_of(registration.id) == "confirmed"
        assert client.post(url, data={"csrf_token": token}).status_code == 303
        assert status_of(registration.id) == "cancelled"
