"""schema.org JSON-LD and shared-link cards of event and series pages: checked against the
official vocabulary (schemaorg/README.md), read back as JSON, safe inside their element,
and changed with the event."""

import json
import re
from datetime import datetime, timedelta

from lxml import html as lxml_html

from tests.agenda.schema_vocabulary import problems
from tests.factories import morning_in
from webapp.agenda import operations
from webapp.agenda.models import Organisation
from webapp.audit import SYSTEM
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work

# What Google's event search requires of an Event (developers.google.com/search/docs/
# appearance/structured-data/event): name, startDate, location.
REQUIRED = {"Event": {"name", "startDate", "location", "eventStatus", "eventAttendanceMode"}}


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _json_ld(page):
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def _meta(page):
    tree = lxml_html.fromstring(page)
    return {
        (m.get("property") or m.get("name")): m.get("content")
        for m in tree.iter("meta")
        if m.get("content") is not None
    }


def _valid(data):
    assert data["@context"] == "https://schema.org"
    assert problems(data) == []
    missing = REQUIRED.get(data["@type"], set()) - set(data)
    assert not missing, missing


def test_an_event_page_describes_the_event_in_schema_org_terms(client, make_event):
    start = morning_in(12)
    event = make_event(
        title="Concertation santé mentale",
        description_fr="Une rencontre des services du bassin.",
        start=start,
        capacity=30,
        free=True,
        languages="fr,nl",
        series_slug="sud-sante-mentale",
    )
    event.organiser = Organisation(name="Service de santé mentale Le Méridien")
    db.session.commit()
    data = _json_ld(_page(client, f"/events/{event.id}"))
    _valid(data)
    assert data["@type"] == "Event"
    assert data["name"] == "Concertation santé mentale"
    started = datetime.fromisoformat(data["startDate"])
    assert started == start and started.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert datetime.fromisoformat(data["endDate"]).utcoffset() == started.utcoffset()
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["address"]["addressLocality"] == "Forest"
    assert data["organizer"]["name"] == "Service de santé mentale Le Méridien"
    assert data["isAccessibleForFree"] is True
    assert data["inLanguage"] == ["fr", "nl"]
    assert data["remainingAttendeeCapacity"] == 30
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["superEvent"]["@type"] == "EventSeries"
    assert data["url"] == f"http://agenda.test/events/{event.id}?lang=fr"


def test_the_status_follows_cancellation_postponement_and_a_new_date(client, make_event):
    cancelled, postponed, moved = make_event(), make_event(), make_event(start=morning_in(8))
    with unit_of_work("test"):
        operations.cancel(cancelled.id, SYSTEM, notify=False)
        operations.postpone(postponed.id, SYSTEM, notify=False)
        operations.move(moved.id, morning_in(15), morning_in(15) + timedelta(hours=2), SYSTEM)
    statuses = {}
    for event in (cancelled, postponed, moved):
        data = _json_ld(_page(client, f"/events/{event.id}"))
        _valid(data)
        statuses[event.id] = data["eventStatus"].removeprefix("https://schema.org/")
    assert statuses == {
        cancelled.id: "EventCancelled",
        postponed.id: "EventPostponed",
        moved.id: "EventRescheduled",
    }
    data = _json_ld(_page(client, f"/events/{moved.id}"))
    assert datetime.fromisoformat(data["previousStartDate"]) == morning_in(8)


def test_an_online_event_is_a_virtual_location(client, make_event):
    online = make_event(
        commune=None,
        mode="online",
        online_url="https://meet.example/abc",
        online_url_public=True,
        registration_mode="none",
    )
    hybrid = make_event(mode="hybrid", online_url="https://meet.example/secret")
    # Without registration but not published by its team: the page stands for the link.
    unpublished = make_event(
        commune=None,
        mode="online",
        online_url="https://meet.example/kept",
        registration_mode="none",
    )
    kept = _json_ld(_page(client, f"/events/{unpublished.id}"))
    assert kept["location"]["@type"] == "VirtualLocation" and "kept" not in json.dumps(kept)
    data = _json_ld(_page(client, f"/events/{online.id}"))
    _valid(data)
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://meet.example/abc"}
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    data = _json_ld(_page(client, f"/events/{hybrid.id}"))
    _valid(data)
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    # With registration, the link goes to the registered only: the page stands for it.
    assert {p["@type"] for p in data["location"]} == {"Place", "VirtualLocation"}
    assert "secret" not in json.dumps(data)


def test_a_full_event_says_no_places_left(client, make_event):
    event = make_event(capacity=2, confirmed_count=2)
    data = _json_ld(_page(client, f"/events/{event.id}"))
    _valid(data)
    assert data["remainingAttendeeCapacity"] == 0
    assert data["offers"]["availability"] == "https://schema.org/SoldOut"


def test_a_repeating_event_lists_its_coming_dates(client, make_event):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    data = _json_ld(_page(client, f"/events/{event.id}"))
    _valid(data)
    assert len(data["subEvent"]) == 3


def test_a_title_that_closes_the_script_stays_inside_it(client, make_event):
    title = "</script><script>alert(1)</script>"
    event = make_event(title=title, description_fr="<!-- & -->")
    page = _page(client, f"/events/{event.id}")
    assert "<script>alert(1)" not in page
    assert page.count("</script>") == 1  # the JSON-LD's own end
    data = _json_ld(page)
    assert data["name"] == title
    assert data["description"] == "<!-- & -->"
    assert _meta(page)["og:title"] == title


def test_the_data_changes_with_the_event_within_the_cached_minute(client, make_event):
    event = make_event(title="Avant")
    assert _json_ld(_page(client, f"/events/{event.id}"))["name"] == "Avant"
    with unit_of_work("test"):
        operations.update_event(event.id, {"title_fr": "Après"}, SYSTEM)
        operations.cancel(event.id, SYSTEM, notify=False)
    data = _json_ld(_page(client, f"/events/{event.id}"))
    assert data["name"] == "Après"
    assert data["eventStatus"] == "https://schema.org/EventCancelled"


def test_shared_links_carry_title_date_and_place(client, make_event):
    event = make_event(title="Atelier du changement", start=morning_in(9))
    meta = _meta(_page(client, f"/events/{event.id}?lang=nl"))
    assert meta["og:title"] == meta["twitter:title"] == "Atelier du changement"
    assert meta["og:url"] == f"http://agenda.test/events/{event.id}?lang=nl"
    assert meta["og:locale"] == "nl_BE"
    assert meta["twitter:card"] == "summary"
    assert "Salle forest" in meta["og:description"]
    assert str(morning_in(9).astimezone().year) in meta["og:description"]


def test_a_series_page_is_an_event_series(client, make_event):
    make_event(title="Liaison #1", series_slug="sud-liaison", start=morning_in(-30))
    make_event(title="Liaison #2", series_slug="sud-liaison", start=morning_in(20))
    page = _page(client, "/series/sud-liaison")
    data = _json_ld(page)
    _valid(data)
    assert data["@type"] == "EventSeries"
    assert [e["name"] for e in data["subEvent"]] == ["Liaison #2", "Liaison #1"]
    assert _meta(page)["og:url"] == "http://agenda.test/series/sud-liaison?lang=fr"


def test_the_vocabulary_check_catches_what_schema_org_lacks():
    bad = {
        "@type": "Event",
        "name": "x",
        "startDate": "2027-01-01",
        "eventStatus": "https://schema.org/InStock",
        "seats": 3,
        "location": {"@type": "Offer"},
    }
    found = problems(bad)
    assert any("seats" in p for p in found)
    assert any("InStock" in p for p in found)
    assert any("Offer" in p for p in found)
