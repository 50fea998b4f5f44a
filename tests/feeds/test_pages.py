"""The *Ajouter à mon agenda* block, the how-to page and the embeddable agenda."""

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit


def hrefs(page):
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_bassin_page_offers_webcal_https_google_and_outlook_with_its_filters(client, make_event):
    make_event(kind="formation")
    page = client.get("/bassins/sud/?kind=formation").get_data(as_text=True)
    assert "S'abonner dans mon agenda" in page
    links = hrefs(page)
    # The calendar client fetches it without the visitor's language: the link carries it.
    feed = "http://agenda.test/bassins/sud/agenda.ics?kind=formation&lang=fr"
    assert "webcal://agenda.test/bassins/sud/agenda.ics?kind=formation&lang=fr" in links
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


def test_a_series_page_offers_a_subscription_to_its_feed(client, make_event):
    make_event(series_slug="sud-liaison")
    series_page = client.get("/series/sud-liaison").get_data(as_text=True)
    assert "webcal://agenda.test/series/sud-liaison.ics?lang=fr" in hrefs(series_page)
    assert client.get("/series/sud-liaison.ics").status_code == 200


def test_an_event_page_adds_the_event_rather_than_subscribing_to_a_calendar_of_one(
    client, make_event
):
    event = make_event(title="Concertation #4", start=datetime(2031, 3, 23, 12, tzinfo=UTC))
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    links = hrefs(page)
    assert not any(h.startswith("webcal:") or "cid=" in h or "addfromweb" in h for h in links)
    google = parse_qs(urlsplit(next(h for h in links if "calendar.google.com" in h)).query)
    assert google["action"] == ["TEMPLATE"]
    assert google["text"] == ["Concertation #4"]
    assert google["dates"][0].startswith("20310323T120000Z/")
    assert f"http://agenda.test/events/{event.id}?lang=fr" in google["details"][0]
    outlook = parse_qs(urlsplit(next(h for h in links if "outlook.live.com" in h)).query)
    assert outlook["subject"] == ["Concertation #4"]
    assert outlook["startdt"] == ["2031-03-23T12:00:00Z"]
    assert f"http://agenda.test/events/{event.id}.ics?lang=fr" in links
    for words in ("Android / Google Agenda", "Outlook", "iPhone, Mac, Thunderbird : fichier .ics"):
        assert words in page


def test_a_title_with_ampersand_question_mark_and_hash_stays_one_value(client, make_event):
    title = "Santé & précarité ? #2 / 100% = ok"
    event = make_event(title=title)
    links = hrefs(client.get(f"/events/{event.id}").get_data(as_text=True))
    google = next(h for h in links if "calendar.google.com" in h)
    outlook = next(h for h in links if "outlook.live.com" in h)
    for link, key in ((google, "text"), (outlook, "subject")):
        parts = urlsplit(link)
        assert parts.fragment == ""
        assert parse_qs(parts.query)[key] == [title]


def test_a_recurring_event_page_offers_a_subscription(client, make_event):
    event = make_event(rrule="FREQ=MONTHLY;BYDAY=3MO")
    links = hrefs(client.get(f"/events/{event.id}").get_data(as_text=True))
    assert f"webcal://agenda.test/events/{event.id}.ics?lang=fr" in links


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
