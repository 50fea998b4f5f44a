"""Friendly error pages in the visitor's language; JSON under /api/."""

import pytest

from tests.conftest import make_config, postgresql_only
from webapp import create_app


def test_unknown_page_gets_a_friendly_404_in_french_and_dutch(client, territory):
    response = client.get("/cette-page-n-existe-pas")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    dutch = client.get("/cette-page-n-existe-pas?lang=nl")
    assert dutch.status_code == 404 and "Pagina niet gevonden" in dutch.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/events/999999", "/bassins/atlantide/", "/series/inconnue", "/events/abc"]
)
def test_unknown_ids_and_slugs_are_404(client, territory, path):
    assert client.get(path).status_code == 404


def test_a_crash_gets_a_friendly_500_page_that_says_nothing_was_saved(database_url):
    app = create_app(make_config(database_url, PROPAGATE_EXCEPTIONS=False))

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom?lang=nl")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "kaboom" not in page and "Er werd niets opgeslagen" in page


def test_api_errors_are_json(client, territory):
    response = client.get("/api/v1/events/999999")
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-directory/agenda.sqlite3",
        "postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2",
    ],
)
def test_a_dead_database_gives_a_503_with_retry_after(url):
    app = create_app(make_config(url, PROPAGATE_EXCEPTIONS=False))
    client = app.test_client()
    page = client.get("/?lang=nl")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "no-store" in page.headers["Cache-Control"]
    api = client.get("/api/v1/events")
    assert api.status_code == 503 and api.is_json and api.headers["Retry-After"] == "30"
    register = client.post("/events/1/register", data={"email": "anne@example.org"})
    assert register.status_code == 503


DEAD_SQLITE = "sqlite:////nonexistent-directory/agenda.sqlite3"
LIMITS = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


class TestRetryAfter:
    @pytest.fixture
    def app_config(self):
        return LIMITS

    def test_is_only_on_answers_that_ask_to_retry(self, client, make_event):
        from tests.registrations.test_views import form_data
        from webapp.extensions import limiter

        limiter.reset()
        event = make_event(capacity=3)
        answers = [client.post(f"/events/{event.id}/register", data=form_data(1)) for _ in range(6)]
        # A registration, the personal link sent again four times, then the address's limit.
        assert [a.status_code for a in answers] == [303, 200, 200, 200, 200, 429]
        assert [a.headers.get("Retry-After") for a in answers[:5]] == [None] * 5
        assert not [h for a in answers for h, _ in a.headers if h.startswith("X-RateLimit")]
        # The 429 says when the limit's window (5 an hour) ends.
        assert 1 <= int(answers[5].headers["Retry-After"]) <= 3600

    def test_a_503_keeps_its_own_on_a_limited_route(self):
        dead = create_app(make_config(DEAD_SQLITE, PROPAGATE_EXCEPTIONS=False, **LIMITS))
        unavailable = dead.test_client().post("/events/1/register", data={"email": "a@b.be"})
        assert unavailable.status_code == 503 and unavailable.headers["Retry-After"] == "30"


def _drop_the_connection_after_the_last_query(app, database_url):
    """After the view and its last query, before the first request ends: the backend of the
    request's connection is terminated (as by a restart, a failover or a proxy's timeout)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from webapp.extensions import db

    admin = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    dropped = []

    @app.after_request
    def drop(response):
        if not dropped and db.session().in_transaction():
            pid = db.session.connection().connection.driver_connection.info.backend_pid
            with admin.connect() as connection:
                # Waits (up to 10 s) until the backend is gone.
                connection.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})
            dropped.append(pid)
        return response

    return dropped


@postgresql_only
@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/bassins", "/", "/healthz"])
def test_a_connection_dropped_after_the_last_query_gives_the_503(database_url, territory, path):
    app = create_app(make_config(database_url, PROPAGATE_EXCEPTIONS=False))
    dropped = _drop_the_connection_after_the_last_query(app, database_url)
    response = app.test_client().get(path)
    assert dropped, "the request held no connection to drop"
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.is_json == path.startswith("/api/")
    again = app.test_client().get(path)  # the pool's next connection is a new one
    assert again.status_code == 200
