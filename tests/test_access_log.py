"""Personal-link tokens never reach a log (webapp/access_log.py): every token route of the
URL map is logged with `…` for its token, by gunicorn's logger (deploy/gunicorn.conf.py,
run for real in tests/test_deploy_e2e.py) and by the development server of `make run`."""

import os
import subprocess
import sys

import httpx
import pytest

from tests.conftest import make_config
from tests.deployment import ROOT, free_port, personal_links, wait_until
from webapp import create_app
from webapp.access_log import mask_tokens
from webapp.extensions import db


@pytest.fixture(scope="module")
def url_map_app():
    return create_app(make_config("sqlite://"))


def test_every_route_with_a_token_is_found_in_the_url_map(url_map_app):
    endpoints = {rule.endpoint for rule, _, _ in personal_links(url_map_app)}
    # The personal links of the brief: registrations, their feed, evaluations, Grand Bain.
    assert {
        "registrations.manage",
        "registrations.personal_feed",
        "evaluations.answer",
        "evaluations.open_link",
        "grandbain.visits",
        "grandbain.visits_feed",
        "grandbain.host",
        "grandbain.host_export_csv",
        "proposals.follow",
        "auth.password_reset",
    } <= endpoints


def test_every_personal_link_is_logged_with_its_token_masked(url_map_app):
    for rule, url, token in personal_links(url_map_app):
        line = (
            f'127.0.0.1 - - [07/Dec/2026:18:30:36 +0000] "GET {url}?lang=nl HTTP/1.1" 200 12 '
            f'"https://agenda.example.brussels{url}" "Mozilla/5.0"'
        )
        masked = mask_tokens(line)
        assert token not in masked, rule.rule
        shown = url.replace(token, "…")
        assert f'"GET {shown}?lang=nl HTTP/1.1"' in masked, rule.rule
        assert f'"https://agenda.example.brussels{shown}"' in masked, rule.rule


def test_other_paths_are_logged_as_they_are(url_map_app):
    for path in (
        "/events/2147483647/register",
        "/series/concertation-sante-mentale-et-precarite-bruxelles",
        "/static/css/site.css?v=0123456789ab",
        "/bassins/nord-est/agenda.ics?kind=concertation",
        "/embed/bassins/sud?limit=10",
        "/admin/events/12/participants.csv",
        "/password/reset",
    ):
        line = f'"GET {path} HTTP/1.1" 200'
        assert mask_tokens(line) == line


def test_a_segment_longer_or_shorter_than_a_token_is_not_masked():
    token = "A" * 43
    assert mask_tokens(f"/registrations/{token}x") == f"/registrations/{token}x"
    assert mask_tokens(f"/registrations/{token[1:]}") == f"/registrations/{token[1:]}"
    assert mask_tokens(f"/registrations/{token}/cancel") == "/registrations/…/cancel"


def test_the_development_server_logs_token_paths_masked(url_map_app, tmp_path):
    """`make run` is `flask run`: Werkzeug's request log goes through the same function."""
    (rule, url, token), *_ = [
        link for link in personal_links(url_map_app) if link[0].endpoint == "registrations.manage"
    ]
    database = f"sqlite:///{tmp_path / 'agenda.sqlite3'}"
    app = create_app(make_config(database))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database,
        "SECRET_KEY": "x" * 40,
    }
    log = tmp_path / "flask-run.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(
                lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code,
                "flask run",
                server,
                log,
            )
            answer = httpx.get(f"http://127.0.0.1:{port}{url}")
            assert answer.status_code == 404  # nobody's link: logged all the same
        finally:
            server.terminate()
            server.wait()
    written = log.read_text()
    assert f'"GET {url.replace(token, "…")} HTTP/1.1" 404' in written
    assert token not in written
