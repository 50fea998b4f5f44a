"""The catalogue's operations: save a series, venue or organisation (one audit line, refusals
with a reason), merge two duplicates (every foreign key follows, whatever its table)."""

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, func, select

from webapp import content_state
from webapp.agenda import catalogue
from webapp.agenda.catalogue import CatalogueRefused
from webapp.agenda.models import (
    Bassin,
    Event,
    EventOccurrence,
    OccurrenceOverride,
    Organisation,
    Series,
    Venue,
    series_bassins,
)
from webapp.audit import Actor, AuditEntry
from webapp.auth.scopes import Scope, event_filter
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work

STAFF = Actor.account(7)


def run(operation, *args, **kwargs):
    with unit_of_work():
        return operation(*args, **kwargs)


def audit_lines():
    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()


def bassins(*slugs):
    return db.session.scalars(select(Bassin).where(Bassin.slug.in_(slugs))).all()


def pointing_at(model, row_id):
    """Every (table.column, count) of foreign keys anywhere that still name the row."""
    found = {}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is model.__table__:
                n = db.session.scalar(
                    select(func.count()).select_from(table).where(fk.parent == row_id)
                )
                if n:
                    found[f"{table.name}.{fk.parent.name}"] = n
    return found


def test_save_series_creates_then_updates_with_before_and_after(territory):
    series = run(
        catalogue.save_series,
        None,
        {
            "slug": "sud-sm",
            "title_fr": "Santé mentale",
            "kind": "concertation",
            "bassins": bassins("sud"),
        },
        STAFF,
    )
    run(catalogue.save_series, series.id, {"title_nl": "Geestelijke gezondheid"}, STAFF)
    created, updated = audit_lines()
    assert (created.action, created.after["slug"], created.after["bassins"]) == (
        "series.created",
        "sud-sm",
        ["sud"],
    )
    assert (updated.action, updated.before, updated.after) == (
        "series.updated",
        {"title_nl": None},
        {"title_nl": "Geestelijke gezondheid"},
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"slug": "Santé"}, "invalid-slug"),
        ({"slug": "a--b"}, "invalid-slug"),
        ({"slug": "ok", "theme": "Pas Bon"}, "invalid-slug"),
        ({"slug": "ok", "kind": "soirée"}, "unknown-kind"),
        ({"slug": "taken"}, "slug-taken"),
        ({"slug": "ok", "bassins": []}, "bassin-needed"),
    ],
)
def test_save_series_refuses_with_a_reason(territory, data, reason):
    run(catalogue.save_series, None, {"slug": "taken", "title_fr": "Pris"}, STAFF)
    with pytest.raises(CatalogueRefused) as refused:
        run(catalogue.save_series, None, {"title_fr": "Nouvelle", **data}, STAFF)
    assert refused.value.reason == reason
    assert db.session.scalar(select(func.count()).select_from(Series)) == 1


def test_a_series_slug_stays_once_a_meeting_is_public(make_event):
    draft = make_event(series_slug="sm", status="draft")
    run(catalogue.save_series, draft.series_id, {"slug": "sm-2"}, STAFF)
    make_event(series_slug="sm-2")
    with pytest.raises(CatalogueRefused) as refused:
        run(catalogue.save_series, draft.series_id, {"slug": "sm-3"}, STAFF)
    assert refused.value.reason == "slug-in-public-use"


def test_save_venue_refuses_a_second_venue_at_one_address(territory):
    data = {"name": "Wiels", "address": "Avenue Van Volxem 354"}
    run(catalogue.save_venue, None, data, STAFF)
    with pytest.raises(CatalogueRefused) as refused:
        run(catalogue.save_venue, None, data, STAFF)
    assert (refused.value.reason, refused.value.field) == ("venue-exists", "name")


def test_editing_a_venue_tells_calendars(make_event):
    event = make_event()
    sequence = event.sequence
    run(catalogue.save_venue, event.venue_id, {"address": "Rue Nouvelle 1"}, STAFF)
    db.session.expire_all()
    assert db.session.get(Event, event.id).sequence == sequence + 1
    (line,) = audit_lines()
    assert line.action == "venue.updated" and line.after == {"address": "Rue Nouvelle 1"}


def test_save_organisation_refuses_a_taken_name_and_an_unknown_sector(territory):
    run(catalogue.save_organisation, None, {"name": "CPAS de Forest", "sector": "cpas"}, STAFF)
    for data, reason in (
        ({"name": "CPAS de Forest"}, "name-taken"),
        ({"name": "Autre", "sector": "pirate"}, "unknown-sector"),
    ):
        with pytest.raises(CatalogueRefused) as refused:
            run(catalogue.save_organisation, None, data, STAFF)
        assert refused.value.reason == reason
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


@pytest.fixture
def two_venues(make_event):
    """A duplicate venue used by an event, a repeating event's date and the agenda index."""
    from tests.factories import venue

    survivor = venue("Wiels", "forest", "Avenue Van Volxem 354")
    removed = venue("Wiels (bis)", "forest", "Av. Van Volxem 354")
    db.session.commit()
    event = make_event(commune=None)
    event.venue_id = removed.id
    weekly = make_event(rrule="FREQ=WEEKLY;COUNT=3", kind="rdv-prevention")
    first = weekly.start_at
    weekly.overrides.append(
        OccurrenceOverride(
            recurrence_start=first, start_at=first, end_at=weekly.end_at, venue_id=removed.id
        )
    )
    db.session.commit()
    return survivor.id, removed.id, event.id, weekly.id


def test_merging_venues_leaves_no_foreign_key_on_the_removed_one(two_venues):
    survivor_id, removed_id, event_id, weekly_id = two_venues
    assert set(pointing_at(Venue, removed_id)) == {
        "events.venue_id",
        "occurrence_overrides.venue_id",
        "event_occurrences.venue_id",
    }
    generation = content_state.current_generation()
    merge = run(catalogue.merge_venues, removed_id, survivor_id, STAFF)
    db.session.expire_all()
    assert pointing_at(Venue, removed_id) == {}
    assert db.session.get(Venue, removed_id) is None
    assert db.session.get(Event, event_id).venue_id == survivor_id
    assert (
        db.session.scalar(
            select(func.count()).where(
                EventOccurrence.event_id == weekly_id, EventOccurrence.venue_id == survivor_id
            )
        )
        >= 1
    )
    assert {ref.name: ref.count for ref in merge.moved}["events.venue_id"] == 1
    assert content_state.current_generation() > generation
    (line,) = audit_lines()
    assert (line.action, line.subject_id, line.before["id"]) == (
        "venue.merged",
        survivor_id,
        removed_id,
    )
    assert line.after["survivor_id"] == survivor_id
    assert line.after["occurrence_overrides.venue_id"] == 1


def test_a_merge_follows_a_table_added_later(app, two_venues):
    """A foreign key the code never names (a later table) is found in the metadata."""
    survivor_id, removed_id, _event_id, _weekly_id = two_venues
    later = Table(
        "later_venue_notes",
        db.metadata,
        Column("id", Integer, primary_key=True),
        Column("venue_id", ForeignKey("venues.id")),
    )
    try:
        later.create(db.engine)
        db.session.execute(later.insert().values(id=1, venue_id=removed_id))
        db.session.commit()
        run(catalogue.merge_venues, removed_id, survivor_id, STAFF)
        assert db.session.scalar(select(later.c.venue_id)) == survivor_id
        assert pointing_at(Venue, removed_id) == {}
    finally:
        db.session.rollback()
        later.drop(db.engine)
        db.metadata.remove(later)


def test_a_link_table_keeps_one_link_per_survivor(app, territory):
    """Rows of a link table that the survivor already has are dropped, not duplicated."""
    links = Table(
        "organisation_bassins_probe",
        db.metadata,
        Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
        Column("bassin_id", ForeignKey("bassins.id"), primary_key=True),
    )
    try:
        links.create(db.engine)
        survivor, removed = Organisation(name="A"), Organisation(name="A bis")
        db.session.add_all([survivor, removed])
        db.session.flush()
        sud, nord = _ids("sud", "nord")
        db.session.execute(
            links.insert(),
            [
                {"organisation_id": survivor.id, "bassin_id": sud},
                {"organisation_id": removed.id, "bassin_id": sud},
                {"organisation_id": removed.id, "bassin_id": nord},
            ],
        )
        db.session.commit()
        run(catalogue.merge_organisations, removed.id, survivor.id, STAFF)
        rows = db.session.execute(select(links.c.organisation_id, links.c.bassin_id)).all()
        assert sorted(rows) == sorted([(survivor.id, sud), (survivor.id, nord)])
    finally:
        db.session.rollback()
        links.drop(db.engine)
        db.metadata.remove(links)


def _ids(*slugs):
    found = {b.slug: b.id for b in bassins(*slugs)}
    return [found[slug] for slug in slugs]


def test_merging_organisations_moves_events_and_accounts(make_event):
    from webapp.auth.accounts import save_account
    from webapp.auth.models import Account

    survivor, removed = Organisation(name="Infor-Jeunes"), Organisation(name="Infor Jeunes")
    db.session.add_all([survivor, removed])
    db.session.commit()
    survivor_id, removed_id = survivor.id, removed.id
    event = make_event(organiser=removed)
    with unit_of_work():
        account_id = save_account(
            "ij@example.org", "concertation-bassin-2027", "service", organisation="Infor Jeunes"
        ).id
    run(catalogue.merge_organisations, removed_id, survivor_id, STAFF)
    db.session.expire_all()
    assert pointing_at(Organisation, removed_id) == {}
    assert db.session.get(Event, event.id).organiser_id == survivor_id
    assert "infor-jeunes" in db.session.get(Event, event.id).search_text
    assert db.session.get(Account, account_id).organisation_id == survivor_id


@pytest.mark.parametrize("survivor", ["self", "missing"])
def test_a_merge_with_itself_or_a_missing_row_changes_nothing(two_venues, survivor):
    _survivor_id, removed_id, event_id, _weekly_id = two_venues
    other = removed_id if survivor == "self" else 999999
    with pytest.raises(CatalogueRefused):
        run(catalogue.merge_venues, removed_id, other, STAFF)
    db.session.expire_all()
    assert db.session.get(Event, event_id).venue_id == removed_id
    assert audit_lines() == []


def test_a_merge_moving_another_bassins_events_is_refused(two_venues, make_event):
    survivor_id, removed_id, _event_id, _weekly_id = two_venues
    nord = make_event(bassins=("nord",), commune=None)
    nord.venue_id = removed_id
    db.session.commit()
    with pytest.raises(CatalogueRefused) as refused:
        run(
            catalogue.merge_venues,
            removed_id,
            survivor_id,
            STAFF,
            events_within=event_filter(Scope.of_bassins("sud")),
        )
    assert refused.value.reason == "foreign-events"
    db.session.expire_all()
    assert db.session.get(Venue, removed_id) is not None


def test_series_bassins_is_a_link_table(app):
    """series_bassins has no mapped class and only key columns: merges de-duplicate it."""
    assert catalogue._is_link_table(series_bassins)
    assert not catalogue._is_link_table(EventOccurrence.__table__)


def test_an_organisation_named_in_words_is_found_accents_case_and_spaces_aside(app):
    first = catalogue.organisation_named("CPAS de Forêt")
    db.session.flush()
    assert catalogue.organisation_named("cpas  DE foret") is first
    other = catalogue.organisation_named("  Infor-Drogues ")
    db.session.flush()
    assert other is not first and other.name == "Infor-Drogues"
    assert db.session.scalar(select(func.count(Organisation.id))) == 2


def test_probable_twins_are_found_by_name_or_by_address_in_the_same_commune():
    from types import SimpleNamespace as Row

    from webapp.agenda.catalogue import names_alike, probable_twins

    typed = Row(name="Maison de Quartier St-Antoine", address="Rue du Charroi, 33", commune_id=1)
    same_place = Row(
        name="Maison de quartier Saint-Antoine", address="Rue du Charroi 33", commune_id=1
    )
    elsewhere = Row(name="Salle Saint-Antoine", address="Rue du Charroi 33", commune_id=2)
    same_name = Row(name="MAISON DE QUARTIER ST ANTOINE", address="", commune_id=None)
    # Each found for one reason, then by name ("saint" before "st").
    assert probable_twins(typed, [elsewhere, same_name, same_place]) == [
        (same_place, ["address"]),
        (same_name, ["name"]),
    ]
    assert names_alike("Bassin Sud", "Équipe d'appui du Bassin Sud")
    assert not names_alike("Sud", "Équipe d'appui du Bassin Sud")  # too short to tell
    assert not names_alike("", "Bassin Sud")
