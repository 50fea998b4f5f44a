"""The *Ajouter à mon agenda* block, the how-to page and the embeddable agenda."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit


def hrefs(page):
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_bassin_page_offers_webcal_https_google_and_outlook_with_its_filters(client, make_event):
    make_event(kind="formation")
    page = client.get("/bassins/sud/?kind=formation").get_data(as_text=True)
    assert "Ajouter à mon agenda" in page
    links = hrefs(page)
    feed = "http://agenda.test/bassins/sud/agenda.ics?kind=formation"
    assert "webcal://agenda.test/bassins/sud/agenda.ics?kind=formation" in links
    assert f'value="{feed}"' in unescape(page)
    google = next(h for h in links if h.startswith("https://calendar.google.com/"))
    assert parse_qs(urlsplit(google).query)["cid"] == [feed.replace("http://", "webcal://")]
    outlook = next(h for h in links if h.startswith("https://outlook.live.com/"))
    assert parse_qs(urlsplit(outlook).query)["url"] == [feed]
    assert client.get(feed.removeprefix("http://agenda.test")).status_code == 200


def test_bassin_page_gives_an_iframe_snippet_of_the_embed(client, make_event):
    make_event()
    page = unescape(client.get("/bassins/sud/").get_data(as_text=True))
    assert '<iframe src="http://agenda.test/embed/bassins/sud"' in page


def test_series_and_event_pages_offer_their_own_feed(client, make_event):
    event = make_event(series_slug="sud-liaison")
    series_page = client.get("/series/sud-liaison").get_data(as_text=True)
    assert "webcal://agenda.test/series/sud-liaison.ics" in hrefs(series_page)
    event_page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"webcal://agenda.test/events/{event.id}.ics" in hrefs(event_page)
    assert client.get("/series/sud-liaison.ics").status_code == 200


def test_how_to_page_covers_the_four_clients(client, territory):
    page = client.get("/aide/calendrier").get_data(as_text=True)
    for name in ("Google Agenda", "Outlook", "Apple", "Thunderbird"):
        assert f">{name}" in page


def test_how_to_page_in_dutch_still_renders(client, territory):
    response = client.get("/aide/calendrier?lang=nl")
    assert response.status_code == 200
    assert 'lang="nl"' in response.get_data(as_text=True)


def test_embed_lists_the_bassins_events_without_cookies(client, make_event):
    kept = make_event(title="Concertation visible à Forest", kind="formation")
    make_event(title="Autre bassin", bassins=("nord",), commune="schaerbeek")
    make_event(title="Autre type", kind="concertation")
    response = client.get("/embed/bassins/sud?kind=formation&lang=nl")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert kept.title_fr in page
    assert "Autre bassin" not in page
    assert "Autre type" not in page
    assert f'href="http://agenda.test/events/{kept.id}"' in page
    assert 'target="_blank"' in page


def test_embed_of_an_unknown_bassin_is_a_404(client, territory):
    assert client.get("/embed/bassins/atlantide").status_code == 404


def test_embed_is_served_from_the_page_cache_with_its_own_policy(client, make_event):
    from webapp.agenda.models import Event
    from webapp.extensions import db

    event = make_event(title="Rendez-vous prévention Etterbeek", kind="rdv-prevention")
    first = client.get("/embed/bassins/sud")
    second = client.get("/embed/bassins/sud", headers={"If-None-Match": first.headers["ETag"]})
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in first.headers
    assert second.status_code == 304
    db.session.get(Event, event.id).title_fr = "Rendez-vous prévention (Chambéry)"
    db.session.commit()
    assert "Rendez-vous prévention (Chambéry)" in client.get("/embed/bassins/sud").text
