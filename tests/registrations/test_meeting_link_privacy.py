"""The online meeting link is never public (issue 26, point 3).

A crawler walks every public page, the API, the embed and every public feed of an online
and a hybrid event, in French and Dutch, following every link it finds, and never meets the
link; an open webinar whose team published its link is the control (the crawler does see
pages). Then the confirmed online participant finds the link in her mail, her reminder, her
personal page (from an hour before) and her personal feed; a waitlisted online participant
and an on-site one find it nowhere.
"""

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from tests.edge import rules
from tests.factories import morning_in
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.registrations import jobs

ONLINE_LINK = "https://visio.example.org/online-secret-7f3a"
HYBRID_LINK = "https://visio.example.org/hybrid-secret-91bc"
WEBINAR_LINK = "https://visio.example.org/open-webinar"
# An event without registration whose team did not publish its link.
KEPT_LINK = "https://visio.example.org/kept-secret-5d21"
BASE = "http://agenda.test"
# Never crawled: the back office, signing in, and what a person's token opens.
PRIVATE_PREFIXES = ("/admin", "/login", "/logout", "/registrations/", "/calendar/", "/static/")
HREF = re.compile(r"""(?:href|src|action)=["']([^"'#]+)""")
ABSOLUTE = re.compile(re.escape(BASE) + r"""(/[^"'\s<>\\]*)""")


@pytest.fixture
def meetings(make_event, person):
    start = morning_in(days=5)
    online = make_event(
        "Webinaire réseau",
        mode="online",
        online_capacity=1,
        online_url=ONLINE_LINK,
        commune=None,
        start=start,
        series_slug="webinaires-sud",
        kind="webinaire",
    )
    hybrid = make_event(
        "Concertation hybride",
        mode="hybrid",
        capacity=1,
        online_capacity=5,
        online_url=HYBRID_LINK,
        start=start + timedelta(days=1),
        series_slug="webinaires-sud",
    )
    webinar = make_event(
        "Webinaire ouvert",
        mode="online",
        registration_mode="none",
        online_url=WEBINAR_LINK,
        online_url_public=True,
        commune=None,
        start=start + timedelta(days=2),
    )
    make_event(
        "Webinaire sans inscription",
        mode="online",
        registration_mode="none",
        online_url=KEPT_LINK,
        commune=None,
        start=start + timedelta(days=3),
    )
    people = {
        "online": rules.register(online.id, person(1)).registration,
        "online_waiting": rules.register(online.id, person(2)).registration,
        "hybrid_online": rules.register(hybrid.id, person(3), mode="online").registration,
        "hybrid_onsite": rules.register(hybrid.id, person(4), mode="onsite").registration,
    }
    return online, hybrid, webinar, people


def _links(body):
    found = set(HREF.findall(body)) | set(ABSOLUTE.findall(body))
    for raw in found:
        raw = raw.replace("&amp;", "&")
        parts = urlsplit(raw)
        if parts.netloc and parts.netloc != "agenda.test":
            continue
        if parts.scheme and parts.scheme not in ("http", "https"):
            continue
        path = parts.path or "/"
        if not path.startswith("/") or path.startswith(PRIVATE_PREFIXES):
            continue
        yield path + (f"?{parts.query}" if parts.query else "")


def crawl(client, seeds, limit=400):
    """Every public URL reachable from the seeds (GET, same site): {url: body}."""
    seen, queue, bodies = set(), list(seeds), {}
    while queue and len(bodies) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = response.get_data(as_text=True)
        bodies[url] = body
        queue.extend(link for link in _links(body) if link not in seen)
    return bodies


def public_seeds(app, events):
    """The public surface: the pages, API, embed and feeds of the URL map that take no
    token, with the events' ids and the bassin, in both languages."""
    seeds = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(PRIVATE_PREFIXES):
            continue
        if rule.endpoint.startswith(("admin.", "auth.")) or "token" in rule.arguments:
            continue
        if rule.arguments - {"event_id", "bassin", "slug"}:
            continue
        for event in events if "event_id" in rule.arguments else [None]:
            values = {"bassin": "sud", "slug": "webinaires-sud"}
            if event is not None:
                values["event_id"] = event.id
            path = rule.rule
            for name, value in values.items():
                path = re.sub(rf"<(?:[^:>]+:)?{name}>", str(value), path)
            seeds += [path, f"{path}?lang=nl"]
    return seeds


def test_no_public_page_api_embed_or_feed_shows_the_link(app, client, meetings):
    online, hybrid, webinar, _people = meetings
    bodies = crawl(client, public_seeds(app, [online, hybrid, webinar]))
    assert len(bodies) > 60  # pages, feeds, API answers, embed, in both languages
    for must in (
        f"/events/{online.id}",
        f"/events/{hybrid.id}?lang=nl",
        f"/events/{online.id}.ics",
        "/agenda.ics",
        "/bassins/sud/agenda.ics",
        "/series/webinaires-sud.ics",
        f"/api/v1/events/{hybrid.id}",
        "/api/v1/events",
        "/embed/bassins/sud",
        f"/events/{hybrid.id}/register",
    ):
        assert must in bodies, must
    for url, body in bodies.items():
        for secret in (ONLINE_LINK, HYBRID_LINK, KEPT_LINK, "-secret"):
            assert secret not in body, f"{secret} on {url}"
    # The control: the crawler reads the same pages that show an open webinar's link.
    assert WEBINAR_LINK in bodies[f"/events/{webinar.id}"]
    assert WEBINAR_LINK in bodies[f"/events/{webinar.id}.ics"]
    api = json.loads(bodies[f"/api/v1/events/{webinar.id}"])
    assert api["online_url"] == WEBINAR_LINK
    hybrid_api = json.loads(bodies[f"/api/v1/events/{hybrid.id}"])
    assert hybrid_api["mode"] == "hybrid" and hybrid_api["online_url"] is None
    assert {p["mode"]: p["places_left"] for p in hybrid_api["places"]} == {
        "onsite": 0,
        "online": 4,
    }


def mails_to(registration):
    return " ".join(
        (m.body_text or "") + (m.body_html or "") + (m.ics or "")
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == registration.email)
        )
    )


def personal_feed(client, registration):
    response = client.get(f"/calendar/{registration.calendar_token}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.data).walk("VEVENT")[0]


def test_only_the_confirmed_online_participants_get_the_link(app, client, meetings):
    online, hybrid, _webinar, people = meetings
    # Both within 48 hours: every confirmed person is reminded (the waitlisted one is not).
    with time_machine.travel(hybrid.start_at - timedelta(hours=47), tick=False):
        assert jobs.send_reminders() == 3
    reminders = {
        m.recipient: m.body_text + m.body_html + m.ics
        for m in db.session.scalars(select(OutboxMessage)).all()
        if m.subject.startswith("Rappel")
    }
    assert ONLINE_LINK in reminders[people["online"].email]
    assert HYBRID_LINK in reminders[people["hybrid_online"].email]
    assert HYBRID_LINK not in reminders[people["hybrid_onsite"].email]
    holders = {"online": ONLINE_LINK, "hybrid_online": HYBRID_LINK}
    for name, registration in people.items():
        link = holders.get(name)
        event = registration.event
        entry = personal_feed(client, registration)
        # The page: not before the hour before the start; then for the participant only.
        with time_machine.travel(event.start_at - timedelta(hours=2), tick=False):
            early = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
        with time_machine.travel(event.start_at - timedelta(minutes=50), tick=False):
            page = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
        for secret in (ONLINE_LINK, HYBRID_LINK):
            assert secret not in early
        if link:
            assert link in mails_to(registration)
            assert link in page and "data-meeting-link" in page
            assert link in str(entry["DESCRIPTION"]) and str(entry["CONFERENCE"]) == link
            assert str(entry["LOCATION"]) == "En ligne"
        else:
            for secret in (ONLINE_LINK, HYBRID_LINK):
                assert secret not in mails_to(registration), name
                assert secret not in page, name
                assert secret not in entry.to_ical().decode(), name
            assert "CONFERENCE" not in entry
