"""Absolute links come from BASE_URL, path prefix included, with or without a request."""

import re

import pytest
from sqlalchemy import select

from tests.edge import rules
from tests.factories import PERSON
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.urls import absolute_url, base_host, base_url

PREFIXED = "https://agenda.example/bassins"
# The app itself mounted under /bassins (gunicorn's SCRIPT_NAME behind the proxy).
MOUNTED = {"environ_overrides": {"SCRIPT_NAME": "/bassins"}}


@pytest.fixture
def app_config():
    return {"BASE_URL": PREFIXED}


def test_links_without_a_request_carry_the_prefix(app):
    assert absolute_url("agenda.event", event_id=7) == f"{PREFIXED}/events/7"
    assert absolute_url("agenda.bassin", bassin="sud", kind="formation", page=2) == (
        f"{PREFIXED}/bassins/sud/?kind=formation&page=2"
    )
    assert base_url() == PREFIXED
    assert base_host() == "agenda.example"


def test_links_in_a_mounted_request_do_not_repeat_the_prefix(app):
    with app.test_request_context("/events/7", base_url="https://agenda.example/bassins"):
        assert absolute_url("agenda.event", event_id=7) == f"{PREFIXED}/events/7"


def test_links_follow_a_changed_base_url(app):
    assert absolute_url("agenda.event", event_id=1) == f"{PREFIXED}/events/1"
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    assert absolute_url("agenda.event", event_id=1) == "http://127.0.0.1:5000/events/1"


def test_a_mail_links_the_personal_page_feed_and_event_under_the_prefix(app, make_event):
    event = make_event(capacity=5)
    registration = rules.register(event.id, PERSON).registration
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()
    for body in (message.body_text, message.body_html):
        assert f"{PREFIXED}/registrations/{registration.token}?lang=fr" in body
        assert f"{PREFIXED}/calendar/{registration.mailbox_token}.ics?lang=fr" in body
        assert f"{PREFIXED}/events/{event.id}?lang=fr" in body
    assert f"URL;VALUE=URI:{PREFIXED}/events/{event.id}?lang=fr\r\n" in message.ics


def test_a_feed_links_each_event_under_the_prefix(client, make_event):
    event = make_event()
    for url in (f"/events/{event.id}.ics", "/bassins/sud/agenda.ics"):
        body = client.get(url, **MOUNTED).get_data(as_text=True)
        assert f"URL;VALUE=URI:{PREFIXED}/events/{event.id}?lang=fr\r\n" in body
        assert f"UID:event-{event.id}@agenda.example\r\n" in body


def test_the_embed_links_back_under_the_prefix_once(client, make_event):
    event = make_event(kind="formation")
    page = client.get("/embed/bassins/sud?kind=formation", **MOUNTED).get_data(as_text=True)
    assert f'href="{PREFIXED}/events/{event.id}"' in page
    assert f'href="{PREFIXED}/bassins/sud/?kind=formation"' in page
    assert f'href="{PREFIXED}/bassins/sud/"' in page
    assert "/bassins/bassins/bassins/" not in page


def test_the_personal_page_offers_its_feed_under_the_prefix(client, make_event):
    registration = rules.register(make_event(capacity=5).id, PERSON).registration
    db.session.commit()
    page = client.get(f"/registrations/{registration.token}", **MOUNTED).get_data(as_text=True)
    webcal = f"webcal://agenda.example/bassins/calendar/{registration.calendar_token}.ics?lang=fr"
    assert f'href="{webcal}"' in page


def test_api_and_subscription_links_are_under_the_prefix(client, make_event):
    make_event()
    bassins = client.get("/api/v1/bassins").get_json()["items"]
    sud = next(b for b in bassins if b["slug"] == "sud")["links"]
    assert sud == {
        "html": f"{PREFIXED}/bassins/sud/",
        "ics": f"{PREFIXED}/bassins/sud/agenda.ics",
        "events": f"{PREFIXED}/api/v1/events?bassin=sud",
        "embed": f"{PREFIXED}/embed/bassins/sud",
    }
    page = client.get("/bassins/sud/").get_data(as_text=True)
    assert "webcal://agenda.example/bassins/bassins/sud/agenda.ics" in page
    assert not re.search(r'href="https?://[^"]*/bassins/bassins/bassins/', page)
