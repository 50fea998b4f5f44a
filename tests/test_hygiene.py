"""NUL characters (refused by PostgreSQL in text) never turn into a server error."""

import pytest

from tests.conftest import make_config
from webapp import create_app


@pytest.fixture
def strict_client(database_url, territory):
    return create_app(make_config(database_url, PROPAGATE_EXCEPTIONS=False)).test_client()


@pytest.mark.parametrize(
    "url, status",
    [
        ("/series/a%00b.ics", 404),
        ("/bassins/a%00b/agenda.ics", 404),
        ("/embed/bassins/a%00b", 404),
        ("/events/1%00/register", 404),
        ("/agenda.ics?kind=%00", 200),
        ("/bassins/sud/agenda.ics?theme=%00&commune=%00", 200),
        ("/api/v1/events?q=%00x", 200),
        ("/?q=form%00ation", 200),
    ],
)
def test_nul_in_a_path_is_404_and_in_a_query_argument_is_dropped(strict_client, url, status):
    assert strict_client.get(url).status_code == status


def test_pages_never_send_their_address_to_other_sites(client, territory):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
