"""Each scope reaches only its own events, registrations and venues; others are not found."""

import pytest
from sqlalchemy import select

from tests.edge import rules
from webapp.agenda.models import Organisation, Venue
from webapp.auth.scopes import Scope, events_in, find, registrations_in, venues_in
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


def test_series_of_a_bassin_are_its_own_or_those_of_its_events(agenda, make_event):
    from webapp.agenda.models import Series
    from webapp.auth.scopes import series_in

    make_event(title="Sud liaison", bassins=("sud",), series_slug="sud-liaison")
    make_event(title="Nord santé", bassins=("nord",), series_slug="nord-sante")
    slugs = lambda scope: sorted(s.slug for s in db.session.scalars(series_in(scope)))  # noqa: E731
    assert slugs(Scope.of_bassins("sud")) == ["sud-liaison"]
    assert slugs(Scope.of_bassins("nord", "sud")) == ["nord-sante", "sud-liaison"]
    assert slugs(Scope.all()) == ["nord-sante", "sud-liaison"]
    nord = db.session.scalar(select(Series).where(Series.slug == "nord-sante"))
    assert find(db.session, Scope.of_bassins("sud"), Series, nord.id) is None


def test_organisations_of_a_bassin_exclude_another_bassins_services(agenda):
    from webapp.agenda.models import Commune
    from webapp.auth.scopes import organisations_in

    service, _events = agenda
    jette = db.session.scalar(select(Commune).where(Commune.slug == "jette"))
    forest = db.session.scalar(select(Commune).where(Commune.slug == "forest"))
    db.session.add_all(
        [
            Organisation(name="Service du Nord", commune=jette),
            Organisation(name="Service de Forest", commune=forest),
            Organisation(name="Fédération régionale"),
        ]
    )
    db.session.commit()

    def names(scope):
        return sorted(o.name for o in db.session.scalars(organisations_in(scope)))

    # Regional organisations (no commune) are everyone's to choose; not another bassin's.
    assert names(Scope.of_bassins("sud")) == [
        "Fédération régionale",
        "Maison médicale du Midi",
        "Service de Forest",
    ]
    assert names(Scope.of_bassins("nord")) == [
        "Fédération régionale",
        "Maison médicale du Midi",
        "Service du Nord",
    ]
    assert names(Scope.of_organisation(service.id)) == ["Maison médicale du Midi"]
    nord = db.session.scalar(select(Organisation).where(Organisation.name == "Service du Nord"))
    assert find(db.session, Scope.of_bassins("sud"), Organisation, nord.id) is None
