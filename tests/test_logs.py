"""Logging reaches the operator: one line a record (time, level, logger, message), text or
JSON, for the web process under gunicorn as for commands, and never a person in it."""

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPRedirectHandler, Request, build_opener

import pytest

from webapp import logs
from webapp.tokens import new_token

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def test_mask_hides_addresses_and_tokens_and_keeps_the_rest():
    token = new_token()
    text = f"GET /registrations/{token}/cancel for anne.dupont+x@example.org (registration 12)"
    assert logs.mask(text) == "GET /registrations/…/cancel for …@… (registration 12)"


def test_the_handler_masks_arguments_and_exceptions(capsys):
    logging.config.dictConfig(logs.logging_config("INFO", "text"))
    try:
        logger = logging.getLogger("webapp.test")
        try:
            raise ValueError("bad address marie@example.org")
        except ValueError:
            logger.exception("failed for %s", "marie@example.org")
    finally:
        logs._configured = None
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    written = capsys.readouterr().err
    assert "marie@example.org" not in written
    assert "failed for …@…" in written and "ValueError: bad address …@…" in written
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} ERROR webapp\.test: ", written)


def test_unknown_settings_fall_back_and_are_reported():
    assert logs.logging_config("loud")["root"]["level"] == "INFO"
    problems = logs.config_problems({"LOG_LEVEL": "loud", "LOG_FORMAT": "xml"})
    assert len(problems) == 2 and "LOG_LEVEL" in problems[0] and "LOG_FORMAT" in problems[1]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(tmp_path, **extra):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "APP_", "FLASK_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'agenda.sqlite3'}",
        "SECRET_KEY": "logs-test-secret",
        "BASE_URL": "http://127.0.0.1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": "1",
        **extra,
    }


def _flask(env, *args):
    return subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def gunicorn_json(tmp_path):
    """gunicorn serving one event, the app logging JSON at INFO; yields (port, log path)."""
    env = _environment(tmp_path, LOG_FORMAT="json", LOG_LEVEL="INFO")
    _flask(env, "db", "upgrade")
    events = tmp_path / "events.json"
    events.write_text(
        json.dumps(
            [
                {
                    "external_id": "logs-1",
                    "kind": "concertation",
                    "title": "Concertation santé mentale #3",
                    "bassins": ["sud"],
                    "audience": "professionals",
                    "start": "2031-03-23T13:00:00+01:00",
                    "end": "2031-03-23T16:00:00+01:00",
                    "registration": "open",
                    "capacity": 20,
                }
            ]
        )
    )
    imported = _flask(env, "import-events", str(events))
    event_id = json.loads(imported.stdout.strip().splitlines()[-1])["id"]
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, event_id, log_path
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_a_registration_under_gunicorn_logs_json_lines_without_the_person(gunicorn_json):
    port, event_id, log_path = gunicorn_json
    opener = build_opener(_NoRedirect)
    base = f"http://127.0.0.1:{port}"
    form = opener.open(f"{base}/events/{event_id}/register")
    cookie = form.headers["Set-Cookie"].split(";")[0]
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.read().decode())
    person = {
        "csrf_token": unescape(csrf.group(1)) if csrf else "",
        "first_name": "Maïté",
        "last_name": "Vandermeulen",
        "email": "maite.vandermeulen@example.org",
        "organisation": "CPAS de Forest",
        "sector": "cpas",
        "job_title": "Assistante sociale",
        "consent": "y",
    }
    request = Request(
        f"{base}/events/{event_id}/register",
        data=urlencode(person).encode(),
        headers={"Cookie": cookie},
    )
    try:
        opener.open(request)
        status = 200
    except Exception as answer:  # urllib raises on the 303 it was told not to follow
        status = getattr(answer, "code", None)
        location = answer.headers["Location"]
    assert status == 303, status
    token = location.rstrip("/").rsplit("/", 1)[-1]
    lines = [line for line in log_path.read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    audit = [r for r in records if r["logger"] == "webapp.audit" and r["level"] == "INFO"]
    assert any("registration" in r["message"] for r in audit), records
    text = log_path.read_text()
    for secret in ("Maïté", "Vandermeulen", "maite.vandermeulen@example.org", token):
        assert secret not in text
