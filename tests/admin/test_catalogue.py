"""Series, venues and organisations in the back office: list, create, edit, merge, within the
account's scope; bad input answers 422 beside the field and writes nothing."""

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.factories import venue as make_venue
from webapp.agenda.models import (
    Commune,
    Event,
    EventOccurrence,
    OccurrenceOverride,
    Organisation,
    Series,
    Venue,
)
from webapp.audit import AuditEntry
from webapp.auth.models import Account
from webapp.extensions import db


def commune_id(slug):
    return db.session.scalar(select(Commune.id).where(Commune.slug == slug))


def audit_lines(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def venue_form(**changes):
    data = {
        "name": "Maison de quartier Saint-Antoine",
        "address": "Rue de Mérode 154",
        "postal_code": "1190",
        "commune": str(commune_id("forest")),
        "access_notes_fr": "Tram 81, arrêt Wiels.",
        "access_notes_nl": "",
        "step_free": "yes",
        "lift": "unknown",
    }
    data.update(changes)
    return data


def series_form(**changes):
    data = {
        "slug": "sud-sante-mentale",
        "theme": "sante-mentale",
        "kind": "concertation",
        "title_fr": "Santé mentale",
        "title_nl": "Geestelijke gezondheid",
        "description_fr": "Une concertation par trimestre.",
        "description_nl": "",
        "bassins": ["sud"],
    }
    data.update(changes)
    return data


def organisation_form(**changes):
    data = {
        "name": "Maison médicale du Midi",
        "sector": "maison-medicale",
        "commune": str(commune_id("forest")),
        "email": "accueil@mm-midi.be",
        "phone": "+32 2 555 12 34",
        "website": "https://mm-midi.be",
    }
    data.update(changes)
    return data


@pytest.fixture
def nord_venue(make_event):
    """A venue in Schaerbeek used by a Nord event (outside Bassin Sud's reach)."""
    event = make_event(title="Nord", bassins=("nord-est",), commune="schaerbeek")
    return event.venue


# Series.


def test_a_bassin_account_creates_a_series_for_its_bassin(sud_client):
    response = sud_client.post("/admin/series/new", data=series_form())
    assert response.status_code == 303
    series = db.session.scalar(select(Series))
    assert (series.slug, series.theme, series.title_nl) == (
        "sud-sante-mentale",
        "sante-mentale",
        "Geestelijke gezondheid",
    )
    assert [b.slug for b in series.bassins] == ["sud"]
    (line,) = audit_lines("series.created")
    assert line.subject_id == series.id and line.after["slug"] == "sud-sante-mentale"
    assert line.after["bassins"] == ["sud"]


def test_the_series_list_shows_counts_and_the_next_date(sud_client, make_event):
    first = make_event(title="SM #1", series_slug="sud-sm", bassins=("sud",))
    make_event(title="SM #2", series_slug="sud-sm", bassins=("sud",))
    make_event(title="Nord #1", series_slug="nord-sm", bassins=("nord",))
    page = sud_client.get("/admin/series").get_data(as_text=True)
    row = page.split(f'data-series-id="{first.series_id}"')[1].split("</tr>")[0]
    assert '<td class="number">2</td>' in row
    assert str(first.local_start.year) in row
    assert "nord-sm" not in page


def test_editing_a_series_writes_before_and_after(sud_client, make_event):
    event = make_event(series_slug="sud-sm", status="draft")
    response = sud_client.post(
        f"/admin/series/{event.series_id}/edit",
        data=series_form(slug="sud-sm-2", title_fr="Santé mentale et précarité"),
    )
    assert response.status_code == 303
    (line,) = audit_lines("series.updated")
    assert line.before["slug"] == "sud-sm" and line.after["slug"] == "sud-sm-2"
    assert line.after["title_fr"] == "Santé mentale et précarité"


def test_the_slug_of_a_series_with_published_events_does_not_change(sud_client, make_event):
    event = make_event(series_slug="sud-sm")
    response = sud_client.post(
        f"/admin/series/{event.series_id}/edit", data=series_form(slug="autre-adresse")
    )
    assert response.status_code == 422
    assert "elle ne peut plus changer" in response.get_data(as_text=True)
    assert db.session.get(Series, event.series_id).slug == "sud-sm"
    assert audit_lines("series.updated") == []


def test_a_sud_account_cannot_choose_nord_nor_reach_its_series(sud_client, make_event):
    response = sud_client.post("/admin/series/new", data=series_form(bassins=["nord"]))
    assert response.status_code == 422
    assert count(Series) == 0
    nord = make_event(series_slug="nord-sm", bassins=("nord",))
    assert sud_client.get(f"/admin/series/{nord.series_id}/edit").status_code == 404
    response = sud_client.post(f"/admin/series/{nord.series_id}/edit", data=series_form())
    assert response.status_code == 404
    assert db.session.get(Series, nord.series_id).slug == "nord-sm"


def test_a_shared_series_keeps_the_other_bassins(sud_client, make_event):
    event = make_event(series_slug="sm", bassins=("sud", "nord"), status="draft")
    page = sud_client.get(f"/admin/series/{event.series_id}/edit").get_data(as_text=True)
    assert "Aussi partagée avec" in page
    response = sud_client.post(
        f"/admin/series/{event.series_id}/edit", data=series_form(slug="sm", title_fr="Autre")
    )
    assert response.status_code == 303
    assert [b.slug for b in db.session.get(Series, event.series_id).bassins] == ["nord", "sud"]


# Venues.


def test_creating_and_editing_a_venue_writes_audit_lines(sud_client):
    assert sud_client.post("/admin/venues/new", data=venue_form()).status_code == 303
    venue = db.session.scalar(select(Venue))
    assert (venue.postal_code, venue.step_free, venue.lift) == ("1190", True, None)
    response = sud_client.post(
        f"/admin/venues/{venue.id}/edit", data=venue_form(lift="no", address="Rue de Mérode 156")
    )
    assert response.status_code == 303
    (created,) = audit_lines("venue.created")
    (updated,) = audit_lines("venue.updated")
    assert created.after["name"] == "Maison de quartier Saint-Antoine"
    assert updated.before == {"address": "Rue de Mérode 154", "lift": None}
    assert updated.after == {"address": "Rue de Mérode 156", "lift": False}
    page = sud_client.get("/admin/venues").get_data(as_text=True)
    assert "Rue de Mérode 156" in page


def test_a_venue_twice_at_one_address_is_refused_with_a_message(sud_client):
    sud_client.post("/admin/venues/new", data=venue_form())
    response = sud_client.post("/admin/venues/new", data=venue_form())
    assert response.status_code == 422
    assert "existe déjà à cette adresse" in response.get_data(as_text=True)
    assert count(Venue) == 1


def test_a_postal_code_must_be_that_of_the_commune(sud_client):
    response = sud_client.post("/admin/venues/new", data=venue_form(postal_code="1030"))
    assert response.status_code == 422
    assert "(1190)" in response.get_data(as_text=True)
    response = sud_client.post("/admin/venues/new", data=venue_form(postal_code="7500"))
    assert "code postal bruxellois" in response.get_data(as_text=True)
    assert count(Venue) == 0


def test_a_sud_account_cannot_reach_a_nord_venue(sud_client, nord_venue):
    page = sud_client.get("/admin/venues").get_data(as_text=True)
    assert f'data-venue-id="{nord_venue.id}"' not in page
    assert sud_client.get(f"/admin/venues/{nord_venue.id}/edit").status_code == 404
    response = sud_client.post(f"/admin/venues/{nord_venue.id}/edit", data=venue_form())
    assert response.status_code == 404
    assert db.session.get(Venue, nord_venue.id).name == "Salle schaerbeek"


@pytest.fixture
def shared_sud_venue(make_event):
    """A Forest venue (Bassin Sud's commune) used by an event Sud shares with Nord."""
    event = make_event(title="Concertation Sud et Nord", bassins=("sud", "nord"))
    return event


def test_a_bassin_may_choose_but_not_edit_another_bassins_venue_of_a_shared_event(
    app, make_staff, shared_sud_venue
):
    event = shared_sud_venue
    venue_id, name = event.venue_id, event.venue.name
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    assert nord.get(f"/admin/venues/{venue_id}/edit").status_code == 404
    response = nord.post(f"/admin/venues/{venue_id}/edit", data=venue_form(name="Renommé"))
    assert response.status_code == 404
    for method in ("get", "post"):
        response = getattr(nord, method)(f"/admin/venues/{venue_id}/merge", data={})
        assert response.status_code == 404
    assert db.session.get(Venue, venue_id).name == name
    assert audit_lines("venue.updated") == []
    # The list shows it apart, without a link to edit it; the shared event's form offers it.
    page = nord.get("/admin/venues").get_data(as_text=True)
    assert f'data-venue-id="{venue_id}"' in page.split("shared-venues-heading")[-1]
    assert f"/admin/venues/{venue_id}/edit" not in page
    page = nord.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{venue_id}">' in page


def test_the_bassin_of_the_venues_commune_still_edits_it(sud_client, shared_sud_venue):
    venue_id = shared_sud_venue.venue_id
    page = sud_client.get("/admin/venues").get_data(as_text=True)
    assert f"/admin/venues/{venue_id}/edit" in page and "shared-venues-heading" not in page
    response = sud_client.post(f"/admin/venues/{venue_id}/edit", data=venue_form(name="Renommé"))
    assert response.status_code == 303
    assert db.session.get(Venue, venue_id).name == "Renommé"


def test_a_bassin_merges_its_duplicate_into_another_bassins_venue(
    app, make_staff, make_event, shared_sud_venue
):
    sud_venue_id, name = shared_sud_venue.venue_id, shared_sud_venue.venue.name
    own = make_event(title="Nord à Ganshoren", bassins=("nord",), commune="ganshoren")
    duplicate_id = own.venue_id
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    page = nord.get(f"/admin/venues/{duplicate_id}/edit").get_data(as_text=True)
    merge_section = page.split('id="merge-heading"')[1]
    assert f'<option value="{sud_venue_id}">' in merge_section  # offered as the one to keep
    response = nord.post(
        f"/admin/venues/{duplicate_id}/merge", data={"survivor": str(sud_venue_id)}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/venues")  # not its edit page: 404
    assert db.session.get(Venue, duplicate_id) is None
    assert db.session.get(Event, own.id).venue_id == sud_venue_id
    assert db.session.get(Venue, sud_venue_id).name == name


def test_a_sud_account_cannot_put_its_venue_in_a_nord_commune(sud_client):
    response = sud_client.post(
        "/admin/venues/new", data=venue_form(commune=str(commune_id("schaerbeek")))
    )
    assert response.status_code == 422
    assert "Choisissez une commune de la liste" in response.get_data(as_text=True)
    assert count(Venue) == 0


# Organisations.


def test_creating_and_editing_an_organisation(sud_client):
    assert sud_client.post("/admin/organisations/new", data=organisation_form()).status_code == 303
    organisation = db.session.scalar(select(Organisation))
    assert organisation.sector == "maison-medicale"
    response = sud_client.post(
        f"/admin/organisations/{organisation.id}/edit",
        data=organisation_form(phone="02 555 00 00"),
    )
    assert response.status_code == 303
    (updated,) = audit_lines("organisation.updated")
    assert updated.before == {"phone": "+32 2 555 12 34"}
    assert updated.after == {"phone": "02 555 00 00"}
    assert len(audit_lines("organisation.created")) == 1


def test_an_organisation_name_is_unique(sud_client):
    sud_client.post("/admin/organisations/new", data=organisation_form())
    response = sud_client.post("/admin/organisations/new", data=organisation_form())
    assert response.status_code == 422
    assert "porte déjà ce nom" in response.get_data(as_text=True)
    assert count(Organisation) == 1


def test_saving_unchanged_writes_no_audit_line(sud_client):
    sud_client.post("/admin/organisations/new", data=organisation_form())
    organisation = db.session.scalar(select(Organisation))
    sud_client.post(f"/admin/organisations/{organisation.id}/edit", data=organisation_form())
    assert audit_lines("organisation.updated") == []


@pytest.fixture
def shared_sud_organisation(make_event):
    """An imported organisation (no commune) organising a Sud event and one Sud shares with
    Nord: it is Sud's, Nord reaches it through the shared event."""
    organisation = Organisation(name="Service Sud importé")
    db.session.add(organisation)
    make_event(title="Concertation Sud", bassins=("sud",), organiser=organisation)
    shared = make_event(
        title="Concertation Sud et Nord", bassins=("sud", "nord"), organiser=organisation
    )
    return shared


def test_a_bassin_may_choose_but_not_edit_an_organisation_of_a_shared_event(
    client, make_staff, shared_sud_organisation
):
    event = shared_sud_organisation
    organisation_id = event.organiser_id
    nord = sign_in(client, make_staff("bassin", bassins=("nord",)))
    url = f"/admin/organisations/{organisation_id}"
    assert nord.get(f"{url}/edit").status_code == 404
    response = nord.post(f"{url}/edit", data=organisation_form(name="Renommé", commune=""))
    assert response.status_code == 404
    for method in ("get", "post"):
        assert getattr(nord, method)(f"{url}/merge", data={}).status_code == 404
    assert db.session.get(Organisation, organisation_id).name == "Service Sud importé"
    assert audit_lines("organisation.updated") == []
    # The list shows it apart, without a link to edit it; the shared event's form offers it.
    page = nord.get("/admin/organisations").get_data(as_text=True)
    shared_part = page.split("shared-organisations-heading")[-1]
    assert f'data-organisation-id="{organisation_id}"' in shared_part
    assert f"{url}/edit" not in page
    page = nord.get("/admin/organisations?lang=nl").get_data(as_text=True)
    assert "Organisaties van activiteiten die u met andere zorgzones deelt" in page
    page = nord.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{organisation_id}">' in page


def test_the_bassin_whose_events_an_organisation_organises_still_edits_it(
    sud_client, shared_sud_organisation
):
    organisation_id = shared_sud_organisation.organiser_id
    page = sud_client.get("/admin/organisations").get_data(as_text=True)
    assert f"/admin/organisations/{organisation_id}/edit" in page
    assert "shared-organisations-heading" not in page
    response = sud_client.post(
        f"/admin/organisations/{organisation_id}/edit", data=organisation_form(name="Renommé")
    )
    assert response.status_code == 303
    assert db.session.get(Organisation, organisation_id).name == "Renommé"


def test_a_bassin_merges_its_duplicate_into_an_organisation_of_a_shared_event(
    app, make_staff, make_event, shared_sud_organisation
):
    sud_id = shared_sud_organisation.organiser_id
    duplicate = Organisation(name="Service Sud (doublon)", commune_id=commune_id("ganshoren"))
    db.session.add(duplicate)
    own = make_event(title="Nord à Ganshoren", bassins=("nord",), organiser=duplicate)
    duplicate_id = duplicate.id
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    page = nord.get(f"/admin/organisations/{duplicate_id}/edit").get_data(as_text=True)
    merge_section = page.split('id="merge-heading"')[1]
    assert f'<option value="{sud_id}">' in merge_section  # offered as the one to keep
    response = nord.post(
        f"/admin/organisations/{duplicate_id}/merge", data={"survivor": str(sud_id)}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/organisations")  # its page: 404
    assert db.session.get(Organisation, duplicate_id) is None
    assert db.session.get(Event, own.id).organiser_id == sud_id
    assert db.session.get(Organisation, sud_id).name == "Service Sud importé"


# Bad input everywhere.

LONG = "x" * 400
BAD_INPUT = [
    ("/admin/series/new", series_form, "title_fr", LONG),
    ("/admin/series/new", series_form, "title_fr", "Santé\x00mentale"),
    ("/admin/series/new", series_form, "title_fr", "Santé\nmentale"),
    ("/admin/series/new", series_form, "slug", "Santé Mentale"),
    ("/admin/series/new", series_form, "slug", "a" * 121),
    ("/admin/series/new", series_form, "theme", "../x"),
    ("/admin/series/new", series_form, "kind", "soirée"),
    ("/admin/series/new", series_form, "bassins", []),
    ("/admin/series/new", series_form, "description_fr", "x\x07"),
    ("/admin/venues/new", venue_form, "name", LONG),
    ("/admin/venues/new", venue_form, "name", ""),
    ("/admin/venues/new", venue_form, "address", "Rue\r\nBcc: x@example.org"),
    ("/admin/venues/new", venue_form, "postal_code", "1190\x00"),
    ("/admin/venues/new", venue_form, "commune", "999999"),
    ("/admin/venues/new", venue_form, "commune", "abc"),
    ("/admin/venues/new", venue_form, "commune", ""),
    ("/admin/venues/new", venue_form, "access_notes_fr", "y" * 2001),
    ("/admin/organisations/new", organisation_form, "name", "\x1b[31m"),
    ("/admin/organisations/new", organisation_form, "sector", "pirate"),
    ("/admin/organisations/new", organisation_form, "email", "a@b@c"),
    ("/admin/organisations/new", organisation_form, "email", "x@example.org\r\nBcc: y@z.be"),
    ("/admin/organisations/new", organisation_form, "phone", "<script>"),
    ("/admin/organisations/new", organisation_form, "website", "javascript:alert(1)"),
    ("/admin/organisations/new", organisation_form, "commune", "-1"),
]


@pytest.mark.parametrize(
    ("url", "form", "field", "value"),
    BAD_INPUT,
    ids=[f"{url.split('/')[2]}-{field}-{n}" for n, (url, _f, field, _v) in enumerate(BAD_INPUT)],
)
def test_bad_input_is_refused_beside_the_field(sud_client, url, form, field, value):
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    response = sud_client.post(url, data=form(**{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
    assert count(Series) + count(Venue) + count(Organisation) == 0


def test_script_in_a_name_is_shown_escaped(sud_client):
    name = "<script>alert(1)</script>"
    sud_client.post("/admin/organisations/new", data=organisation_form(name=name))
    page = sud_client.get("/admin/organisations").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and name not in page


def test_typed_text_is_kept_after_an_error(sud_client):
    response = sud_client.post(
        "/admin/venues/new", data=venue_form(name="Salle polyvalente", postal_code="9999")
    )
    assert response.status_code == 422
    assert 'value="Salle polyvalente"' in response.get_data(as_text=True)


# Roles.

PAGES = [
    "/admin/series",
    "/admin/series/new",
    "/admin/venues",
    "/admin/venues/new",
    "/admin/organisations",
    "/admin/organisations/new",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_service_account_gets_403(client, make_staff, path):
    sign_in(client, make_staff("service", organisation="Infor-Jeunes Bruxelles"))
    assert client.get(path).status_code == 403
    if path.endswith("/new"):
        assert client.post(path, data={}).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_staff_pages_answer_and_are_never_stored(sud_client, path):
    response = sud_client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_an_admin_reaches_every_bassin(admin_client, nord_venue, make_event):
    event = make_event(series_slug="nord-sm", bassins=("nord",))
    assert admin_client.get(f"/admin/venues/{nord_venue.id}/edit").status_code == 200
    assert admin_client.get(f"/admin/series/{event.series_id}/edit").status_code == 200


def test_pages_in_dutch(sud_client, make_event):
    event = make_event(series_slug="sud-sm")
    page = sud_client.get(f"/admin/series/{event.series_id}/edit?lang=nl").get_data(as_text=True)
    assert "Reeks wijzigen" in page
    assert "Nieuwe locatie" in sud_client.get("/admin/venues?lang=nl").get_data(as_text=True)


# Merging.


@pytest.fixture
def duplicates(make_event):
    """Two Forest venues that are one place, the duplicate used by an event and an override."""
    survivor = make_venue("Wiels", "forest", "Avenue Van Volxem 354")
    removed = make_venue("WIELS centre d'art", "forest", "Av. Van Volxem 354")
    db.session.commit()
    event = make_event(title="Concertation au Wiels", bassins=("sud",), commune=None)
    event.venue_id = removed.id
    weekly = make_event(
        title="Rendez-vous prévention",
        bassins=("sud",),
        commune="forest",
        rrule="FREQ=WEEKLY;COUNT=4",
        kind="rdv-prevention",
    )
    first = db.session.scalar(
        select(EventOccurrence)
        .where(EventOccurrence.event_id == weekly.id)
        .order_by(EventOccurrence.start_at)
    )
    weekly.overrides.append(
        OccurrenceOverride(
            recurrence_start=first.recurrence_start,
            start_at=first.start_at,
            end_at=first.end_at,
            venue_id=removed.id,
        )
    )
    db.session.commit()
    return survivor, removed, event, weekly


def test_the_confirmation_page_lists_what_moves_and_changes_nothing(sud_client, duplicates):
    survivor, removed, event, _weekly = duplicates
    page = sud_client.get(f"/admin/venues/{removed.id}/edit").get_data(as_text=True)
    assert "Fusionner avec" in page
    response = sud_client.get(f"/admin/venues/{removed.id}/merge?survivor={survivor.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<span class="count">1</span> activités à ce lieu' in page
    assert '<span class="count">1</span> dates d\'activités répétées' in page
    assert db.session.get(Venue, removed.id) is not None
    assert db.session.get(Event, event.id).venue_id == removed.id


def test_merging_venues_moves_every_event_and_override(sud_client, client, duplicates):
    survivor, removed, event, weekly = duplicates
    sequence, removed_id = event.sequence, removed.id
    assert "WIELS centre d" in client.get(f"/events/{event.id}").get_data(as_text=True)
    response = sud_client.post(
        f"/admin/venues/{removed_id}/merge", data={"survivor": str(survivor.id)}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/venues/{survivor.id}/edit")
    assert db.session.get(Venue, removed_id) is None
    moved = db.session.get(Event, event.id)
    assert moved.venue_id == survivor.id and moved.sequence == sequence + 1
    assert db.session.get(Event, weekly.id).overrides[0].venue_id == survivor.id
    assert "van volxem" in moved.search_text
    (line,) = audit_lines("venue.merged")
    assert line.subject_id == survivor.id and line.before["id"] == removed_id
    assert line.after["events.venue_id"] == 1
    assert line.after["occurrence_overrides.venue_id"] == 1
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Wiels" in page and "WIELS centre d" not in page


def test_merging_with_itself_or_a_foreign_row_changes_nothing(sud_client, duplicates, nord_venue):
    _survivor, removed, event, _weekly = duplicates
    for survivor_id in (removed.id, nord_venue.id, 987654):
        response = sud_client.post(
            f"/admin/venues/{removed.id}/merge", data={"survivor": str(survivor_id)}
        )
        assert response.status_code == 422
        assert 'id="survivor-error"' in response.get_data(as_text=True)
    assert db.session.get(Venue, removed.id) is not None
    assert db.session.get(Venue, nord_venue.id) is not None
    assert db.session.get(Event, event.id).venue_id == removed.id
    assert audit_lines("venue.merged") == []
    # The foreign row is not even offered, nor reachable as the one removed.
    response = sud_client.post(
        f"/admin/venues/{nord_venue.id}/merge", data={"survivor": str(removed.id)}
    )
    assert response.status_code == 404


def test_a_bassin_cannot_merge_a_venue_another_bassin_uses(sud_client, make_event):
    shared = make_venue("Salle du Parvis", "saint-gilles", "Parvis 1")
    other = make_venue("Salle du Parvis bis", "saint-gilles", "Parvis 1bis")
    db.session.commit()
    nord_event = make_event(title="Nord au Parvis", bassins=("nord",), commune=None)
    nord_event.venue_id = shared.id
    db.session.commit()
    response = sud_client.post(f"/admin/venues/{shared.id}/merge", data={"survivor": other.id})
    assert response.status_code == 422
    assert "administrateur" in response.get_data(as_text=True)
    assert db.session.get(Event, nord_event.id).venue_id == shared.id


def test_merging_organisations_moves_events_and_accounts(admin_client, make_event, make_staff):
    survivor = Organisation(name="Maison médicale du Midi")
    removed = Organisation(name="MM du Midi")
    db.session.add_all([survivor, removed])
    db.session.commit()
    event = make_event(organiser=removed)
    account = make_staff("service", organisation="MM du Midi")
    removed_id = removed.id
    response = admin_client.get(f"/admin/organisations/{removed_id}/merge?survivor={survivor.id}")
    assert "comptes de service" in response.get_data(as_text=True)
    response = admin_client.post(
        f"/admin/organisations/{removed_id}/merge", data={"survivor": survivor.id}
    )
    assert response.status_code == 303
    assert db.session.get(Organisation, removed_id) is None
    assert db.session.get(Event, event.id).organiser_id == survivor.id
    assert db.session.get(Account, account.id).organisation_id == survivor.id
    (line,) = audit_lines("organisation.merged")
    assert line.after["accounts.organisation_id"] == 1
    assert line.after["events.organiser_id"] == 1


class TestWithCSRF:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_merge_needs_the_token_of_its_confirmation_page(
        self, client, make_staff, duplicates
    ):
        import re

        from tests.admin.conftest import STAFF_PASSWORD

        survivor, removed, event, _weekly = duplicates
        survivor_id, removed_id = survivor.id, removed.id
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        account = make_staff("bassin", bassins=("sud",))
        signed = client.post(
            "/login",
            data={"email": account.email, "password": STAFF_PASSWORD, "csrf_token": token},
        )
        assert signed.status_code == 303
        url = f"/admin/venues/{removed_id}/merge"
        page = client.get(f"{url}?survivor={survivor_id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        refused = client.post(url, data={"survivor": survivor_id})
        assert refused.status_code in (400, 422)
        assert db.session.get(Event, event.id).venue_id == removed_id
        done = client.post(url, data={"survivor": survivor_id, "csrf_token": token})
        assert done.status_code == 303
        assert db.session.get(Event, event.id).venue_id == survivor_id
