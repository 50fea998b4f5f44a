"""The Grand Bain in Chromium at 360 px: two visits booked in one go, one cancelled from the
personal link; a host ticks who came; axe finds no serious or critical violation on its
public pages and the host's page (FR and NL)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE as NARROW
from tests.browser.conftest import describe, new_context, serious

pytestmark = pytest.mark.browser


@pytest.fixture
def narrow_page(chromium, live_server):
    context = new_context(chromium, live_server, NARROW, timeout=8000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def grand_bain(live_server):
    """The demo edition's year, an offer, and two free slots on different days."""
    from webapp.grandbain.models import Edition, Offer, Slot
    from webapp.grandbain.states import OfferStatus
    from webapp.timezones import to_local

    with live_server.app.app_context():
        from webapp.extensions import db

        edition = db.session.scalar(select(Edition).order_by(Edition.year.desc()).limit(1))
        slots = db.session.scalars(
            select(Slot)
            .join(Slot.offer)
            .where(
                Offer.edition_id == edition.id,
                Offer.status == OfferStatus.ACCEPTED,
                Slot.booked_count + 2 <= Slot.capacity,
                Slot.closed.is_(False),
            )
            .order_by(Slot.start_at)
        ).all()
        first = slots[0]
        second = next(
            s for s in slots if to_local(s.start_at).date() > to_local(first.start_at).date()
        )
        assert second.start_at - first.end_at > timedelta(hours=1)
        return {
            "year": edition.year,
            "offer": first.offer_id,
            "slots": (first.id, second.id),
            "names": (first.offer.name, second.offer.name),
            "days": tuple(to_local(s.start_at).date().isoformat() for s in (first, second)),
        }


@pytest.fixture(scope="session")
def host_visit(live_server):
    """The token of a host whose visit has started, with two confirmed visitors (an earlier
    edition made here: the demo's coming edition has no visit yet)."""
    from datetime import date

    from webapp.agenda.models import Commune
    from webapp.extensions import db
    from webapp.grandbain.models import Booking, Edition, Offer, Slot, Visitor
    from webapp.grandbain.states import BookingStatus, OfferStatus
    from webapp.timezones import utcnow
    from webapp.unit_of_work import unit_of_work

    with live_server.app.app_context(), unit_of_work("a visit that has started"):
        edition = Edition(year=2019, week_start=date(2019, 10, 7), week_end=date(2019, 10, 11))
        slot = Slot(
            start_at=utcnow() - timedelta(hours=2),
            end_at=utcnow() - timedelta(hours=1),
            capacity=6,
            booked_count=2,
        )
        offer = Offer(
            edition=edition,
            name="Maison médicale Les Tilleuls",
            sector="maison-medicale",
            address="Rue des Tilleuls 3",
            commune=db.session.scalar(select(Commune).where(Commune.slug == "forest")),
            discover_fr="L'accueil et la réunion d'équipe.",
            contact_name="Sophie Janssens",
            contact_email="tilleuls@example.org",
            status=OfferStatus.ACCEPTED,
            slots=[slot],
        )
        for n, (first, last) in enumerate((("Karim", "El Amrani"), ("Els", "Claes"))):
            visitor = Visitor(
                edition=edition,
                email=f"visite-{n}@example.org",
                first_name=first,
                last_name=last,
                organisation="Service social du CPAS d'Anderlecht",
            )
            db.session.add(Booking(slot=slot, visitor=visitor, status=BookingStatus.CONFIRMED))
        db.session.add(offer)
        db.session.flush()
        return {"token": offer.token, "slot": slot.id}


def test_a_host_ticks_who_came_at_360px_without_javascript(chromium, live_server, host_visit):
    context = new_context(chromium, live_server, NARROW, javascript=False)
    page = context.new_page()
    page.goto(f"/grand-bain/offers/{host_visit['token']}")
    form = page.locator(f"#came-{host_visit['slot']}")
    form.get_by_label("Karim El Amrani").check()
    form.get_by_role("button", name="Enregistrer les présences").click()
    page.wait_for_url(re.compile(r"recorded=\d+"))
    form = page.locator(f"#came-{host_visit['slot']}")
    assert "Présent·es : 1 sur 2" in form.inner_text()
    assert form.get_by_label("Karim El Amrani").is_checked()
    assert not form.get_by_label("Els Claes").is_checked()
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= NARROW["width"], f"the host's page scrolls sideways at 360 px ({width})"


def test_two_visits_booked_in_one_go_then_one_cancelled_at_360px(narrow_page, grand_bain):
    page = narrow_page
    first, second = grand_bain["slots"]
    page.goto(f"/grand-bain/{grand_bain['year']}/?date={grand_bain['days'][0]}")
    page.check(f"#slot-{first}")
    page.locator(f".gb-days [value='{grand_bain['days'][1]}']").click()  # the tick travels
    page.check(f"#slot-{second}")
    page.get_by_role("button", name="Réserver", exact=True).click()
    assert page.locator(".gb-chosen > li").count() == 2
    page.fill("#first_name", "Nadia")
    page.fill("#last_name", "Benali")
    page.fill("#email", "nadia.benali.browser@example.org")
    page.fill("#organisation", "Hôpital Saint-Pierre")
    page.select_option("#sector", index=1)
    page.fill("#job_title", "Assistante sociale")
    page.check("#consent")
    page.get_by_role("button", name="Confirmer mes 2 visites").click()
    page.wait_for_url("**/grand-bain/visits/**")
    assert page.locator(".gb-visit[data-status=confirmed]").count() == 2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the visits page scrolls sideways at 360 px ({width})"

    page.get_by_role("link", name="Annuler cette visite").first.click()
    page.get_by_role("button", name="Oui, annuler").click()
    page.wait_for_url("**/grand-bain/visits/**")
    assert page.locator(".gb-visit[data-status=confirmed]").count() == 1
    assert page.locator(".gb-visit[data-status=cancelled]").count() == 1


PAGES = {
    "programme": lambda gb: f"/grand-bain/{gb['year']}/",
    "offer": lambda gb: f"/grand-bain/{gb['year']}/offers/{gb['offer']}",
    "booking": lambda gb: (
        f"/grand-bain/{gb['year']}/book?slot={gb['slots'][0]}&slot={gb['slots'][1]}"
    ),
    "apply": lambda gb: f"/grand-bain/{gb['year']}/apply",
    "host-attendance": lambda gb: f"/grand-bain/offers/{gb['host']['token']}",
    "host-evaluation": lambda gb: f"/grand-bain/offers/{gb['host']['token']}/evaluation",
    "whole-week": lambda gb: f"/grand-bain/{gb['year']}/?date=all",
}


@pytest.mark.parametrize("language", ["fr", "nl"])
@pytest.mark.parametrize("name", list(PAGES))
def test_grand_bain_pages_have_no_serious_accessibility_violation(
    narrow_page, axe, grand_bain, host_visit, name, language
):
    path = PAGES[name]({**grand_bain, "host": host_visit})
    path += ("&" if "?" in path else "?") + f"lang={language}"
    narrow_page.goto(path)
    assert narrow_page.locator("html").get_attribute("lang") == language
    results = axe.run(narrow_page)
    blocking = serious(results)
    assert not blocking, f"axe on {path}:\n{describe(blocking)}"


def test_the_programme_prints_on_a4_without_its_filters_and_buttons(
    chromium, live_server, grand_bain
):
    """The print stylesheet, checked by printing: A4 pages, no filter form, no tick boxes."""
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto(f"/grand-bain/{grand_bain['year']}/")
    page.emulate_media(media="print")
    assert page.locator(".gb-filters").first.is_hidden()
    assert all(not box.is_visible() for box in page.locator(".gb-slots input[type=checkbox]").all())
    pdf = page.pdf(format="A4", print_background=False)
    context.close()
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [0 0 594" in pdf or b"/MediaBox [0 0 595" in pdf  # A4: 595 x 842 points
