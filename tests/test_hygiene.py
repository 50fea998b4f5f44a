"""NUL characters (refused by PostgreSQL in text) never turn into a server error."""

import re

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


def concrete_urls(app, values):
    """One URL per rule of the app, its arguments filled from `values`."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            urls.append("/static/css/site.css")
            continue
        # Any object id the values do not name is 1 (a page that is not found still answers
        # with the policy); other arguments must be given.
        arguments = {
            name: values[name] if name in values or not name.endswith("_id") else 1
            for name in rule.arguments
        }
        urls.append(rule.build(arguments, append_unknown=False)[1])
    return urls


def test_every_route_sends_the_content_policy_and_only_the_embed_may_be_framed(
    client, app, make_event
):
    from tests.edge import rules

    event = make_event(series_slug="sud-sante-mentale", capacity=5)
    person = {"first_name": "Anne", "last_name": "Peeters", "email": "anne@example.org"}
    registration = rules.register(event.id, person).registration
    values = {
        "event_id": event.id,
        "bassin": "sud",
        "slug": "sud-sante-mentale",
        "token": registration.token,
        "filename": "css/site.css",
        "kind": "concertation",
        "day": "2027-01-12",
        "year": 2027,  # the Grand Bain's pages: no edition, each a 404 that carries the policy
        "offer_id": 1,
        "slot_id": 1,
        "booking_id": 1,
        "theme": "liaison-ambulatoire-hopital",
        "registration_id": registration.id,
        "code": registration.attestation_code,
        "extension": "csv",
        "action": "cancel",
    }
    urls = concrete_urls(app, values)
    assert len(urls) > 15
    for url in urls:
        response = client.get(url)
        policy = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'none'" in policy and "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy, url
        if url.startswith("/embed/"):
            assert "frame-ancestors *" in policy, url
            assert "X-Frame-Options" not in response.headers, url
        else:
            assert "frame-ancestors 'none'" in policy, url
            assert response.headers["X-Frame-Options"] == "DENY", url
        assert "Strict-Transport-Security" not in response.headers  # not in development


def test_pages_hold_no_inline_style_or_script(client, make_event):
    event = make_event(capacity=5)
    for url in (
        "/",
        f"/events/{event.id}",
        f"/events/{event.id}/register",
        "/embed/bassins/sud",
        "/aide/calendrier",
    ):
        page = client.get(url).get_data(as_text=True)
        # schema.org JSON-LD is a data block, never run (structured_data.json_ld escapes it).
        page = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", page)
        assert "<script" not in page and "<style" not in page and " style=" not in page, url


def test_production_sends_strict_transport_security(database_url, territory, monkeypatch):
    import config

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setattr(config.Config, "SECRET_KEY", "a-production-secret")
    monkeypatch.setattr(config.Config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    production = config.config_for_environment()
    assert isinstance(production, config.ProductionConfig)
    hsts = production.STRICT_TRANSPORT_SECURITY
    app = create_app(make_config(database_url, STRICT_TRANSPORT_SECURITY=hsts))
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_refuses_rate_limits_counted_in_each_worker(monkeypatch):
    import config

    monkeypatch.setattr(config.Config, "SECRET_KEY", "a-production-secret")
    monkeypatch.setattr(config.Config, "RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        config.ProductionConfig()
    monkeypatch.setattr(config.Config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert config.ProductionConfig().RATELIMIT_STORAGE_URI.startswith("redis://")


@pytest.mark.parametrize(
    "path",
    [
        "/events/2147483648",
        "/events/99999999999999999999",
        "/events/99999999999.ics",
        "/events/99999999999/register",
        "/api/v1/events/99999999999",
        "/events/١٢",
        "/events/１２",
    ],
)
def test_ids_beyond_the_database_integer_or_in_other_digits_are_404(strict_client, path):
    assert strict_client.get(path).status_code == 404
    assert strict_client.post(path).status_code in (404, 405)


def test_behind_trusted_proxies_the_client_address_is_the_forwarded_one(database_url, territory):
    from flask import request

    def client_seen_by(proxies):
        app = create_app(make_config(database_url, TRUSTED_PROXIES=proxies))
        app.get("/whoami")(lambda: f"{request.remote_addr} {request.scheme}")
        response = app.test_client().get(
            "/whoami",
            headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
        return response.get_data(as_text=True)

    assert client_seen_by(0) == "10.0.0.2 http"  # an untrusted header is ignored
    assert client_seen_by(1) == "198.51.100.7 https"


def test_every_rate_limit_is_named_in_webapp_limits():
    """The limits live in one module with their reasons: no view spells a limit string, and
    the client address is read in one place."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "webapp"
    spelled = re.compile(r"[\"']\d+/(?:\d+ )?(?:second|minute|hour|day)s?[\"'; ]")
    for path in root.rglob("*.py"):
        if path.name == "limits.py":
            continue
        text = path.read_text()
        assert not spelled.search(text), f"{path}: a limit string outside webapp/limits.py"
        assert "get_remote_address" not in text, f"{path}: the client key outside limits.py"


def test_commands_are_defined_at_module_level():
    """Each command is a module-level click command (as flaskr and microblog define theirs),
    added to `flask` by its module's register_commands: never a closure over the app."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "webapp"
    for path in root.rglob("*.py"):
        assert "app.cli.command(" not in path.read_text(), path
