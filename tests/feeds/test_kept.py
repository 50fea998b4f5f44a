"""The public feeds' answers given again in front of the app (webapp/feeds/kept.py)."""

from datetime import date

import pytest

from tests.feeds.test_http import StatementCounter
from webapp.extensions import db
from webapp.feeds import views
from webapp.feeds.kept import KeptFeeds


class AppCalls:
    """Counts the requests that reach Flask's dispatch (the view and every hook)."""

    def __init__(self, app, monkeypatch):
        self.count = 0
        real = app.full_dispatch_request

        def counted():
            self.count += 1
            return real()

        monkeypatch.setattr(app, "full_dispatch_request", counted)


@pytest.fixture
def app_calls(app, monkeypatch):
    return AppCalls(app, monkeypatch)


URL = "/bassins/sud/agenda.ics"


def first_answer(client, make_event):
    """An event in Bassin Sud, and the app's first answer to its feed."""
    make_event()
    return client.get(URL)


def same_answer(first, again):
    assert again.status_code == first.status_code
    assert again.headers == first.headers
    assert again.data == first.data


@pytest.mark.parametrize(
    "url", ["/agenda.ics", "/bassins/sud/agenda.ics?kind=concertation", "/series/liaison-sud.ics"]
)
def test_a_feed_asked_again_is_the_same_answer_without_the_app(client, make_event, app_calls, url):
    make_event(title="Concertation de Forest", series_slug="liaison-sud")
    first = client.get(url)
    assert first.status_code == 200 and b"Concertation de Forest" in first.data
    assert app_calls.count == 1
    again = client.get(url)
    assert app_calls.count == 1
    same_answer(first, again)


def test_a_304_asked_again_is_the_apps_304_without_the_app(
    client, make_event, app_calls, monkeypatch
):
    url = URL
    ok = first_answer(client, make_event)
    etag = ok.headers["ETag"]
    first = client.get(url, headers={"If-None-Match": etag})
    assert first.status_code == 304 and app_calls.count == 2
    raw = StatementCounter(monkeypatch)
    again = client.get(url, headers={"If-None-Match": etag})
    assert app_calls.count == 2
    same_answer(first, again)
    # Still never stale: the content generation is read for each answer, and only that.
    assert len(raw.statements) == 1
    assert "FROM content_state WHERE id = 1" in raw.statements[0]
    since = client.get(url, headers={"If-Modified-Since": ok.headers["Last-Modified"]})
    assert since.status_code == 304


def test_the_first_304_after_a_kept_200_reads_the_state_once(client, make_event, monkeypatch):
    url = URL
    etag = first_answer(client, make_event).headers["ETag"]
    raw = StatementCounter(monkeypatch)
    answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 304
    assert len(raw.statements) == 1  # read in front of the app, not again by the view


def test_a_change_is_served_at_once(client, make_event, app_calls):
    event = make_event(title="Avant")
    url = "/bassins/sud/agenda.ics"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    event.title_fr = "Après"
    db.session.commit()
    after = client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert b"SUMMARY:Apr\xc3\xa8s" in after.data and b"Avant" not in after.data
    assert after.headers["ETag"] != etag
    assert client.get(url).data == after.data


def test_head_gets_the_headers_of_the_kept_answer_and_no_body(client, make_event, app_calls):
    url = URL
    first = first_answer(client, make_event)
    head = client.head(url)
    assert app_calls.count == 1
    assert head.status_code == 200 and head.data == b""
    assert head.headers == first.headers


def test_each_language_keeps_its_own_answer(client, make_event, app_calls):
    make_event(kind="concertation")
    url = "/bassins/sud/agenda.ics"
    french = client.get(url, headers={"Accept-Language": "fr"})
    dutch = client.get(url, headers={"Accept-Language": "nl"})
    asked = client.get(url + "?lang=nl", headers={"Accept-Language": "fr"})
    assert b"CATEGORIES:Concertation" in french.data
    assert b"CATEGORIES:Thematisch overleg" in dutch.data
    assert asked.data == dutch.data
    assert app_calls.count == 3
    same_answer(french, client.get(url, headers={"Accept-Language": "fr"}))
    same_answer(dutch, client.get(url, headers={"Accept-Language": "nl"}))
    same_answer(asked, client.get(url + "?lang=nl", headers={"Accept-Language": "fr"}))
    assert app_calls.count == 3


def test_the_language_remembered_in_a_cookie_is_not_given_to_others(app, client, make_event):
    make_event(kind="concertation")
    url = "/bassins/sud/agenda.ics"
    client.get("/?lang=nl")  # an ordinary page remembers the language in the session
    assert client.get_cookie("session") is not None
    with_cookie = client.get(url)
    without = app.test_client().get(url)
    assert b"CATEGORIES:Thematisch overleg" in with_cookie.data
    assert b"CATEGORIES:Concertation" in without.data
    assert b"CATEGORIES:Concertation" in app.test_client().get(url).data
    assert b"CATEGORIES:Thematisch overleg" in client.get(url).data


def test_a_moved_window_goes_through_the_app(client, make_event, app_calls, monkeypatch):
    url = URL
    first = first_answer(client, make_event)
    start = views.window_start()
    month_later = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    monkeypatch.setattr(views, "window_start", lambda today=None: month_later)
    moved = client.get(url)
    assert app_calls.count == 2
    assert moved.headers["ETag"] != first.headers["ETag"]


def test_a_body_no_longer_in_memory_goes_through_the_app(app, client, make_event, app_calls):
    url = URL
    first = first_answer(client, make_event)
    app.extensions["feed_cache"].items.clear()
    again = client.get(url)
    assert app_calls.count == 2
    same_answer(first, again)


def test_a_failure_in_front_of_the_app_leaves_the_answer_to_the_app(
    client, make_event, app_calls, monkeypatch
):
    from webapp.feeds import http

    url = URL
    first = first_answer(client, make_event)
    real = http.feed_state
    failures = []

    def failing_once(event_id=None):
        if not failures:
            failures.append(1)
            raise RuntimeError("the state could not be read")
        return real(event_id)

    monkeypatch.setattr(http, "feed_state", failing_once)
    again = client.get(url)
    assert failures and app_calls.count == 2
    same_answer(first, again)


def test_an_unknown_bassin_or_a_bad_filter_is_never_kept(client, make_event, app_calls):
    make_event()
    for url in ("/bassins/atlantide/agenda.ics", "/agenda.ics?kind=nope"):
        first = client.get(url)
        assert first.status_code in (400, 404)
        again = client.get(url)
        assert again.status_code == first.status_code
    assert app_calls.count == 4


def answer_keeper(app):
    keeper = app.wsgi_app
    while not isinstance(keeper, KeptFeeds):
        keeper = keeper.wsgi_app
    return keeper


def test_an_answer_setting_a_cookie_is_never_kept(app):
    from webapp.feeds.kept import Keep

    keeper = answer_keeper(app)
    key = ("", "/agenda.ics", "", None, None, "localhost")
    headers = [("Content-Type", "text/calendar"), ("Set-Cookie", "session=abc")]
    keeper._keep(key, Keep(1, date(2026, 6, 1), None), "200 OK", headers)
    assert key not in keeper.answers
    keeper._keep(key, Keep(1, date(2026, 6, 1), None), "200 OK", headers[:1])
    assert key in keeper.answers


def test_the_kept_answers_are_bounded(app):
    from webapp.feeds.kept import Keep

    keeper = answer_keeper(app)
    keeper.size = 3
    for n in range(5):
        key = ("", "/agenda.ics", f"kind={n}", None, None, "localhost")
        keeper._keep(key, Keep(1, date(2026, 6, 1), None), "200 OK", [])
    assert [key[2] for key in keeper.answers] == ["kind=2", "kind=3", "kind=4"]


def test_other_paths_and_methods_go_to_the_app(client, make_event, app_calls):
    event = make_event()
    for _ in range(2):
        assert client.get(f"/events/{event.id}.ics").status_code == 200
    assert app_calls.count == 2
    assert client.post("/agenda.ics").status_code == 405
    assert app_calls.count == 3
