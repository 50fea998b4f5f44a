"""The JSON API: filters, pagination, links, errors as JSON, CORS, no cookies."""

from webapp.agenda.models import Event
from webapp.extensions import db


def test_events_list_is_paginated_with_links(client, make_event):
    for _ in range(3):
        make_event()
    first = client.get("/api/v1/events?per_page=2").get_json()
    assert first["total"] == 3
    assert first["pages"] == 2
    assert len(first["items"]) == 2
    assert first["links"]["prev"] is None
    second = client.get(first["links"]["next"].removeprefix("http://agenda.test")).get_json()
    assert len(second["items"]) == 1
    assert second["links"]["next"] is None
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(ids)) == 3


def test_events_carry_links_to_the_page_and_the_ics(client, make_event):
    event = make_event()
    (item,) = client.get("/api/v1/events").get_json()["items"]
    assert item["links"] == {
        "html": f"http://agenda.test/events/{event.id}",
        "ics": f"http://agenda.test/events/{event.id}.ics",
    }
    assert client.get(f"/events/{event.id}.ics").status_code == 200


def test_events_use_the_agenda_filters(client, make_event):
    kept = make_event(kind="formation", bassins=("nord",), commune="schaerbeek")
    make_event(kind="formation", bassins=("sud",))
    make_event(kind="concertation", bassins=("nord",), commune="schaerbeek")
    data = client.get("/api/v1/events?bassin=nord&kind=formation").get_json()
    assert [i["id"] for i in data["items"]] == [kept.id]
    assert data["links"]["ics"].endswith("/bassins/nord/agenda.ics?kind=formation")


def test_invalid_filters_and_pages_are_a_400_listing_the_problems(client, make_event):
    make_event()
    response = client.get("/api/v1/events?kind=nope&from=yesterday&per_page=1000&page=x")
    assert response.status_code == 400
    assert set(response.get_json()["problems"]) == {"kind", "from", "per_page", "page"}


def test_one_event_with_its_dates_and_drafts_hidden(client, make_event):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    draft = make_event(status="draft")
    data = client.get(f"/api/v1/events/{event.id}").get_json()
    assert data["id"] == event.id
    assert len(data["dates"]) == 3
    missing = client.get(f"/api/v1/events/{draft.id}")
    assert missing.status_code == 404
    assert missing.get_json()["status"] == 404


def test_unknown_api_url_answers_json_404(client, app):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_bassins_list_the_five_with_their_links(client, territory):
    items = client.get("/api/v1/bassins").get_json()["items"]
    assert [b["slug"] for b in items] == ["centre-ouest", "nord", "nord-est", "sud", "sud-est"]
    assert items[3]["links"]["ics"] == "http://agenda.test/bassins/sud/agenda.ics"


def test_api_is_open_to_every_origin_and_sets_no_cookie(client, make_event):
    make_event()
    response = client.get("/api/v1/events?lang=nl", headers={"Origin": "https://partner.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    assert response.get_json()["language"] == "nl"


def test_cancelled_event_is_listed_as_cancelled(client, make_event):
    event = make_event()
    db.session.get(Event, event.id).status = "cancelled"
    db.session.commit()
    (item,) = client.get("/api/v1/events").get_json()["items"]
    assert item["cancelled"] is True
    assert item["status"] == "cancelled"
