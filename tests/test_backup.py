"""Backups restore: a PostgreSQL database with events and registrations, dumped with
`pg_dump -Fc` and restored with `pg_restore` into a fresh database, answers the same on its
feeds, event page and personal pages (status, ETag, body), as deploy/README.md promises."""

import os
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import FreshContextClient, make_config, reset_postgres
from tests.edge import rules
from tests.factories import event_factory
from webapp import create_app
from webapp.agenda.territory import load_territory
from webapp.extensions import db
from webapp.timezones import utcnow

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
CSRF_VALUE = re.compile(rb'name="csrf_token" value="[^"]*"')


def libpq_url(url):
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def major(version_text):
    return int(re.search(r"(\d+)", version_text).group(1))


def client_tools_or_skip(server_url):
    """pg_dump and pg_restore of the server's major version (newer is fine), or skip saying
    what is missing."""
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.skip(f"backup round-trip: {tool} is not installed (Debian: postgresql-client)")
    engine = create_engine(server_url)
    with engine.connect() as connection:
        server = int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000
    engine.dispose()
    for tool in ("pg_dump", "pg_restore"):
        found = major(subprocess.run([tool, "--version"], capture_output=True, text=True).stdout)
        if found < server:
            pytest.skip(f"backup round-trip: {tool} {found} is older than the server ({server})")


@pytest.fixture
def restore_url():
    """A fresh database `<test database>_restore` on the same server, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("backup round-trip: PostgreSQL only, TEST_DATABASE_URL is not set")
    client_tools_or_skip(POSTGRES_URL)
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


def fill():
    """Events, a repeating one, registrations confirmed and waitlisted: the personal tokens."""
    load_territory()
    db.session.commit()
    soon = event_factory(title="Concertation liaison ambulatoire-hôpital", capacity=1)
    event_factory(title="Formation Diogène", start=utcnow() + timedelta(days=20), capacity=10)
    event_factory(title="RDV prévention", rrule="FREQ=MONTHLY;BYDAY=3MO", capacity=None)
    people = [
        {
            "first_name": "Anne",
            "last_name": f"Peeters{n}",
            "email": f"anne.{n}@example.org",
            "organisation": "CPAS d'Etterbeek",
            "sector": "cpas",
            "job_title": "Assistante sociale",
            "commune": "Etterbeek",
        }
        for n in (1, 2)
    ]
    confirmed = rules.register(soon.id, people[0]).registration
    waitlisted = rules.register(soon.id, people[1]).registration
    return soon.id, [(r.token, r.calendar_token, r.mailbox_token) for r in (confirmed, waitlisted)]


def answers(app, paths):
    """(status, ETag, body) of each path, from a fresh client of `app`."""
    app.test_client_class = FreshContextClient
    client = app.test_client()
    result = {}
    for path in paths:
        response = client.get(path)
        # A form's CSRF token belongs to the browser's session, not to the data restored.
        body = CSRF_VALUE.sub(b'name="csrf_token" value="..."', response.data)
        result[path] = (response.status_code, response.headers.get("ETag"), body)
    return result


def test_a_restored_backup_answers_the_same_feeds_and_personal_pages(restore_url, tmp_path):
    reset_postgres(POSTGRES_URL)
    source = create_app(make_config(POSTGRES_URL))
    with source.app_context():
        event_id, tokens = fill()
        paths = ["/agenda.ics", "/bassins/sud/agenda.ics", f"/events/{event_id}"]
        paths.append(f"/events/{event_id}.ics")
        for token, calendar_token, mailbox_token in tokens:
            paths += [f"/registrations/{token}", f"/calendar/{calendar_token}.ics"]
            paths.append(f"/calendar/{mailbox_token}.ics")
        before = answers(source, paths)
        db.session.remove()
        db.engine.dispose()

    dump = tmp_path / "agenda.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "-f", str(dump), libpq_url(POSTGRES_URL)], check=True, timeout=120
    )
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", libpq_url(restore_url), str(dump)],
        check=True,
        timeout=120,
    )

    restored = create_app(make_config(restore_url))
    with restored.app_context():
        after = answers(restored, paths)
        db.session.remove()
        db.engine.dispose()

    assert all(status == 200 for status, _, _ in before.values()), before
    assert all(etag for path, (_, etag, _) in before.items() if path.endswith(".ics"))
    for path in paths:
        assert after[path] == before[path], path
