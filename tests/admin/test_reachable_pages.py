"""Every back-office page is one a user reaches by clicking (../shared/tools/reach.py walks
them): on demo-data, the links added for the pages that had none appear for the roles that
may open them, and for no other."""

import re

import pytest
from sqlalchemy import select

from tests.admin.conftest import sign_in
from webapp.agenda.models import Event, Organisation, Venue
from webapp.agenda.reports import Report
from webapp.extensions import db
from webapp.grandbain.demo_held import PARTNER, held_year
from webapp.grandbain.models import Edition, Offer
from webapp.proposals.models import Proposal
from webapp.registrations.models import Registration
from webapp.timezones import local_today


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_DIR": str(tmp_path / "uploads")}


@pytest.fixture
def demo(app, territory):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


@pytest.fixture
def accounts(app, client, make_staff, demo):
    """A signed-in client per account: admin, Sud and Nord coordinators, the partner's
    service account."""
    made = {
        "admin": make_staff("admin"),
        "sud": make_staff("bassin", bassins=("sud",)),
        "nord": make_staff("bassin", bassins=("nord",)),
        "service": make_staff("service", organisation=PARTNER),
    }
    return {name: sign_in(app.test_client(), account) for name, account in made.items()}


def page(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def event_id(external_id):
    return db.session.scalar(select(Event.id).where(Event.external_id == external_id))


def test_the_evaluation_qr_code_is_a_download_link_for_the_teams(accounts):
    url = f"/admin/events/{event_id('demo-sud-liaison-3')}/evaluation"
    qr = f'href="{url}/qr.svg"'
    for name in ("admin", "sud"):
        status, html = page(accounts[name], url)
        assert status == 200 and qr in html, name
        assert f'href="{url}.csv' in html and f'href="{url}.xlsx' in html  # 5 answers and more
    assert page(accounts["service"], url)[0] == 403
    assert page(accounts["nord"], url)[0] == 404
    assert accounts["sud"].get(f"{url}/qr.svg").mimetype == "image/svg+xml"


def test_each_started_visit_links_to_its_own_attendance_page(accounts):
    held = db.session.scalar(select(Edition).where(Edition.year == held_year(local_today())))
    offer = db.session.scalar(
        select(Offer).where(Offer.edition_id == held.id, Offer.name == PARTNER)
    )
    url = f"/admin/grand-bain/offers/{offer.id}"
    for name in ("admin", "sud", "service"):
        status, html = page(accounts[name], url)
        assert status == 200, name
        for slot in offer.slots:
            visit = f'href="{url}/slots/{slot.id}/attendance"'
            assert visit in html, name
            assert "Qui est venu" in page(accounts[name], f"{url}/slots/{slot.id}/attendance")[1]
    assert page(accounts["nord"], url)[0] == 404
    # The host's own page keeps its forms: its attendance URL takes posts only.
    status, html = page(accounts["service"], f"/grand-bain/offers/{offer.token}")
    assert status == 200 and 'action="/grand-bain/offers/' in html
    assert not re.search(r'href="[^"]*/attendance"', html)
    assert "Noter les présences sur la page de cette visite" not in html


def test_a_duplicate_left_by_an_import_links_to_merging_it(accounts):
    typed = db.session.scalar(select(Venue).where(Venue.name == "Maison de Quartier St-Antoine"))
    kept = db.session.scalar(select(Venue).where(Venue.name == "Maison de quartier Saint-Antoine"))
    url = f"/admin/venues/{typed.id}/merge?survivor={kept.id}"
    status, html = page(accounts["sud"], f"/admin/venues/{typed.id}/edit")
    assert status == 200 and f'href="{url}"' in html
    assert "même adresse" in html
    status, html = page(accounts["sud"], url)
    assert status == 200 and f'data-survivor-id="{kept.id}"' in html
    assert db.session.get(Venue, typed.id) is not None  # the link only shows what would move
    assert page(accounts["nord"], f"/admin/venues/{typed.id}/edit")[0] == 404
    assert page(accounts["service"], f"/admin/venues/{typed.id}/edit")[0] == 403
    # A venue that looks like no other shows no such link.
    partner_venue = db.session.scalar(select(Venue).where(Venue.name == PARTNER))
    assert (
        "catalogue-twins" not in page(accounts["sud"], f"/admin/venues/{partner_venue.id}/edit")[1]
    )


def test_an_organiser_typed_short_links_to_its_full_name(accounts):
    typed = db.session.scalar(select(Organisation).where(Organisation.name == "Bassin Sud"))
    team = db.session.scalar(
        select(Organisation).where(Organisation.name == "Équipe d'appui du Bassin Sud")
    )
    status, html = page(accounts["sud"], f"/admin/organisations/{typed.id}/edit")
    assert status == 200
    assert f'href="/admin/organisations/{typed.id}/merge?survivor={team.id}"' in html
    assert "même nom" in html
    assert page(accounts["service"], f"/admin/organisations/{typed.id}/edit")[0] == 403


def test_the_service_account_finds_its_proposals_events_and_offers(accounts):
    _, html = page(accounts["service"], "/admin/")
    assert 'href="/admin/proposals/mine"' in html
    _, mine = page(accounts["service"], "/admin/proposals/mine")
    assert 'href="/admin/proposals/new"' in mine
    for name in ("admin", "sud"):
        _, html = page(accounts[name], "/admin/")
        assert 'href="/admin/proposals/mine"' not in html, name
        assert page(accounts[name], "/admin/proposals/mine")[0] == 403
    _, events = page(accounts["service"], "/admin/events")
    assert "le pied diabétique" in events and "Melting Papot" in events
    assert "Concertation liaison" not in events  # the team's, not the partner's
    _, grand_bain = page(accounts["service"], "/admin/grand-bain/")
    offers = db.session.scalars(select(Offer).where(Offer.name == PARTNER)).all()
    assert all(f'href="/admin/grand-bain/offers/{o.id}"' in grand_bain for o in offers)


def test_waiting_work_of_the_demo_links_to_its_pages(accounts):
    sud = accounts["sud"]
    group = event_id("demo-sud-analyse-en-groupe")
    pending = db.session.scalar(
        select(Registration).where(Registration.event_id == group, Registration.status == "pending")
    )
    _, html = page(sud, f"/admin/events/{group}/participants")
    assert f'href="/admin/events/{group}/participants/{pending.id}/refuse"' in html
    proposal = db.session.scalar(select(Proposal))
    _, queue = page(sud, "/admin/proposals")
    assert f'href="/admin/proposals/{proposal.id}"' in queue
    assert page(accounts["nord"], f"/admin/proposals/{proposal.id}")[0] == 404
    training = event_id("demo-sud-formation-pied-diabetique")
    inami = f'href="/admin/events/{training}/inami.csv"'
    assert inami in page(sud, f"/admin/events/{training}")[1]
    assert sud.get(f"/admin/events/{training}/inami.csv").mimetype == "text/csv"
    adc = event_id("demo-sud-adc-9")
    report = db.session.scalar(select(Report).where(Report.event_id == adc))
    pdf = f'href="/admin/events/{adc}/report/presentation.pdf"'
    assert pdf in page(sud, f"/admin/events/{adc}/report")[1]
    assert sud.get(f"/admin/events/{adc}/report/presentation.pdf").data.startswith(b"%PDF-")
    assert report.presentation_file
    # The partner approves or refuses its own training's applicants, not the team's.
    service = accounts["service"]
    second = event_id("demo-sud-formation-pied-diabetique-2")
    waiting = db.session.scalar(
        select(Registration).where(
            Registration.event_id == second, Registration.status == "pending"
        )
    )
    _, html = page(service, f"/admin/events/{second}/participants")
    assert f'href="/admin/events/{second}/participants/{waiting.id}/refuse"' in html
    assert page(service, f"/admin/events/{group}/participants")[0] == 404
    assert inami not in page(service, f"/admin/events/{training}")[1]


# Links that bring every page within reach.py's first 400 (its default): each serves the
# person who reads the page, and shows only to the roles its target lets in.


def test_the_lists_flag_probable_duplicates_each_one_click_from_its_merge(accounts):
    typed = db.session.scalar(select(Venue).where(Venue.name == "Maison de Quartier St-Antoine"))
    kept = db.session.scalar(select(Venue).where(Venue.name == "Maison de quartier Saint-Antoine"))
    merge = f'href="/admin/venues/{typed.id}/merge?survivor={kept.id}"'
    for name in ("admin", "sud"):
        status, html = page(accounts[name], "/admin/venues")
        assert status == 200 and merge in html, name
        assert page(accounts[name], f"/admin/venues/{typed.id}/merge?survivor={kept.id}")[0] == 200
    partner_venue = db.session.scalar(select(Venue).where(Venue.name == PARTNER))
    _, html = page(accounts["admin"], "/admin/venues")
    assert f"/admin/venues/{partner_venue.id}/merge" not in html  # it looks like no other
    # Nord may change neither: no link to merge them (it could not).
    assert f"/admin/venues/{typed.id}/merge" not in page(accounts["nord"], "/admin/venues")[1]
    assert page(accounts["service"], "/admin/venues")[0] == 403
    short = db.session.scalar(select(Organisation).where(Organisation.name == "Bassin Sud"))
    team = db.session.scalar(
        select(Organisation).where(Organisation.name == "Équipe d'appui du Bassin Sud")
    )
    _, html = page(accounts["sud"], "/admin/organisations")
    assert f'href="/admin/organisations/{short.id}/merge?survivor={team.id}"' in html
    assert page(accounts["service"], "/admin/organisations")[0] == 403


def test_a_repeating_events_page_names_its_next_dates_for_the_teams(accounts):
    rendez_vous = db.session.scalar(
        select(Event).where(
            Event.external_id.like("demo-rdv-prevention-%"), Event.bassins.any(slug="sud")
        )
    )
    url = f"/admin/events/{rendez_vous.id}"
    for name in ("admin", "sud"):
        status, html = page(accounts[name], url)
        days = re.findall(rf'href="{url}/recurrence/(\d{{4}}-\d\d-\d\d)"', html)
        assert status == 200 and len(days) == 3 and days == sorted(days), name
        assert days[0] >= local_today().isoformat()
        assert page(accounts[name], f"{url}/recurrence/{days[0]}")[0] == 200
    # A service account's own repeating event: its dates are the teams' to move.
    own = event_id("demo-sud-formation-pied-diabetique")
    db.session.get(Event, own).rrule = "FREQ=MONTHLY;COUNT=24"
    db.session.commit()
    status, html = page(accounts["service"], f"/admin/events/{own}")
    assert status == 200 and "/recurrence/" not in html


def test_the_afterwards_step_links_the_reports_preview_its_slides_and_the_synthesis(accounts):
    for external_id in ("demo-sud-adc-9", "demo-sud-adc-8"):  # published, then a draft
        adc = event_id(external_id)
        for name in ("admin", "sud"):
            _, html = page(accounts[name], f"/admin/events/{adc}")
            assert f'href="/admin/events/{adc}/report/preview"' in html, name
            assert f'href="/admin/events/{adc}/report/presentation.pdf"' in html, name
            assert page(accounts[name], f"/admin/events/{adc}/report/preview")[0] == 200
        assert page(accounts["nord"], f"/admin/events/{adc}")[0] == 404
    liaison = db.session.get(Event, event_id("demo-sud-liaison-3"))
    preview = f'href="/admin/themes/liaison-ambulatoire-hopital/{liaison.local_start.year}/preview"'
    assert preview in page(accounts["admin"], f"/admin/events/{liaison.id}")[1]
    assert preview not in page(accounts["sud"], f"/admin/events/{liaison.id}")[1]  # admin's
    # No report yet: neither preview nor slides.
    group = event_id("demo-sud-analyse-en-groupe")
    assert "/report/preview" not in page(accounts["admin"], f"/admin/events/{group}")[1]


def test_the_dashboard_lists_draft_reports_and_the_last_grand_bain_held(accounts):
    adc = event_id("demo-sud-adc-8")
    year = held_year(local_today())
    for name in ("admin", "sud"):
        _, html = page(accounts[name], "/admin/")
        assert f'data-report-draft-event="{adc}"' in html, name
        assert f'href="/admin/events/{adc}/report"' in html, name
        assert f'data-held-year="{year}"' in html, name
        assert f'href="/admin/grand-bain/{year}/evaluations"' in html, name
        assert f'href="/admin/grand-bain/{year}/"' in html, name
    _, html = page(accounts["nord"], "/admin/")
    assert "data-report-draft-event" not in html  # Sud's draft, out of Nord's reach
    assert f'data-held-year="{year}"' in html
    _, html = page(accounts["service"], "/admin/")
    assert "data-report-draft-event" not in html and "data-held-year" not in html
    assert page(accounts["service"], f"/admin/grand-bain/{year}/evaluations")[0] == 403


def test_a_held_editions_offers_link_their_visits_lists_and_evaluation(accounts):
    year = held_year(local_today())
    held = db.session.scalar(select(Edition).where(Edition.year == year))
    offer = db.session.scalar(
        select(Offer).where(Offer.edition_id == held.id, Offer.name == PARTNER)
    )
    base = f"/admin/grand-bain/offers/{offer.id}"
    links = [f"{base}/slots/{slot.id}/attendance" for slot in offer.slots] + [
        f"{base}/visitors.csv",
        f"{base}/visitors.xlsx",
        f"{base}/evaluation",
        f"{base}/results",
    ]
    for name in ("admin", "sud"):
        status, html = page(accounts[name], f"/admin/grand-bain/{year}/")
        assert status == 200 and all(f'href="{link}"' in html for link in links), name
        assert all(accounts[name].get(link).status_code == 200 for link in links), name
    # The coming edition's week has not begun: nothing to note or read yet.
    _, coming = page(accounts["admin"], f"/admin/grand-bain/{year + 1}/")
    assert "/attendance" not in coming and "visitors.csv" not in coming
    assert page(accounts["service"], f"/admin/grand-bain/{year}/")[0] == 403
    # The edition's evaluation: each offer with enough answers has its own CSV.
    _, html = page(accounts["sud"], f"/admin/grand-bain/{year}/evaluations")
    exports = re.findall(r'href="(/admin/grand-bain/offers/\d+/evaluation\.csv)"', html)
    assert exports and all(accounts["sud"].get(e).mimetype == "text/csv" for e in exports)
