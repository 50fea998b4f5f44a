"""HTTP of the feeds: content type, validators, 304s, HEAD, no cookies, invalidation."""

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from tests.agenda.test_query_counts import counting
from webapp.agenda.models import Bassin
from webapp.content_state import ContentState, reader_engine
from webapp.extensions import db


def vevent_of(response, event):
    parsed = Calendar.from_ical(response.data)
    uid = f"event-{event.id}@agenda.test"
    return next(c for c in parsed.walk("VEVENT") if str(c["uid"]) == uid)


def test_feed_answers_text_calendar_with_validators(client, make_event):
    make_event()
    response = client.get("/bassins/sud/agenda.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]
    assert "max-age" in response.headers["Cache-Control"]


def test_unchanged_feed_answers_304_to_both_validators(client, make_event):
    make_event()
    first = client.get("/agenda.ics?kind=concertation")
    again = client.get(
        "/agenda.ics?kind=concertation", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(
        "/agenda.ics?kind=concertation",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert since.status_code == 304


def test_change_gives_200_with_new_content_and_higher_sequence(client, make_event):
    event = make_event()
    first = client.get("/bassins/sud/agenda.ics")
    before = vevent_of(first, event)
    event.start_at = event.start_at + timedelta(days=7)
    event.end_at = event.end_at + timedelta(days=7)
    db.session.commit()
    after = client.get("/bassins/sud/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != first.headers["ETag"]
    moved = vevent_of(after, event)
    assert moved.decoded("sequence") > before.decoded("sequence")
    assert moved.decoded("dtstart") == before.decoded("dtstart") + timedelta(days=7)


def test_title_change_without_sequence_change_still_refreshes_the_feed(client, make_event):
    event = make_event()
    first = client.get(f"/events/{event.id}.ics")
    event.title_fr = "Nouveau titre"
    db.session.commit()
    after = client.get(f"/events/{event.id}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert str(vevent_of(after, event)["summary"]) == "Nouveau titre"


def test_cancelling_refreshes_a_cached_feed(client, make_event):
    event = make_event()
    first = client.get("/agenda.ics")
    assert str(vevent_of(first, event)["status"]) == "CONFIRMED"
    event.status = "cancelled"
    db.session.commit()
    after = client.get("/agenda.ics")
    assert str(vevent_of(after, event)["status"]) == "CANCELLED"


def test_head_answers_headers_without_body(client, make_event):
    make_event()
    response = client.head("/agenda.ics")
    assert response.status_code == 200
    assert response.headers["ETag"]
    assert response.data == b""


def test_feeds_set_no_cookie_even_with_a_language_asked(client, make_event):
    event = make_event(series_slug="sud-liaison")
    for url in (
        "/agenda.ics?lang=nl",
        "/bassins/sud/agenda.ics?lang=nl",
        "/series/sud-liaison.ics?lang=nl",
        f"/events/{event.id}.ics?lang=nl",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url


def test_unknown_filter_value_is_a_400_with_the_problem(client, make_event):
    make_event()
    response = client.get("/agenda.ics?theme=nothing-like-this")
    assert response.status_code == 400
    assert "theme" in response.get_json()["problems"]


def test_unknown_bassin_series_or_event_is_a_404(client, make_event):
    make_event()
    assert client.get("/bassins/atlantide/agenda.ics").status_code == 404
    assert client.get("/series/nothing.ics").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404


def test_filters_keep_only_matching_events(client, make_event):
    kept = make_event(kind="formation", commune="forest")
    other_kind = make_event(kind="concertation", commune="forest")
    other_bassin = make_event(kind="formation", bassins=("nord",), commune="schaerbeek")
    text = client.get("/bassins/sud/agenda.ics?kind=formation").data.decode()
    assert f"event-{kept.id}@" in text
    assert f"event-{other_kind.id}@" not in text
    assert f"event-{other_bassin.id}@" not in text


def test_window_starts_six_months_back_and_last_moved_this_month(app):
    from datetime import date

    from webapp.feeds.views import window_moved, window_start

    assert window_start(date(2027, 3, 18)) == date(2026, 9, 1)
    assert window_start(date(2027, 8, 2)) == date(2027, 2, 1)
    assert window_moved(window_start(date(2027, 3, 18))) == date(2027, 3, 1)


def test_last_modified_is_not_older_than_the_window_move(client, make_event):
    from datetime import UTC, datetime

    from webapp.feeds.views import window_moved, window_start
    from webapp.timezones import local_day_start

    make_event(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    response = client.get("/agenda.ics")
    moved = local_day_start(window_moved(window_start())).replace(microsecond=0)
    assert response.last_modified >= moved


def test_weakened_etag_from_a_proxy_still_gets_a_304(client, make_event):
    make_event()
    etag = client.get("/agenda.ics").headers["ETag"]
    again = client.get("/agenda.ics", headers={"If-None-Match": f"W/{etag}"})
    assert again.status_code == 304


def test_two_machines_never_serve_a_stale_feed_after_a_change(
    app, client, make_event, database_url
):
    """Each app has its own body cache (as each worker or machine would); the data decides."""
    from tests.conftest import make_config
    from webapp import create_app

    event = make_event(title="Avant")
    other_app = create_app(make_config(database_url))
    other = other_app.test_client()
    assert "Avant" in other.get("/bassins/sud/agenda.ics").get_data(as_text=True)
    assert "Avant" in client.get("/bassins/sud/agenda.ics").get_data(as_text=True)
    event.title_fr = "Après"
    db.session.commit()
    again = other.get("/bassins/sud/agenda.ics")
    assert "Après" in again.get_data(as_text=True)
    assert again.headers["ETag"] == client.get("/bassins/sud/agenda.ics").headers["ETag"]
    with other_app.app_context():
        db.engine.dispose()


def test_a_venue_edit_refreshes_the_feed_with_the_new_address_and_a_higher_sequence(
    client, make_event
):
    from webapp.agenda.models import Venue

    event = make_event(venue_name="Maison de Quartier Chambéry", commune="etterbeek")
    first = client.get("/bassins/sud/agenda.ics")
    before = vevent_of(first, event)
    db.session.get(Venue, event.venue_id).address = "Rue de Chambéry 24"
    db.session.commit()
    after = client.get("/bassins/sud/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    moved = vevent_of(after, event)
    assert "Rue de Chambéry 24" in str(moved["location"])
    assert moved.decoded("sequence") == before.decoded("sequence") + 1


def test_an_organisation_or_series_edit_refreshes_the_feed(client, make_event):
    from webapp.agenda.models import Organisation, Series

    organiser = Organisation(name="Bassin Sud", email="info@bassin-sud.example")
    event = make_event(series_slug="liaison-sud", organiser=organiser)
    url = f"/events/{event.id}.ics"
    etag = client.get(url).headers["ETag"]
    db.session.get(Organisation, event.organiser_id).name = "Bassin d'aide et de soins Sud"
    db.session.commit()
    after = client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert "Bassin d'aide et de soins Sud" in after.text
    db.session.get(Series, event.series_id).title_fr = "Liaison ambulatoire-hôpital (Sud)"
    db.session.commit()
    again = client.get(url, headers={"If-None-Match": after.headers["ETag"]})
    assert again.status_code == 200
    assert "Liaison ambulatoire-hôpital (Sud)" in again.text
    assert vevent_of(again, event).decoded("sequence") == 0  # neither moves the event


class StatementCounter:
    """Counts the statements sent on the generation reader's raw DBAPI connections."""

    def __init__(self, monkeypatch):
        self.statements = []
        reader = reader_engine()
        real = reader.raw_connection
        counter = self

        class Cursor:
            def __init__(self, cursor):
                self.cursor = cursor

            def execute(self, sql, *args):
                counter.statements.append(sql)
                return self.cursor.execute(sql, *args)

            def __getattr__(self, name):
                return getattr(self.cursor, name)

        class Connection:
            def __init__(self, connection):
                self.connection = connection

            def cursor(self):
                return Cursor(self.connection.cursor())

            def __getattr__(self, name):
                return getattr(self.connection, name)

        monkeypatch.setattr(reader, "raw_connection", lambda: Connection(real()))


def test_a_feed_304_runs_one_statement_the_content_state_read(client, make_event, monkeypatch):
    make_event(series_slug="liaison-sud")
    for url in (
        "/agenda.ics",
        "/bassins/sud/agenda.ics?kind=concertation",
        "/series/liaison-sud.ics",
    ):
        etag = client.get(url).headers["ETag"]
        raw = StatementCounter(monkeypatch)
        with counting() as statements:
            again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert statements == [], url  # nothing through the ORM: no bassin or series lookup
        assert len(raw.statements) == 1, url
        assert "FROM content_state WHERE id = 1" in raw.statements[0]
        monkeypatch.undo()


def test_the_feed_etag_is_the_content_generation_not_registrations(client, make_event):
    from tests.edge import rules

    event = make_event(capacity=20)
    first = client.get("/bassins/sud/agenda.ics")
    person = {"first_name": "Anne", "last_name": "Peeters", "email": "anne@example.org"}
    rules.register(event.id, person)
    again = client.get("/bassins/sud/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304  # feeds show no places
    # A bassin renamed changes the feed's name (X-WR-CALNAME): no event row changed with it.
    db.session.scalar(select(Bassin).where(Bassin.slug == "sud")).name_fr = "Bassin Sud (BSS)"
    db.session.commit()
    renamed = client.get(
        "/bassins/sud/agenda.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert renamed.status_code == 200
    assert "Bassin Sud (BSS)" in renamed.text
    assert renamed.headers["ETag"] != first.headers["ETag"]


def test_the_feed_last_modified_is_when_the_content_last_changed(client, make_event):
    make_event()
    changed_at = db.session.scalar(select(ContentState.changed_at))
    assert changed_at is not None
    response = client.get("/agenda.ics")
    assert response.last_modified == changed_at.replace(microsecond=0)
    later = client.get(
        "/agenda.ics", headers={"If-Modified-Since": response.headers["Last-Modified"]}
    )
    assert later.status_code == 304


def test_an_event_feed_taken_back_to_draft_is_a_404_even_to_a_known_etag(client, make_event):
    event = make_event()
    etag = client.get(f"/events/{event.id}.ics").headers["ETag"]
    event.status = "draft"
    db.session.commit()
    assert client.get(f"/events/{event.id}.ics", headers={"If-None-Match": etag}).status_code == 404
    assert client.get(f"/events/{event.id}.ics").status_code == 404
