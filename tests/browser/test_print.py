"""Pages as Chromium prints them (print media, then a PDF): the Grand Bain programme names
each visit's day and commune, a report keeps a quote with its attribution and prints its
links' addresses, back-office pages print without filters, buttons and downloads."""

from datetime import timedelta

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_back_office import coordinator  # noqa: F401 (a fixture)
from tests.browser.test_grand_bain import grand_bain  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

PRESENTATION = "https://bassin-sud.brussels/documents/liaison-3.pdf"


@pytest.fixture
def printing(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="fr-BE")
    context.set_default_timeout(8000)
    page = context.new_page()

    def open_printed(path):
        page.goto(path)
        page.emulate_media(media="print")
        return page

    yield open_printed
    pdf = page.pdf(format="A4")  # and it prints
    context.close()
    assert pdf.startswith(b"%PDF")


def test_each_printed_visit_names_its_day_and_commune(printing, grand_bain):  # noqa: F811
    page = printing(f"/grand-bain/{grand_bain['year']}/?date=all")
    entries = page.evaluate(
        """() => [...document.querySelectorAll('.gb-day')].flatMap(day =>
            [...day.querySelectorAll('h3')].flatMap(commune =>
              [...commune.nextElementSibling.querySelectorAll(':scope > li')].map(li => [
                day.querySelector('h2').innerText, commune.innerText, li.innerText,
                getComputedStyle(li).breakInside])))"""
    )
    assert len(entries) > 5
    for day, commune, text, break_inside in entries:
        assert text.startswith(f"{day} · {commune}"), (day, commune, text)
        assert break_inside == "avoid"


@pytest.fixture(scope="module")
def reported_event(live_server):
    """A past meeting of Bassin Sud with a published report: a quote and two links."""
    from tests.factories import event_factory
    from webapp.agenda.reports import Report, ReportQuote
    from webapp.extensions import db
    from webapp.timezones import utcnow

    with live_server.app.app_context():
        event = event_factory(
            title="Liaison ambulatoire-hôpital #3", start=utcnow() - timedelta(days=9)
        )
        report = Report(
            event_id=event.id,
            status="published",
            published_at=utcnow(),
            participants_count=23,
            presentation_url=PRESENTATION,
            report_url="https://bassin-sud.brussels/comptes-rendus/liaison-3",
            quotes=[
                ReportQuote(
                    position=1,
                    text="On se connaît mieux, on s'appelle plus vite.",
                    sector_group="social",
                )
            ],
        )
        db.session.add(report)
        db.session.commit()
        event_id = event.id
        db.session.remove()
    return event_id


def test_a_printed_report_keeps_quotes_whole_and_prints_link_addresses(printing, reported_event):
    page = printing(f"/events/{reported_event}")
    figure = page.locator(".report-quotes figure").first
    assert figure.locator("figcaption").inner_text()
    assert figure.evaluate("f => getComputedStyle(f).breakInside") == "avoid"
    after = page.locator(".report-links a").first.evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert PRESENTATION in after


ADMIN_PAGES = ("/admin/events", "/admin/stats", "/admin/events/{open_event}/participants")


def test_back_office_pages_print_without_filters_buttons_and_downloads(
    printing,
    coordinator,  # noqa: F811
    demo_ids,
):
    page = printing("/login")
    page.emulate_media(media="screen")
    sign_in(page, coordinator)
    for path in ADMIN_PAGES:
        page = printing(path.format(**demo_ids))
        assert page.locator("h1").first.is_visible(), path
        visible = page.evaluate(
            """() => [...document.querySelectorAll(
                'form[role=search], button, input[type=submit], a[href*=".csv"], a[href*=".xlsx"]')]
                .filter(e => e.offsetParent !== null || getComputedStyle(e).display !== 'none'
                  && e.getClientRects().length > 0).map(e => e.outerHTML.slice(0, 120))"""
        )
        assert visible == [], (path, visible)
