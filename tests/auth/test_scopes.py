"""Each scope reaches only its own events, registrations and venues; others are not found."""

import pytest
from sqlalchemy import select

from tests.edge import rules
from tests.factories import venue as make_venue
from webapp.agenda.models import EventOccurrence, OccurrenceOverride, Organisation, Venue
from webapp.auth.scopes import (
    Scope,
    editable_organisations_in,
    editable_venues_in,
    events_in,
    find,
    organisation_edit_filter,
    organisations_in,
    registrations_in,
    venue_edit_filter,
    venues_in,
)
from webapp.extensions import db
from webapp.registrations.models import Registration


@pytest.fixture
def agenda(make_event):
    service = Organisation(name="Maison médicale du Midi")
    db.session.add(service)
    db.session.flush()
    events = {
        "sud": make_event(title="Sud", bassins=("sud",), commune="forest", capacity=5),
        "nord": make_event(title="Nord", bassins=("nord",), commune="schaerbeek", capacity=5),
        "both": make_event(
            title="Sud et Nord", bassins=("sud", "nord"), commune="forest", capacity=5
        ),
        "service": make_event(
            title="Service", bassins=("sud-est",), commune="etterbeek", organiser=service
        ),
    }
    for n, event in enumerate(events.values()):
        person = {"first_name": "A", "last_name": "B", "email": f"p{n}@example.org"}
        if event.capacity:
            rules.register(event.id, person)
    return service, events


def titles(statement):
    return sorted(e.title_fr for e in db.session.scalars(statement))


def test_everything_reaches_every_event(agenda):
    assert titles(events_in(Scope.all())) == ["Nord", "Service", "Sud", "Sud et Nord"]


def test_a_bassin_reaches_its_events_including_shared_ones(agenda):
    assert titles(events_in(Scope.of_bassins("sud"))) == ["Sud", "Sud et Nord"]
    assert titles(events_in(Scope.of_bassins("nord", "sud"))) == ["Nord", "Sud", "Sud et Nord"]
    assert titles(events_in(Scope.of_bassins("centre-ouest"))) == []


def test_an_organisation_reaches_the_events_it_organises(agenda):
    service, _events = agenda
    assert titles(events_in(Scope.of_organisation(service.id))) == ["Service"]


def test_an_empty_scope_reaches_nothing(agenda):
    assert titles(events_in(Scope())) == []


def test_registrations_follow_their_event(agenda):
    _service, events = agenda
    reached = db.session.scalars(registrations_in(Scope.of_bassins("nord"))).all()
    assert sorted(r.event_id for r in reached) == sorted([events["nord"].id, events["both"].id])
    assert len(db.session.scalars(registrations_in(Scope.all())).all()) == 3


def venue_ids(statement):
    return {venue.id for venue in db.session.scalars(statement)}


def test_a_bassin_changes_the_venues_of_its_communes_not_those_of_a_shared_event(agenda):
    service, events = agenda
    ganshoren = make_venue("Salle Nord", "ganshoren", "Rue de Nord 1")
    db.session.commit()
    nord, sud = Scope.of_bassins("nord"), Scope.of_bassins("sud")
    assert venue_ids(editable_venues_in(nord)) == {ganshoren.id}
    # A Forest venue (Sud's commune) that Nord reaches through the event they share.
    assert events["both"].venue_id in venue_ids(venues_in(nord))
    assert events["both"].venue_id not in venue_ids(editable_venues_in(nord))
    assert events["both"].venue_id in venue_ids(editable_venues_in(sud))
    assert find(db.session, nord, Venue, events["both"].venue_id, venue_edit_filter) is None
    for scope in (nord, sud, Scope.of_bassins("nord", "sud")):
        assert venue_ids(editable_venues_in(scope)) <= venue_ids(venues_in(scope))
    assert venue_ids(editable_venues_in(Scope.all())) == venue_ids(select(Venue))
    assert venue_ids(editable_venues_in(Scope.of_organisation(service.id))) == set()


def test_a_venue_in_another_bassins_commune_is_not_changed_by_a_bassin_using_it(agenda):
    _service, events = agenda
    schaerbeek = events["nord"].venue_id  # Nord's own event, in Bassin Nord-Est's commune
    nord = Scope.of_bassins("nord")
    assert schaerbeek in venue_ids(venues_in(nord))
    assert schaerbeek not in venue_ids(editable_venues_in(nord))
    assert schaerbeek in venue_ids(editable_venues_in(Scope.of_bassins("nord-est")))


def test_a_venue_without_commune_is_changed_by_the_bassins_whose_events_alone_use_it(
    agenda, make_event
):
    _service, events = agenda
    place = Venue(name="Salle sans commune", address="Rue 1")
    db.session.add(place)
    db.session.flush()
    events["nord"].venue_id = place.id
    db.session.commit()
    nord, sud = Scope.of_bassins("nord"), Scope.of_bassins("sud")
    assert place.id in venue_ids(editable_venues_in(nord))
    assert place.id not in venue_ids(editable_venues_in(sud))  # not even reached
    # A date of a Sud series moved there: the place is no longer Nord's alone.
    weekly = make_event(title="Sud chaque semaine", commune=None, rrule="FREQ=WEEKLY;COUNT=3")
    first = db.session.scalars(
        select(EventOccurrence).where(EventOccurrence.event_id == weekly.id)
    ).first()
    weekly.overrides.append(
        OccurrenceOverride(
            recurrence_start=first.recurrence_start,
            start_at=first.start_at,
            end_at=first.end_at,
            venue_id=place.id,
        )
    )
    db.session.commit()
    assert place.id not in venue_ids(editable_venues_in(nord))
    assert place.id in venue_ids(editable_venues_in(Scope.of_bassins("nord", "sud")))
    # So does an event Nord shares with Sud held there.
    weekly.overrides.clear()
    events["both"].venue_id = place.id
    db.session.commit()
    assert place.id not in venue_ids(editable_venues_in(nord))


def test_venues_of_a_bassin_are_those_in_its_communes_or_used_by_its_events(agenda):
    _service, events = agenda
    nord = {v.id for v in db.session.scalars(venues_in(Scope.of_bassins("nord")))}
    assert events["nord"].venue_id in nord
    assert events["both"].venue_id in nord  # a Forest venue, used by a shared event
    assert events["sud"].venue_id not in nord
    every = db.session.scalars(select(Venue)).all()
    assert {v.id for v in db.session.scalars(venues_in(Scope.all()))} == {v.id for v in every}


def test_an_object_outside_the_scope_is_not_found(agenda):
    service, events = agenda
    sud = Scope.of_bassins("sud")
    assert find(db.session, sud, type(events["sud"]), events["sud"].id) is events["sud"]
    assert find(db.session, sud, type(events["nord"]), events["nord"].id) is None
    foreign = db.session.scalar(
        select(Registration).where(Registration.event_id == events["nord"].id)
    )
    assert find(db.session, sud, Registration, foreign.id) is None
    assert find(db.session, Scope.of_organisation(service.id), Registration, foreign.id) is None
    assert find(db.session, Scope.all(), Registration, foreign.id) is foreign


def test_proposals_follow_the_bassins_and_organiser_of_their_event(territory):
    from tests.proposals.factory import submitted
    from webapp.proposals.models import Proposal

    sud = submitted(bassins=("sud",))
    shared = submitted(bassins=("sud", "nord"))
    assert find(db.session, Scope.of_bassins("sud"), Proposal, sud.id) is not None
    assert find(db.session, Scope.of_bassins("nord"), Proposal, sud.id) is None
    assert find(db.session, Scope.of_bassins("nord"), Proposal, shared.id) is not None
    assert find(db.session, Scope.all(), Proposal, sud.id) is not None
    assert find(db.session, Scope(), Proposal, sud.id) is None
    assert find(db.session, Scope.of_organisation(1), Proposal, sud.id) is None


def test_series_of_a_bassin_are_those_that_have_it(agenda, make_event):
    from webapp.auth.scopes import series_in

    make_event(series_slug="sud-sm", bassins=("sud",))
    make_event(series_slug="partagee", bassins=("sud", "nord"))
    make_event(series_slug="nord-sm", bassins=("nord",))

    def slugs(scope):
        return sorted(s.slug for s in db.session.scalars(series_in(scope)))

    assert slugs(Scope.of_bassins("sud")) == ["partagee", "sud-sm"]
    assert slugs(Scope.of_bassins("nord")) == ["nord-sm", "partagee"]
    assert slugs(Scope.all()) == ["nord-sm", "partagee", "sud-sm"]
    assert slugs(Scope.of_organisation(1)) == []


def test_organisations_of_a_bassin_are_in_its_communes_or_organise_its_events(agenda):
    from webapp.agenda.models import Commune
    from webapp.auth.scopes import organisations_in

    service, _events = agenda  # organises an event of Sud-Est
    forest = db.session.scalar(select(Commune).where(Commune.slug == "forest"))
    in_forest = Organisation(name="CPAS de Forest", commune=forest)
    elsewhere = Organisation(name="Service sans commune")
    db.session.add_all([in_forest, elsewhere])
    db.session.commit()

    def names(scope):
        return sorted(o.name for o in db.session.scalars(organisations_in(scope)))

    assert names(Scope.of_bassins("sud")) == ["CPAS de Forest"]
    assert names(Scope.of_bassins("sud-est")) == ["Maison médicale du Midi"]
    assert names(Scope.of_bassins("nord")) == []
    assert names(Scope.of_organisation(service.id)) == ["Maison médicale du Midi"]
    assert len(names(Scope.all())) == 3
    assert find(db.session, Scope.of_bassins("nord"), Organisation, in_forest.id) is None


def organisation_ids(statement):
    return {organisation.id for organisation in db.session.scalars(statement)}


def test_a_bassin_changes_the_organisations_whose_every_event_it_reaches(agenda, make_event):
    service, events = agenda  # organises an event of Sud-Est only
    imported = Organisation(name="Service importé")  # no commune, as an import makes it
    db.session.add(imported)
    events["both"].organiser = imported
    db.session.commit()
    nord, sud = Scope.of_bassins("nord"), Scope.of_bassins("sud")
    # Only the event Sud and Nord share: both reach it and may change it, as that event.
    assert imported.id in organisation_ids(editable_organisations_in(nord))
    assert imported.id in organisation_ids(editable_organisations_in(sud))
    # It also organises Sud's own event: Nord still chooses it, no longer changes it.
    events["sud"].organiser = imported
    db.session.commit()
    assert imported.id in organisation_ids(organisations_in(nord))
    assert imported.id not in organisation_ids(editable_organisations_in(nord))
    assert find(db.session, nord, Organisation, imported.id, organisation_edit_filter) is None
    assert imported.id in organisation_ids(editable_organisations_in(sud))
    assert imported.id in organisation_ids(
        editable_organisations_in(Scope.of_bassins("nord", "sud"))
    )
    # An event of no bassin at all (an admin's): no bassin changes its organisation.
    make_event(title="Sans bassin", bassins=(), organiser=imported)
    assert imported.id not in organisation_ids(editable_organisations_in(sud))
    assert service.id in organisation_ids(editable_organisations_in(Scope.of_bassins("sud-est")))
    assert service.id not in organisation_ids(editable_organisations_in(sud))


def test_an_organisation_without_events_is_the_bassins_of_its_commune_else_an_admins(agenda):
    from webapp.agenda.models import Commune

    service, _events = agenda
    forest = db.session.scalar(select(Commune).where(Commune.slug == "forest"))
    in_forest = Organisation(name="CPAS de Forest", commune=forest)
    nowhere = Organisation(name="Service sans commune")
    db.session.add_all([in_forest, nowhere])
    db.session.commit()
    sud = Scope.of_bassins("sud")
    assert organisation_ids(editable_organisations_in(sud)) == {in_forest.id}
    assert organisation_ids(editable_organisations_in(Scope.of_bassins("nord"))) == set()
    assert nowhere.id in organisation_ids(editable_organisations_in(Scope.all()))
    every = organisation_ids(select(Organisation))
    assert organisation_ids(editable_organisations_in(Scope.all())) == every
    # A service account changes nothing here, not even its own organisation.
    assert organisation_ids(editable_organisations_in(Scope.of_organisation(service.id))) == set()
    for scope in (sud, Scope.of_bassins("nord"), Scope.of_bassins("sud-est", "sud")):
        reached = organisation_ids(organisations_in(scope))
        assert organisation_ids(editable_organisations_in(scope)) <= reached


def test_grand_bain_offers_follow_the_bassin_of_the_services_commune(territory):
    from datetime import date

    from webapp.agenda.models import Commune
    from webapp.grandbain.models import Edition, Offer

    def commune(slug):
        return db.session.scalar(select(Commune).where(Commune.slug == slug))

    service = Organisation(name="Maison médicale du Midi")
    edition = Edition(year=2031, week_start=date(2031, 10, 13), week_end=date(2031, 10, 17))
    common = {"sector": "maison-medicale", "address": "Rue 1", "discover_fr": "x"}
    common.update(contact_name="A", contact_email="a@example.org", edition=edition)
    forest = Offer(name="Forest", commune=commune("forest"), organisation=service, **common)
    ganshoren = Offer(name="Ganshoren", commune=commune("ganshoren"), **common)
    db.session.add_all([service, edition, forest, ganshoren])
    db.session.commit()

    def names(scope):
        from webapp.auth.scopes import offer_filter

        return sorted(o.name for o in db.session.scalars(select(Offer).where(offer_filter(scope))))

    assert names(Scope.of_bassins("sud")) == ["Forest"]
    assert names(Scope.of_bassins("nord")) == ["Ganshoren"]
    assert names(Scope.of_bassins("sud-est")) == []
    assert names(Scope.of_organisation(service.id)) == ["Forest"]
    assert names(Scope.all()) == ["Forest", "Ganshoren"]
    assert find(db.session, Scope.of_bassins("nord"), Offer, forest.id) is None
