"""The migrations, run from an empty database, build exactly the models' schema (no drift)."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_config
from webapp import create_app
from webapp.extensions import db

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
    wipe_postgres()
    yield POSTGRES_URL
    wipe_postgres()  # the next test's fixture rebuilds the schema from the models


def wipe_postgres():
    app = create_app(make_config(POSTGRES_URL))
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    with app.app_context():
        db.engine.dispose()


def schema_differences(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_gives_the_models_schema_and_downgrade_undoes_it(empty_database):
    app = create_app(make_config(empty_database))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []
            tables = set(inspect(connection).get_table_names())
        assert {"events", "registrations", "outbox_messages", "event_occurrences"} <= tables
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_an_agenda_indexed_before_0005_gets_its_occurrence_facts(empty_database):
    """Upgrading a live database: the index rows take their event's status, kind, audience
    and series, and the content generation starts at 0 (0004)."""
    app = create_app(make_config(empty_database))
    with app.app_context():
        upgrade(revision="0004_content_state")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO series (id, slug, kind, title_fr) "
                    "VALUES (1, 'liaison-sud', 'concertation', 'Liaison ambulatoire-hôpital')"
                )
            )
            for number, (status, kind, audience, series) in enumerate(
                [
                    ("published", "concertation", "professionals", 1),
                    ("draft", "formation", "public", None),
                    ("cancelled", "webinaire", "professionals", None),
                ],
                start=1,
            ):
                connection.execute(
                    text(
                        "INSERT INTO events (id, kind, audience, title_fr, start_at, end_at, "
                        "status, series_id, registration_mode, waitlist_enabled, sequence, "
                        "confirmed_count, created_at, updated_at) VALUES (:id, :kind, "
                        ":audience, 'Activité', :start, :end, :status, :series, 'open', "
                        "true, 0, 0, :start, :start)"
                    ),
                    {
                        "id": number,
                        "kind": kind,
                        "audience": audience,
                        "status": status,
                        "series": series,
                        "start": f"2027-0{number}-01 08:00:00",
                        "end": f"2027-0{number}-01 11:00:00",
                    },
                )
                connection.execute(
                    text(
                        "INSERT INTO event_occurrences (event_id, recurrence_start, start_at, "
                        "end_at, cancelled) VALUES (:id, :start, :start, :end, false)"
                    ),
                    {
                        "id": number,
                        "start": f"2027-0{number}-01 08:00:00",
                        "end": f"2027-0{number}-01 11:00:00",
                    },
                )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT event_id, listed, kind, audience, series_id "
                    "FROM event_occurrences ORDER BY event_id"
                )
            ).all()
            generation = connection.execute(
                text("SELECT generation FROM content_state WHERE id = 1")
            ).scalar()
        assert [tuple(r) for r in rows] == [
            (1, True, "concertation", "professionals", 1),
            (2, False, "formation", "public", None),
            (3, True, "webinaire", "professionals", None),
        ]
        assert generation == 0
        db.engine.dispose()


def test_events_saved_before_0010_are_found_by_their_folded_texts(empty_database):
    """0010 fills the search text of existing events: titles, series, venue, commune (both
    languages) and organiser, without accents or case."""
    app = create_app(make_config(empty_database))
    with app.app_context():
        upgrade(revision="0008_kind_audience_checks")
        statements = [
            "INSERT INTO bassins (id, slug, code, name_fr, name_nl) "
            "VALUES (1, 'sud', 'S', 'Bassin Sud', 'Zorgzone Zuid')",
            "INSERT INTO communes (id, slug, name_fr, name_nl, municipality_slug, "
            "municipality_fr, municipality_nl, postal_codes, bassin_id) "
            "VALUES (1, 'forest', 'Forest', 'Vorst', 'forest', 'Forest', 'Vorst', '1190', 1)",
            "INSERT INTO venues (id, name, address, commune_id) "
            "VALUES (1, 'Maison médicale', 'Rue Émile Féron 3', 1)",
            "INSERT INTO series (id, slug, kind, title_fr) "
            "VALUES (1, 'liaison-sud', 'concertation', 'Liaison ambulatoire-Hôpital')",
            "INSERT INTO organisations (id, name) VALUES (1, 'CPAS de Forest')",
            "INSERT INTO events (id, kind, audience, title_fr, start_at, end_at, status, "
            "series_id, venue_id, organiser_id, registration_mode, waitlist_enabled, sequence, "
            "confirmed_count, created_at, updated_at) VALUES (1, 'concertation', "
            "'professionals', 'Prévention SANTÉ', '2027-01-01 08:00:00', "
            "'2027-01-01 11:00:00', 'published', 1, 1, 1, 'open', true, 0, 0, "
            "'2027-01-01 08:00:00', '2027-01-01 08:00:00')",
        ]
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        upgrade()
        with db.engine.connect() as connection:
            found = connection.execute(text("SELECT search_text FROM events")).scalar()
        for word in ("prevention sante", "hopital", "vorst", "forest", "emile feron", "cpas"):
            assert word in found
        db.engine.dispose()


def test_grand_bain_links_given_before_0028_show_only_the_visits_booked_until_then(
    empty_database,
):
    """0028: a visitor's link handed out so far (it was the page a booking landed on) becomes
    the request link of the visits booked until then; she gets a new link for all her
    visits, which only mail carries. An erased visitor's visits get no link."""
    app = create_app(make_config(empty_database))
    old_token, erased_token = "a" * 43, "b" * 43
    with app.app_context():
        upgrade(revision="0027_offer_contacts_purge")
        at = "'2027-01-01 08:00:00'"
        statements = [
            "INSERT INTO bassins (id, slug, code, name_fr, name_nl) "
            "VALUES (1, 'sud', 'S', 'Bassin Sud', 'Zorgzone Zuid')",
            "INSERT INTO communes (id, slug, name_fr, name_nl, municipality_slug, "
            "municipality_fr, municipality_nl, postal_codes, bassin_id) "
            "VALUES (1, 'forest', 'Forest', 'Vorst', 'forest', 'Forest', 'Vorst', '1190', 1)",
            "INSERT INTO grand_bain_editions (id, year, week_start, week_end, "
            "max_slots_per_offer, max_visits_per_visitor, margin_minutes) "
            "VALUES (1, 2027, '2027-03-01', '2027-03-05', 3, 4, 30)",
            "INSERT INTO grand_bain_offers (id, edition_id, name, sector, address, commune_id, "
            "discover_fr, languages, status, token, language, created_at, updated_at) "
            f"VALUES (1, 1, 'CPAS', 'cpas', 'Rue 1', 1, 'Accueil', 'fr', 'accepted', "
            f"'{'c' * 43}', 'fr', {at}, {at})",
            "INSERT INTO grand_bain_slots (id, offer_id, start_at, end_at, capacity) "
            "VALUES (1, 1, '2027-03-01 08:00:00', '2027-03-01 09:00:00', 5), "
            "(2, 1, '2027-03-02 08:00:00', '2027-03-02 09:00:00', 5)",
            "INSERT INTO grand_bain_visitors (id, edition_id, token, email, language, "
            f"created_at) VALUES (1, 1, '{old_token}', 'x@example.org', 'fr', {at})",
            "INSERT INTO grand_bain_visitors (id, edition_id, token, email, language, "
            f"created_at, anonymised_at) VALUES (2, 1, '{erased_token}', NULL, 'fr', {at}, {at})",
            "INSERT INTO grand_bain_bookings (id, slot_id, visitor_id, status, created_at, "
            f"updated_at) VALUES (1, 1, 1, 'confirmed', {at}, {at}), "
            f"(2, 2, 1, 'cancelled', {at}, {at}), (3, 1, 2, 'confirmed', {at}, {at})",
        ]
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        upgrade()
        with db.engine.connect() as connection:
            links = dict(
                connection.execute(
                    text("SELECT id, request_token FROM grand_bain_bookings ORDER BY id")
                ).all()
            )
            tokens = dict(
                connection.execute(text("SELECT id, token FROM grand_bain_visitors")).all()
            )
        assert links == {1: old_token, 2: old_token, 3: None}
        assert tokens[1] != old_token and len(tokens[1]) == 43
        assert tokens[2] == erased_token  # nobody holds it: left as it is
        db.engine.dispose()


def test_catalogue_rows_saved_before_0029_are_listed_and_found_by_their_folded_texts(
    empty_database,
):
    """0029 fills the search text of existing venues, organisations and series: each field
    folded on a line of its own, the name first (the lists sort by it)."""
    app = create_app(make_config(empty_database))
    with app.app_context():
        upgrade(revision="0027_offer_contacts_purge")
        statements = [
            "INSERT INTO venues (id, name, address, postal_code) "
            "VALUES (1, 'Théâtre Molière', 'Rue Émile Féron 3', '1190')",
            "INSERT INTO series (id, slug, kind, title_fr, title_nl) VALUES "
            "(1, 'liaison-sud', 'concertation', 'Liaison ambulatoire-Hôpital', 'Ziekenhuis')",
            "INSERT INTO organisations (id, name) VALUES (1, 'CPAS de FOREST')",
        ]
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        upgrade()
        with db.engine.connect() as connection:
            texts = [
                connection.execute(text(f"SELECT search_text FROM {table}")).scalar()
                for table in ("venues", "series", "organisations")
            ]
        assert texts == [
            "theatre moliere\nrue emile feron 3\n1190",
            "liaison ambulatoire-hopital\nziekenhuis\nliaison-sud",
            "cpas de forest",
        ]
        db.engine.dispose()


def test_audit_lines_written_before_0033_take_their_action_s_one_name(empty_database):
    """0033: lines written under the old names (hyphens, "grand-bain.offer-accepted") take the
    registry's name, so the audit page shows their label; others stay; downgrade undoes it."""
    from webapp.audit_actions import AuditAction

    old_names = [
        "grand-bain.booked",
        "grand-bain.offer-accepted",
        "grand-bain.offer-changes_requested",
        "grand-bain.edition-saved",
        "proposal.changes-requested",
        "event.published",
        "something.unknown",
    ]
    app = create_app(make_config(empty_database))
    with app.app_context():
        upgrade(revision="0032_staff_sessions")
        with db.engine.begin() as connection:
            for number, action in enumerate(old_names, start=1):
                connection.execute(
                    text(
                        "INSERT INTO audit_entries (id, at, actor_kind, action, subject_type, "
                        "subject_id) VALUES (:id, '2026-01-01 08:00:00', 'system', :action, "
                        "'event', 1)"
                    ),
                    {"id": number, "action": action},
                )
        query = text("SELECT action FROM audit_entries ORDER BY id")
        upgrade()
        with db.engine.connect() as connection:
            renamed = connection.execute(query).scalars().all()
        assert renamed == [
            AuditAction.GRAND_BAIN_BOOKED,
            AuditAction.GRAND_BAIN_OFFER_ACCEPTED,
            AuditAction.GRAND_BAIN_OFFER_CHANGES_REQUESTED,
            AuditAction.GRAND_BAIN_EDITION_UPDATED,
            AuditAction.PROPOSAL_CHANGES_REQUESTED,
            AuditAction.EVENT_PUBLISHED,
            "something.unknown",
        ]
        downgrade(revision="0032_staff_sessions")
        with db.engine.connect() as connection:
            assert connection.execute(query).scalars().all() == old_names
        db.engine.dispose()
