"""Public pages are served from a cache keyed by the content generation and the minute:
never behind the data, never mixing languages, never keeping an error or a hidden event."""

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from tests.agenda.test_query_counts import counting
from tests.edge import rules
from tests.factories import PERSON
from webapp import pagecache
from webapp.agenda.models import Event, Venue
from webapp.content_state import (
    PRIVATE_TABLES,
    PUBLIC_TABLES,
    ContentState,
    current_generation,
    reader_engine,
)
from webapp.extensions import db
from webapp.mail.outbox import queue_message
from webapp.timezones import utcnow


def generation():
    db.session.rollback()  # a fresh read, not this session's snapshot
    return current_generation()


def test_a_content_write_advances_the_generation_once_per_transaction(make_event):
    before = generation()
    event = make_event(title="Concertation santé mentale")
    assert generation() == before + 1
    event = db.session.get(Event, event.id)
    event.title_fr = "Concertation santé mentale (nouvelle salle)"
    event.capacity = 30
    db.session.flush()
    event.room = "Salle 2"
    db.session.commit()
    assert generation() == before + 2


def test_reads_rollbacks_and_the_mail_outbox_leave_the_generation_alone(make_event, client):
    event = make_event()
    before = generation()
    assert client.get(f"/events/{event.id}").status_code == 200
    assert client.get("/").status_code == 200
    event = db.session.get(Event, event.id)
    event.title_fr = "Jamais enregistré"
    db.session.flush()
    db.session.rollback()
    queue_message("anne@example.org", "Rappel", "Texte")
    db.session.commit()
    assert generation() == before


def test_every_table_is_public_or_private(app):
    """Whoever adds a table decides whether writing to it empties the page caches."""
    tables = set(db.metadata.tables)
    unclassified = tables - PUBLIC_TABLES - PRIVATE_TABLES
    assert not unclassified, f"add {sorted(unclassified)} to PUBLIC_TABLES or PRIVATE_TABLES"
    assert not PUBLIC_TABLES & PRIVATE_TABLES
    assert tables >= PUBLIC_TABLES | PRIVATE_TABLES, "a table listed that no longer exists"


def test_saving_unchanged_details_on_the_personal_page_leaves_the_generation(make_event, client):
    event = make_event(capacity=5)
    registration = rules.register(event.id, PERSON).registration
    before = generation()
    for _ in range(3):
        response = client.post(
            f"/registrations/{registration.token}", data={**PERSON, "consent": "y"}
        )
        assert response.status_code == 200
    client.post(f"/registrations/{registration.token}", data={**PERSON, "job_title": "Cheffe"})
    assert generation() == before  # the registrations table is shown by no public page


def test_an_event_saved_unchanged_leaves_the_generation_and_a_real_change_moves_it(make_event):
    event = make_event(title="Concertation santé mentale", capacity=12)
    before = generation()
    event = db.session.get(Event, event.id)
    event.title_fr = "Concertation santé mentale"  # as a form saved without changes does
    event.capacity = 12
    db.session.commit()
    assert generation() == before
    event = db.session.get(Event, event.id)
    event.capacity = 15
    db.session.commit()
    assert generation() == before + 1


def visit(client, url):
    """The page's ETag (with the page cache, the key of its data)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.headers["ETag"]


def register_to_a(kind, event_id):
    """A registration to event A that leaves its card as it is; the count it ends with."""
    if kind == "confirmed":
        rules.register(event_id, PERSON)
    elif kind == "waitlisted":
        rules.register(event_id, PERSON)
        assert rules.active_registrations(event_id)[-1].status == "waitlisted"
    else:  # a cancelled confirmed place goes to the first on the waitlist
        first = rules.active_registrations(event_id)[0]
        promoted = rules.cancel(first.id)
        assert promoted is not None and promoted.status == "confirmed"


@pytest.mark.parametrize(
    "kind, capacity, taken, waiting",
    [("confirmed", 20, 3, 0), ("waitlisted", 2, 2, 0), ("cancelled", 2, 2, 1)],
)
def test_a_registration_leaving_the_card_as_it_is_keeps_every_other_page(
    make_event, client, kind, capacity, taken, waiting
):
    a = make_event(title="Activité A", capacity=capacity, commit=False)
    b = make_event(title="Activité B", capacity=10, commit=False)
    db.session.commit()
    for n in range(taken + waiting):
        rules.register(a.id, {**PERSON, "email": f"person.{n}@example.org"})
    others = ["/", "/bassins/sud/", f"/events/{b.id}"]
    etags = {url: visit(client, url) for url in [*others, f"/events/{a.id}"]}
    before = generation()
    register_to_a(kind, a.id)
    assert generation() == before
    for url in others:
        assert client.get(url, headers={"If-None-Match": etags[url]}).status_code == 304, url
    page_of_a = client.get(f"/events/{a.id}", headers={"If-None-Match": etags[f"/events/{a.id}"]})
    if kind == "confirmed":  # one place fewer on A's own page
        assert page_of_a.status_code == 200
        assert "16 places restantes sur 20" in page_of_a.text
    else:  # still full, the same count
        assert page_of_a.status_code == 304


@pytest.mark.parametrize("left, shown", [(6, "Plus que 5 places"), (1, "Complet")])
def test_a_registration_changing_the_card_shows_on_the_lists(make_event, client, left, shown):
    a = make_event(title="Activité A", capacity=20, confirmed_count=20 - left)
    etag = visit(client, "/")
    assert "Plus que 5 places" not in client.get("/").text
    rules.register(a.id, PERSON)
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert shown in again.text


def test_a_card_says_places_are_available_then_how_few_then_full(make_event, client):
    make_event(title="Large", capacity=20, confirmed_count=14)
    make_event(title="Presque", capacity=20, confirmed_count=19)
    make_event(title="Plein", capacity=20, confirmed_count=20)
    html = client.get("/").text
    assert "Places disponibles" in html
    assert "Plus que 1 place<" in html
    assert "Complet" in html
    assert "6 places" not in html
    dutch = client.get("/?lang=nl").text
    assert "Plaatsen vrij" in dutch and "Nog 1 plaats vrij" in dutch and "Volzet" in dutch


def test_a_savepoint_leaves_the_increment_to_the_outer_commit(make_event):
    event = make_event()
    before = generation()
    with db.session.begin_nested():
        db.session.get(Event, event.id).room = "Salle 3"
    assert db.session.scalar(select(ContentState.generation)) == before
    db.session.commit()
    assert generation() == before + 1


def test_the_second_visit_is_served_from_the_cache_without_the_orm(make_event, client, monkeypatch):
    url = f"/events/{make_event(title='Atelier du Changement').id}"
    first = client.get(url)
    reads = []
    reader = reader_engine()
    real_raw_connection = reader.raw_connection

    def raw_connection():
        reads.append(1)
        return real_raw_connection()

    monkeypatch.setattr(reader, "raw_connection", raw_connection)
    with counting() as statements:
        second = client.get(url)
    assert second.status_code == 200
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert statements == []  # the generation is read on a pooled DBAPI connection
    assert reads == [1]


def test_reading_the_generation_leaves_pooled_connections_transactional(make_event, client):
    event = make_event(title="Concertation")
    for _ in range(3):
        client.get(f"/events/{event.id}")
    before = generation()
    db.session.get(Event, event.id).title_fr = "Jamais enregistré"
    db.session.flush()
    db.session.rollback()
    assert db.session.get(Event, event.id).title_fr == "Concertation"
    assert generation() == before


def test_a_connection_the_server_dropped_is_read_again_not_failed(make_event, client):
    url = f"/events/{make_event(title='Concertation').id}"
    first = client.get(url)
    if db.engine.dialect.name == "sqlite":
        assert reader_engine() is db.engine  # a local file: nothing to drop, no ping
        return
    # As after a server restart: every other connection to the database is closed under us.
    db.session.close()
    with db.engine.connect() as admin:
        dropped = admin.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert dropped >= 1  # at least the reader's pooled connection
    again = client.get(url)
    assert again.status_code == 200
    assert again.data == first.data
    assert reader_engine().pool.checkedout() == 0


def test_the_generation_is_read_on_a_connection_made_as_the_apps(database_url):
    from tests.conftest import make_config
    from webapp import create_app

    options = {"pool_pre_ping": True, "connect_args": {"application_name": "agenda-reader"}}
    app = create_app(make_config(database_url, SQLALCHEMY_ENGINE_OPTIONS=options))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert reader_engine() is db.engine
        else:
            connection = reader_engine().raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute("SHOW application_name")
                assert cursor.fetchone()[0] == "agenda-reader"
            finally:
                connection.close()
        db.engine.dispose()


def test_a_matching_etag_gets_a_304_without_a_body(make_event, client):
    make_event()
    first = client.get("/bassins/sud/?kind=concertation")
    again = client.get(
        "/bassins/sud/?kind=concertation", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("url", ["/", "/bassins/sud/", "/events/{id}", "/series/liaison-sud"])
def test_an_edit_shows_at_once_on_every_cached_page(make_event, client, url):
    event = make_event(title="Liaison ambulatoire-hôpital", series_slug="liaison-sud")
    url = url.format(id=event.id)
    assert "Liaison ambulatoire-hôpital" in client.get(url).text
    etag = client.get(url).headers["ETag"]
    event = db.session.get(Event, event.id)
    event.title_fr = "Liaison ambulatoire-hôpital : sortie d'hospitalisation"
    db.session.commit()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "sortie d&#39;hospitalisation" in response.text


def test_a_venue_edit_shows_on_the_event_page(make_event, client):
    event = make_event(venue_name="Maison de Quartier Chambéry")
    assert "Rue du Test" in client.get(f"/events/{event.id}").text
    venue = db.session.get(Venue, event.venue_id)
    venue.address = "Rue de Chambéry 24"
    db.session.commit()
    assert "Rue de Chambéry 24" in client.get(f"/events/{event.id}").text


def test_places_left_follow_registrations(make_event, client):
    event = make_event(capacity=3)
    assert "3 places restantes" in client.get(f"/events/{event.id}").text
    assert "Plus que 3 places" in client.get("/").text
    rules.register(event.id, PERSON)
    assert "2 places restantes" in client.get(f"/events/{event.id}").text
    assert "Plus que 2 places" in client.get("/").text


def test_an_event_taken_back_to_draft_is_not_served_from_the_cache(make_event, client):
    event = make_event(title="Formation secret professionnel partagé")
    assert client.get(f"/events/{event.id}").status_code == 200
    db.session.get(Event, event.id).status = "draft"
    db.session.commit()
    assert client.get(f"/events/{event.id}").status_code == 404
    assert "secret professionnel" not in client.get("/").text


def test_errors_are_not_cached(make_event, client):
    event = make_event(status="draft")
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/events/{event.id}").status_code == 404
    with db.engine.begin() as connection:  # bypasses the generation: only the 404 was kept
        connection.execute(update(Event).where(Event.id == event.id).values(status="published"))
    assert client.get(f"/events/{event.id}").status_code == 200


def test_each_language_has_its_own_page(make_event, client):
    make_event(title="Rendez-vous prévention", title_nl="Preventieafspraak")
    french = client.get("/")
    dutch = client.get("/", headers={"Accept-Language": "nl"})
    assert "Rendez-vous prévention" in french.text
    assert "Preventieafspraak" in dutch.text
    assert french.headers["ETag"] != dutch.headers["ETag"]
    assert "Accept-Language" in dutch.headers["Vary"]
    assert "Preventieafspraak" in client.get("/?lang=nl").text
    assert "Preventieafspraak" in client.get("/").text  # the choice is remembered
    assert 'lang="nl"' in client.get("/").text


def test_a_page_follows_the_clock_within_a_minute(make_event, client, monkeypatch):
    # A write that bypasses the session (no generation increment) stands for what only the
    # clock changes: the page keeps its copy until the minute turns.
    event = make_event(title="Webinaire")
    assert "Webinaire" in client.get("/").text
    with db.engine.begin() as connection:
        connection.execute(
            update(Event).where(Event.id == event.id).values(title_fr="Webinaire FSMA")
        )
    assert "Webinaire FSMA" not in client.get("/").text
    later = utcnow() + timedelta(minutes=1)
    monkeypatch.setattr(pagecache, "utcnow", lambda: later)
    assert "Webinaire FSMA" in client.get("/").text


def test_pages_with_the_cache_off_carry_no_etag(make_event, client, app):
    app.config["PAGE_CACHE_SIZE"] = 0
    event = make_event()
    response = client.get(f"/events/{event.id}")
    assert response.status_code == 200
    assert "ETag" not in response.headers


def test_the_memory_store_is_bounded(make_event, client, app):
    app.config["PAGE_CACHE_SIZE"] = 3
    make_event()
    for page in range(1, 8):
        client.get(f"/?page={page}")
    assert len(app.extensions["page_cache"].items) == 3


@pytest.mark.parametrize("key", ["_user_id", "_flashes"])
def test_a_signed_in_visitor_or_waiting_messages_skip_the_cache(make_event, client, app, key):
    event = make_event(title="Concertation")
    url = f"/events/{event.id}"
    client.get(url)
    with client.session_transaction() as session:
        session[key] = "1" if key == "_user_id" else [("message", "Inscription enregistrée")]
    response = client.get(url)
    assert response.status_code == 200
    assert "ETag" not in response.headers


def test_a_page_with_a_form_token_is_never_stored(app, client):
    from flask_wtf.csrf import generate_csrf

    app.add_url_rule("/__form", "form", pagecache.cached_page(lambda: f"<p>{generate_csrf()}</p>"))
    first = client.get("/__form")
    second = client.get("/__form")
    assert first.status_code == second.status_code == 200
    assert app.extensions.get("page_cache") is None or not app.extensions["page_cache"].items


CACHED_URLS = (
    "/",
    "/archive/",
    "/bassins/sud/",
    "/bassins/sud/archive/",
    "/series/liaison-sud",
    "/events/{id}",
    "/embed/bassins/sud",
)


@pytest.mark.parametrize("url", CACHED_URLS)
def test_unknown_query_arguments_all_share_one_cached_page(make_event, client, app, url):
    event = make_event(title="Liaison ambulatoire-hôpital", series_slug="liaison-sud")
    url = url.format(id=event.id)
    etags = set()
    for _ in range(25):
        response = client.get(f"{url}?{secrets.token_hex(4)}={secrets.token_hex(8)}")
        assert response.status_code == 200
        etags.add(response.headers["ETag"])
        assert "utm" not in response.text
    assert etags == {visit(client, url)}
    assert len(app.extensions["page_cache"].items) == 1


def test_equivalent_filter_spellings_share_one_cached_page(make_event, client, app):
    make_event(title="Concertation", commune="forest")
    spellings = (
        "/?kind=concertation&q=sant%C3%A9+mentale",
        "/?q=++sant%C3%A9+++mentale+&kind=concertation&page=1",
        "/?kind=+concertation+&q=sant%C3%A9%20mentale&utm_source=lettre&page=01",
    )
    etags = {visit(client, url) for url in spellings}
    assert len(etags) == 1
    assert len(app.extensions["page_cache"].items) == 1


def test_a_cached_page_links_only_the_arguments_it_read(make_event, client):
    for n in range(25):
        make_event(f"Activité {n}", commit=False)
    db.session.commit()
    html = client.get("/?kind=concertation&utm_source=piege").text
    assert "page=2" in html and "kind=concertation" in html
    assert "piege" not in html and "utm_source" not in html


def test_an_event_page_rendered_as_a_registration_came_in_is_not_kept(
    make_event, client, app, monkeypatch
):
    """The count can come back to the same number: the key must name what the body shows."""
    event = make_event(capacity=10)
    real_read_args = pagecache._read_args

    def read_args_then_a_registration(*args):
        read = real_read_args(*args)
        with app.app_context():  # another request commits after the count was read
            rules.register(event.id, PERSON)
        return read

    monkeypatch.setattr(pagecache, "_read_args", read_args_then_a_registration)
    response = client.get(f"/events/{event.id}")
    assert response.status_code == 200
    assert "9 places restantes" in response.text
    assert not app.extensions["page_cache"].items
