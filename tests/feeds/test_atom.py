"""The Atom feeds of a bassin and a series: RFC 4287 as a feed parser reads it, the same
events as the .ics, validators and 304s, XML-safe text, linked from the pages."""

from datetime import timedelta

import feedparser
from lxml import etree

from tests.factories import morning_in
from webapp.agenda import operations
from webapp.audit import SYSTEM
from webapp.unit_of_work import unit_of_work

ATOM = "{http://www.w3.org/2005/Atom}"


def _parse(response):
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_a_bassins_feed_is_valid_atom_with_one_entry_per_event(client, make_event):
    sud = make_event(title="Concertation santé mentale", start=morning_in(5), bassins=("sud",))
    make_event(title="Ailleurs", bassins=("nord",))
    recurring = make_event(
        title="Rendez-vous prévention", bassins=("sud",), rrule="FREQ=WEEKLY;COUNT=4"
    )
    parsed = _parse(client.get("/bassins/sud/agenda.atom"))
    feed = parsed.feed
    assert feed.id == "http://agenda.test/bassins/sud/agenda.atom?lang=fr"
    assert "Sud" in feed.title
    assert feed.updated_parsed is not None
    assert feed.author
    links = {link.rel: link.href for link in feed.links}
    assert links["self"] == feed.id
    assert links["alternate"] == "http://agenda.test/bassins/sud/?lang=fr"
    titles = [e.title for e in parsed.entries]
    assert titles == ["Concertation santé mentale", "Rendez-vous prévention"]
    entry = parsed.entries[0]
    assert entry.id == f"tag:agenda.test,2024:event-{sud.id}"
    assert entry.link == f"http://agenda.test/events/{sud.id}?lang=fr"
    assert entry.updated_parsed and entry.published_parsed
    assert "Salle forest" in entry.summary
    assert entry.tags[0].term == "concertation"
    assert parsed.entries[1].id.endswith(f"event-{recurring.id}")
    # Every entry names its author through the feed's (RFC 4287 4.1.1), and ids are unique.
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)


def test_a_cancelled_event_stays_marked_and_a_draft_is_absent(client, make_event):
    cancelled = make_event(title="Annulée bientôt")
    make_event(title="Brouillon", status="draft")
    with unit_of_work("test"):
        operations.cancel(cancelled.id, SYSTEM, reason="Salle indisponible", notify=False)
    parsed = _parse(client.get("/bassins/sud/agenda.atom"))
    assert [e.title for e in parsed.entries] == ["Annulé : Annulée bientôt"]
    assert "Salle indisponible" in parsed.entries[0].summary


def test_a_series_feed_in_dutch(client, make_event):
    event = make_event(title="Liaison #4", title_nl="Verbinding #4", series_slug="sud-liaison")
    make_event(title="Hors série")
    parsed = _parse(client.get("/series/sud-liaison.atom?lang=nl"))
    assert parsed.feed.language == "nl"
    assert [e.title for e in parsed.entries] == ["Verbinding #4"]
    assert parsed.entries[0].link == f"http://agenda.test/events/{event.id}?lang=nl"


def test_unknown_bassin_or_series_is_a_404(client, make_event):
    make_event()
    assert client.get("/bassins/atlantide/agenda.atom").status_code == 404
    assert client.get("/series/nope.atom").status_code == 404


def test_the_feed_answers_304_until_an_event_changes(client, make_event):
    event = make_event()
    first = client.get("/bassins/sud/agenda.atom")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get("/bassins/sud/agenda.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304
    since = client.get(
        "/bassins/sud/agenda.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    # Not the .ics's validator: the same filters, another document.
    assert client.get("/bassins/sud/agenda.ics").headers["ETag"] != etag
    with unit_of_work("test"):
        operations.update_event(event.id, {"title_fr": "Nouveau titre"}, SYSTEM)
    changed = client.get("/bassins/sud/agenda.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert _parse(changed).entries[0].title == "Nouveau titre"


def test_titles_with_markup_and_control_characters_stay_text(client, make_event):
    make_event(
        title="<b>Gras</b> & </title><script>x</script>",
        description_fr="Ligne\x0bavec\x1bcontrôles ]]> fin",
    )
    response = client.get("/bassins/sud/agenda.atom")
    root = etree.fromstring(response.data)  # well-formed XML
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "<b>Gras</b> & </title><script>x</script>"
    assert "contrôles ]]> fin" in entry.findtext(f"{ATOM}summary")
    assert root.find(f".//{ATOM}script") is None


def test_bassin_and_series_pages_link_their_atom_feed(client, make_event):
    make_event(series_slug="sud-liaison")
    for page, feed in (
        ("/bassins/sud/", "/bassins/sud/agenda.atom"),
        ("/series/sud-liaison", "/series/sud-liaison.atom"),
    ):
        html = client.get(page).get_data(as_text=True)
        assert 'rel="alternate" type="application/atom+xml"' in html
        assert html.count(feed) >= 2, page  # the <link> in the head and a visible link


def test_past_events_of_the_window_stay(client, make_event):
    make_event(title="Passé", start=morning_in(-20) - timedelta(days=0))
    assert [e.title for e in _parse(client.get("/bassins/sud/agenda.atom")).entries] == ["Passé"]


def test_a_bassins_feed_takes_the_ics_filters(client, make_event):
    make_event(title="Une formation", kind="formation")
    make_event(title="Une concertation", kind="concertation")
    parsed = _parse(client.get("/bassins/sud/agenda.atom?kind=formation"))
    assert [e.title for e in parsed.entries] == ["Une formation"]
    assert parsed.feed.id == "http://agenda.test/bassins/sud/agenda.atom?kind=formation&lang=fr"
    assert client.get("/bassins/sud/agenda.atom?kind=nope").status_code == 400
    page = client.get("/bassins/sud/?kind=formation").get_data(as_text=True)
    assert "/bassins/sud/agenda.atom?kind=formation" in page
