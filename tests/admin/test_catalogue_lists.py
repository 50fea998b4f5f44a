"""The catalogue lists (/admin/series, /admin/venues, /admin/organisations): a search that
ignores accents and case, pages of 50 by name, the search kept across pages, a count, and a
bassin account's reach on every page and every search."""

import random
import re
from html import unescape

import pytest
from sqlalchemy import select

from tests.admin.conftest import sign_in
from tests.factories import series as make_series
from webapp.agenda.models import Commune, Organisation, Venue
from webapp.extensions import db


def commune_id(slug):
    return db.session.scalar(select(Commune.id).where(Commune.slug == slug))


def add_venues(names, commune="forest"):
    """Venues in `commune`, added in a shuffled order (ids do not follow names); their ids."""
    shuffled = random.Random(7).sample(list(names), len(names))
    rows = [
        Venue(name=name, address=f"Rue du Test {n}", commune_id=commune_id(commune))
        for n, name in enumerate(shuffled)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return {row.name: row.id for row in rows}


def add_organisations(names, commune="forest", sector=None):
    rows = [
        Organisation(name=name, commune_id=commune_id(commune), sector=sector) for name in names
    ]
    db.session.add_all(rows)
    db.session.commit()
    return {row.name: row.id for row in rows}


def ids_on(page, kind):
    return [int(found) for found in re.findall(rf'data-{kind}-id="(\d+)"', page)]


def count_on(page):
    return unescape(page.split('id="list-count">')[1].split("</p>")[0])


def counted(number, singular, plural):
    """How the list counts `number` rows: "1 lieu", "0 lieux", "2 lieux"."""
    return f"{number} {singular if number == 1 else plural}"


def next_link(page):
    found = re.search(r'<a rel="next" href="([^"]+)"', page)
    return unescape(found.group(1)) if found else None


def walk(client, url, kind):
    """Every page of a list, from `url` following the "next" links: [(page HTML, ids)]."""
    pages = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        pages.append((page, ids_on(page, kind)))
        url = next_link(page)
        assert len(pages) < 20
    return pages


def test_120_venues_make_three_pages_of_50_50_20_in_name_order(sud_client, territory):
    names = [f"Salle {n:03d}" for n in range(120)]
    ids = add_venues(names)
    pages = walk(sud_client, "/admin/venues", "venue")
    assert [len(shown) for _page, shown in pages] == [50, 50, 20]
    assert [i for _page, shown in pages for i in shown] == [ids[name] for name in sorted(names)]
    assert all(count_on(page) == "120 lieux" for page, _shown in pages)
    assert "Page 3 sur 3" in pages[2][0] and 'rel="prev"' in pages[2][0]


@pytest.mark.parametrize(("asked", "shown"), [("0", 1), ("-1", 1), ("x", 1), ("99999", 3)])
def test_a_bad_page_number_gives_the_first_or_the_last_page(sud_client, territory, asked, shown):
    names = [f"Salle {n:03d}" for n in range(120)]
    ids = add_venues(names)
    response = sud_client.get(f"/admin/venues?page={asked}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    expected = [ids[name] for name in sorted(names)][(shown - 1) * 50 : shown * 50]
    assert ids_on(page, "venue") == expected
    assert f"Page {shown} sur 3" in page


def test_a_search_ignores_accents_and_case_in_name_address_and_commune(sud_client, territory):
    ids = add_venues(["Théâtre Molière", "Salle des fêtes"])
    db.session.get(Venue, ids["Salle des fêtes"]).address = "Avenue Van Volxem 391"
    ids |= add_venues(["Maison de quartier"], commune="ganshoren")  # not Sud's
    db.session.commit()

    def found(q, lang="fr"):
        page = sud_client.get("/admin/venues", query_string={"q": q, "lang": lang})
        return sorted(ids_on(page.get_data(as_text=True), "venue"))

    assert found("moliere") == [ids["Théâtre Molière"]]
    assert found("MOLIÈRE théatre") == [ids["Théâtre Molière"]]
    assert found("fetes") == found("volxem") == [ids["Salle des fêtes"]]
    assert (
        found("forest")
        == found("vorst")
        == sorted([ids["Théâtre Molière"], ids["Salle des fêtes"]])
    )
    assert found("moliere fetes") == []
    assert found("quartier") == []  # Ganshoren's venue is not within Sud's reach
    page = sud_client.get("/admin/venues?q=nulle+part").get_data(as_text=True)
    assert "Aucun lieu ne correspond à cette recherche." in page and count_on(page) == "0 lieux"
    page = sud_client.get("/admin/venues?q=nergens&lang=nl").get_data(as_text=True)
    assert "Geen enkele locatie komt overeen met deze zoekopdracht." in page


def test_the_search_is_kept_in_the_page_links(sud_client, territory):
    names = [f"Salle Molière {n:02d}" for n in range(60)]
    ids = add_venues(names + [f"Autre salle {n:02d}" for n in range(10)])
    pages = walk(sud_client, "/admin/venues?q=moliere", "venue")
    assert [len(shown) for _page, shown in pages] == [50, 10]
    link = next_link(pages[0][0])
    assert "q=moliere" in link and "page=2" in link
    assert [i for _page, shown in pages for i in shown] == [ids[name] for name in sorted(names)]
    assert all(count_on(page) == "60 lieux" for page, _shown in pages)
    assert 'value="moliere"' in pages[1][0]  # the box still shows the search


def test_organisations_are_found_by_sector_and_commune(sud_client, territory):
    ids = add_organisations(["Maison médicale Le Noyer"], sector="maison-medicale")
    ids |= add_organisations(["Infor-Drogues"])
    page = sud_client.get("/admin/organisations?q=MEDICALE").get_data(as_text=True)
    assert ids_on(page, "organisation") == [ids["Maison médicale Le Noyer"]]
    assert count_on(page) == "1 organisation"
    page = sud_client.get("/admin/organisations?q=vorst&lang=nl").get_data(as_text=True)
    assert sorted(ids_on(page, "organisation")) == sorted(ids.values())
    assert count_on(page) == "2 organisaties"
    page = sud_client.get("/admin/organisations?q=xyz&lang=fr").get_data(as_text=True)
    assert "Aucune organisation ne correspond à cette recherche." in page


def test_series_are_found_by_title_in_either_language_and_paginated(sud_client, territory):
    for n in range(55):
        make_series(f"sante-{n:02d}", title=f"Santé mentale {n:02d}")
    other = make_series("precarite", title="Précarité")
    other.title_nl = "Bestaansonzekerheid"
    make_series("nord-sante", title="Santé Nord", bassins=("nord",))
    db.session.commit()
    pages = walk(sud_client, "/admin/series?q=sante", "series")
    assert [len(shown) for _page, shown in pages] == [50, 5]
    assert all(count_on(page) == "55 séries" for page, _shown in pages)
    assert "Santé Nord" not in "".join(page for page, _shown in pages)
    page = sud_client.get("/admin/series?q=bestaansonzekerheid").get_data(as_text=True)
    assert ids_on(page, "series") == [other.id] and count_on(page) == "1 série"
    page = sud_client.get("/admin/series?q=precarite+sante").get_data(as_text=True)
    assert "Aucune série ne correspond à cette recherche." in page


@pytest.fixture
def nord_client(app, make_staff, territory):
    return sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))


SEARCHES = ["", "salle", "SALLÉ", "forest", "ganshoren"]


@pytest.mark.parametrize("q", SEARCHES)
def test_a_nord_account_never_sees_sud_only_venues(nord_client, make_event, q):
    sud_only = add_venues([f"Salle Sud {n:02d}" for n in range(30)], commune="forest")
    nord = add_venues([f"Salle Nord {n:02d}" for n in range(55)], commune="ganshoren")
    shared = make_event(title="Sud et Nord", bassins=("sud", "nord"), venue_name="Salle Abbaye")
    pages = walk(nord_client, f"/admin/venues?q={q}", "venue")
    seen = [i for _page, shown in pages for i in shown]
    assert not set(seen) & set(sud_only.values())
    # Its own venues (Ganshoren) by name, then, under their heading on the last page, the
    # Forest venue of the shared event, to choose.
    editable = [nord[name] for name in sorted(nord)] if q != "forest" else []
    chosen = [shared.venue_id] if q != "ganshoren" else []
    assert seen == editable + chosen
    assert all(count_on(page) == counted(len(seen), "lieu", "lieux") for page, _shown in pages)
    if chosen:
        assert (
            f'data-venue-id="{shared.venue_id}"' in pages[-1][0].split("shared-venues-heading")[-1]
        )
        assert f"/admin/venues/{shared.venue_id}/edit" not in pages[-1][0]
    for page, _shown in pages:
        assert "Salle Sud" not in page


@pytest.mark.parametrize("q", ["", "service", "forest", "ganshoren"])
def test_a_nord_account_never_sees_sud_only_organisations(nord_client, make_event, q):
    sud_only = add_organisations([f"Service Sud {n:02d}" for n in range(30)], commune="forest")
    nord = add_organisations([f"Service Nord {n:02d}" for n in range(52)], commune="ganshoren")
    organiser = Organisation(name="Service partagé", commune_id=commune_id("forest"))
    db.session.add(organiser)
    make_event(title="Sud seul", bassins=("sud",), organiser=organiser)
    make_event(title="Sud et Nord", bassins=("sud", "nord"), organiser=organiser)
    pages = walk(nord_client, f"/admin/organisations?q={q}", "organisation")
    seen = [i for _page, shown in pages for i in shown]
    assert not set(seen) & set(sud_only.values())
    editable = [nord[name] for name in sorted(nord)] if q != "forest" else []
    chosen = [organiser.id] if q != "ganshoren" else []
    assert seen == editable + chosen
    assert all(
        count_on(page) == counted(len(seen), "organisation", "organisations")
        for page, _shown in pages
    )
    if chosen:
        shared_part = pages[-1][0].split("shared-organisations-heading")[-1]
        assert f'data-organisation-id="{organiser.id}"' in shared_part
    for page, _shown in pages:
        assert "Service Sud" not in page and f"/admin/organisations/{organiser.id}/edit" not in page


def test_a_nord_account_pages_past_the_end_still_see_only_their_reach(nord_client, territory):
    add_venues([f"Salle Sud {n:02d}" for n in range(80)], commune="forest")
    nord = add_venues([f"Salle Nord {n:02d}" for n in range(3)], commune="ganshoren")
    for asked in ("1", "2", "99999", "-1"):
        page = nord_client.get(f"/admin/venues?page={asked}").get_data(as_text=True)
        assert ids_on(page, "venue") == [nord[name] for name in sorted(nord)]
        assert count_on(page) == "3 lieux" and 'rel="next"' not in page


def test_a_list_page_loads_only_the_rows_it_shows(sud_client, territory):
    """The database counts, sorts and cuts the page: 120 venues, page 2 loads 50 of them."""
    from sqlalchemy import event as orm_event

    names = [f"Salle {n:03d}" for n in range(120)]
    ids = add_venues(names)
    db.session.expire_all()
    loaded = []

    def count(target, context):
        loaded.append(target.id)

    orm_event.listen(Venue, "load", count)
    try:
        page = sud_client.get("/admin/venues?page=2").get_data(as_text=True)
    finally:
        orm_event.remove(Venue, "load", count)
    assert ids_on(page, "venue") == [ids[name] for name in sorted(names)][50:100]
    assert sorted(loaded) == sorted(ids[name] for name in sorted(names)[50:100])


def test_a_renamed_venue_is_found_and_sorted_by_its_new_name(sud_client, territory):
    ids = add_venues(["Salle B", "Salle C"])
    db.session.get(Venue, ids["Salle C"]).name = "Aula Émile"
    db.session.commit()
    page = sud_client.get("/admin/venues").get_data(as_text=True)
    assert ids_on(page, "venue") == [ids["Salle C"], ids["Salle B"]]
    page = sud_client.get("/admin/venues?q=emile").get_data(as_text=True)
    assert ids_on(page, "venue") == [ids["Salle C"]]
    assert ids_on(sud_client.get("/admin/venues?q=salle+c").get_data(as_text=True), "venue") == []


def test_search_wildcards_are_taken_as_typed(sud_client, territory):
    ids = add_venues(["Salle 100%", "Salle 1000", "Espace_jeunes", "Espace jeunes"])
    page = sud_client.get("/admin/venues", query_string={"q": "100%"}).get_data(as_text=True)
    assert ids_on(page, "venue") == [ids["Salle 100%"]]
    page = sud_client.get("/admin/venues", query_string={"q": "espace_"}).get_data(as_text=True)
    assert ids_on(page, "venue") == [ids["Espace_jeunes"]]
