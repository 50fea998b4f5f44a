"""Friendly error pages in the visitor's language; JSON under /api/."""

import pytest

from tests.conftest import make_config
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
