"""check-config finds each problem of a production environment, in plain words, and exits
non-zero on an error: the production start (deploy/agenda.service) refuses to run with one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade

from tests.conftest import make_config
from tests.smtp import SMTPServer, free_port
from webapp import create_app
from webapp.config_check import ERROR, WARNING, findings
from webapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def healthy(tmp_path, smtp_server):
    """Settings with nothing wrong: a migrated database, a mail server that answers."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite3'}",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "SECRET_KEY": "k" * 40,
    }


def check(settings, migrated=True, workers=1, **overrides):
    """The findings (level, message) for these settings."""
    settings = {**settings, **overrides}
    app = create_app(make_config(settings.pop("SQLALCHEMY_DATABASE_URI"), **settings))
    with app.app_context():
        if migrated:
            upgrade()
        found = findings(app, workers=workers, timeout=2)
        db.engine.dispose()
    return [(finding.level, finding.message) for finding in found]


def levels_mentioning(found, word):
    return [level for level, message in found if word in message]


def test_a_healthy_environment_has_no_finding(healthy):
    assert check(healthy) == []


def test_a_missing_secret_key_is_an_error(healthy):
    assert levels_mentioning(check(healthy, SECRET_KEY=None), "SECRET_KEY") == [ERROR]


def test_a_base_url_without_https_is_an_error_in_production_only(healthy):
    production = {"PRODUCTION": True, "TRUSTED_PROXIES": 1}
    found = check(healthy, BASE_URL="http://agenda.example", **production)
    assert levels_mentioning(found, "BASE_URL") == [ERROR]
    assert check(healthy, BASE_URL="https://agenda.example", **production) == []
    assert check(healthy, BASE_URL="http://127.0.0.1:5000") == []


def test_production_without_trusted_proxies_is_a_warning(healthy):
    found = check(healthy, PRODUCTION=True, BASE_URL="https://agenda.example")
    assert levels_mentioning(found, "TRUSTED_PROXIES") == [WARNING]


def test_in_memory_limits_with_several_workers_are_an_error(healthy):
    settings = {**healthy, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    assert levels_mentioning(check(settings, workers=4), "Rate limits") == [ERROR]
    assert levels_mentioning(check(settings, workers=1), "Rate limits") == []


def test_no_shared_cache_with_several_workers_is_a_warning(healthy):
    assert levels_mentioning(check(healthy, workers=4), "CACHE_URL") == [WARNING]


def test_a_redis_that_does_not_answer_is_an_error(healthy):
    found = check(healthy, CACHE_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert levels_mentioning(found, "Redis does not answer") == [ERROR]


def test_a_mail_server_that_does_not_answer_is_an_error(healthy):
    found = check(healthy, MAIL_PORT=free_port())
    assert levels_mentioning(found, "mail server") == [ERROR]


@pytest.mark.parametrize("seconds", [0, -5])
def test_a_mail_timeout_that_bounds_nothing_is_an_error(healthy, seconds):
    found = check(healthy, MAIL_TIMEOUT=seconds)
    assert levels_mentioning(found, "MAIL_TIMEOUT") == [ERROR]
    assert levels_mentioning(check(healthy, MAIL_TIMEOUT=0.5), "MAIL_TIMEOUT") == []


def test_a_database_behind_the_migrations_is_an_error(healthy):
    app = create_app(make_config(healthy["SQLALCHEMY_DATABASE_URI"]))
    with app.app_context():
        upgrade()
        downgrade(revision="0008_kind_audience_checks")
        db.engine.dispose()
    found = check(healthy, migrated=False)
    assert found == [(ERROR, found[0][1])]
    assert "0008_kind_audience_checks" in found[0][1] and "db upgrade" in found[0][1]


def test_a_database_without_a_schema_version_is_an_error(database_url, healthy):
    found = check(healthy, migrated=False, SQLALCHEMY_DATABASE_URI=database_url)
    assert levels_mentioning(found, "no schema version") == [ERROR]


def test_the_command_prints_the_findings_and_exits_1_on_an_error(healthy):
    app = create_app(make_config(healthy.pop("SQLALCHEMY_DATABASE_URI"), **healthy))
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
    result = runner.invoke(args=["check-config", "--workers", "1"])
    assert result.exit_code == 0 and "nothing wrong found" in result.output
    app.config["MAIL_PORT"] = free_port()
    result = runner.invoke(args=["check-config", "--workers", "1", "--timeout", "2"])
    assert result.exit_code == 1
    assert "ERROR: The mail server" in result.output and "1 error(s)" in result.output


def test_a_production_start_without_secret_key_refuses_in_plain_words(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "FLASK_ENV", "CACHE_URL", "RATELIMIT_STORAGE_URI"}
    }
    env.update(APP_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'a.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "check-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
