"""Fixtures: the app on a fresh database per test, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

import os
import shutil
import warnings

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

from config import TestConfig
from webapp import create_app
from webapp.extensions import db

BACKENDS = ["sqlite", "postgresql"]


def worker_database(url):
    """The PostgreSQL database of this pytest-xdist worker: `<name>_<worker>`, made if missing.

    Workers run at once and each test empties the tables it uses, so two workers never share a
    database. Without xdist (or without TEST_DATABASE_URL) the URL is the one given."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = worker_database(os.environ.get("TEST_DATABASE_URL"))
if POSTGRES_URL:
    # Test modules that read the variable themselves (migrations, backup) get the worker's too.
    os.environ["TEST_DATABASE_URL"] = POSTGRES_URL


def pytest_configure(config):
    """Compile the Dutch catalogue when it is missing or older than its .po (a bare `pytest`)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


def _reuse_url_builders():
    """Each test builds an app, and Werkzeug compiles two URL builders per route for each (600
    routes: about 40 ms a test, a fifth of a simple test's time). A builder depends only on its
    rule's parsed parts and defaults, and reads the converters of the rule it is bound to, so
    one compiled builder serves the same rule in every app. Skipped if Werkzeug changes shape."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "reused", False):
        return
    builders = {}

    def reused(self, append_unknown=True):
        try:
            key = (
                self.rule,
                tuple(self._trace),
                tuple(sorted((self.defaults or {}).items())),
                append_unknown,
            )
            hash(key)
        except (AttributeError, TypeError):
            return compile_builder(self, append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    reused.reused = True
    Rule._compile_builder = reused


_reuse_url_builders()


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`--dist loadgroup`), the browser tests go to one worker: Chromium
    and the demo agenda's live server start once, not once per worker."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_report_header(config):
    if POSTGRES_URL:
        return f"database tests: SQLite and PostgreSQL ({POSTGRES_URL})"
    return "database tests: SQLite only -- TEST_DATABASE_URL is not set, PostgreSQL tests SKIPPED"


def pytest_terminal_summary(terminalreporter):
    if not POSTGRES_URL:
        terminalreporter.write_sep(
            "!", "PostgreSQL tests were skipped: set TEST_DATABASE_URL to run them", yellow=True
        )


def make_config(database_url, **overrides):
    config = type("Config", (TestConfig,), {})
    config.SQLALCHEMY_DATABASE_URI = database_url
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """An SQLite file with the schema, copied for each test (faster than create_all each time)."""
    path = tmp_path_factory.mktemp("template") / "agenda.sqlite3"
    app = create_app(make_config(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


_postgres_engines = {}


def reset_postgres(url):
    """Empty every table of the test database and restart its sequences.

    The first time in a test run the schema is dropped and rebuilt from the models (a
    database left by an earlier run, or an earlier version of the models, is never trusted),
    and a function `test_reset()` is made that empties the tables in dependency order: one
    round trip per test, where TRUNCATE of every table and a schema check took a second."""
    engine = _postgres_engines.get(url)
    if engine is None:
        app = create_app(make_config(url))
        with app.app_context():
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            db.create_all()
            tables = [t.name for t in reversed(db.metadata.sorted_tables)]
            db.engine.dispose()
        deletes = "".join(f'DELETE FROM "{name}"; ' for name in tables)
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE FUNCTION test_reset() RETURNS void LANGUAGE plpgsql AS $$ "
                    f"DECLARE s record; BEGIN {deletes}"
                    "FOR s IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' "
                    "LOOP EXECUTE format('ALTER SEQUENCE %I RESTART', s.sequencename); "
                    "END LOOP; END $$"
                )
            )
        _postgres_engines[url] = engine
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT test_reset()"))
    except ProgrammingError:
        # A test dropped the schema (tests/test_migrations.py builds its own): build it again.
        _postgres_engines.pop(url).dispose()
        reset_postgres(url)


# For a test that needs what SQLite cannot give (row locks between connections): its
# PostgreSQL run only, rather than an SQLite run that would skip.
postgresql_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, sqlite_template):
    """The URL of an empty database with the current schema, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "agenda.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
    reset_postgres(POSTGRES_URL)
    yield POSTGRES_URL


@pytest.fixture
def app_config():
    """Extra configuration for one test module (override this fixture)."""
    return {}


@pytest.fixture
def app(database_url, app_config):
    app = create_app(make_config(database_url, **app_config))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request in an app context of its own, as in production: a fresh `g` (language,
    cookieless flag) and a database session of its own. The test's session is expired after
    each request so that what the test reads next comes from the database."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) for the test; its inbox holds what the app sent. A
    module whose mail must arrive there says so: `app_config(smtp)` -> mail_config(smtp)."""
    from tests.smtp import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def territory(app):
    """The five bassins and their communes."""
    from webapp.agenda.territory import load_territory

    bassins = load_territory()
    db.session.commit()
    return bassins


@pytest.fixture
def make_event(territory):
    from tests.factories import event_factory

    return event_factory


@pytest.fixture(autouse=True)
def _quiet_warnings():
    warnings.filterwarnings("ignore", message=".*Using the in-memory storage.*")
    yield


@pytest.fixture(autouse=True)
def _page_cache_minute(monkeypatch):
    """Hold the page cache's minute still for the test, so a test that crosses a minute
    boundary sees the same keys and ETags; a test that moves it does so explicitly."""
    from webapp import pagecache
    from webapp.timezones import utcnow

    start = utcnow()
    monkeypatch.setattr(pagecache, "utcnow", lambda: start)


def engine_for(url):
    return create_engine(url)
