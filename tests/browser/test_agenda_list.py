"""The agenda list on a phone (issue 10): the first event within the first screen, filters
folded without JavaScript, accent-blind search, no serious accessibility violation."""

import pytest

from tests.browser.conftest import new_context

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}
FIRST_SCREEN = 780


@pytest.fixture
def phone(chromium, live_server):
    """A 360 px page; `javascript` False gives what a browser without scripts shows."""
    contexts = []

    def open_page(path, lang="fr", javascript=True):
        context = new_context(chromium, live_server, PHONE, javascript=javascript)
        contexts.append(context)
        page = context.new_page()
        page.goto(path + ("&" if "?" in path else "?") + f"lang={lang}")
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("path", ["/", "/bassins/sud/"])
def test_first_event_starts_within_the_first_phone_screen(phone, path, lang):
    page = phone(path, lang)
    first = page.locator(".event-list .event-title a").first
    assert first.bounding_box()["y"] < FIRST_SCREEN


def test_subscription_comes_after_the_list_on_a_bassin_page(phone):
    page = phone("/bassins/sud/")
    list_top = page.locator(".event-list").first.bounding_box()["y"]
    assert page.locator(".subscribe").bounding_box()["y"] > list_top


def test_filters_fold_and_open_without_javascript(phone):
    page = phone("/?kind=concertation&commune=forest", javascript=False)
    assert page.locator("#filter-kind").is_hidden()
    assert "2" in page.locator(".filter-panel summary").inner_text()
    page.locator(".filter-panel summary").click()
    assert page.locator("#filter-kind").is_visible()


def test_a_chip_removes_its_filter_and_keeps_the_others(phone):
    page = phone("/?kind=concertation&q=hopital")
    page.locator(".chip", has_text="Concertation").click()
    assert "kind=" not in page.url and "q=hopital" in page.url
    assert page.locator(".chip").count() == 1


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("hopital", "hôpital"),  # accents folded: the first result reads "hôpital"
        ("Vorst", "Forest"),
        ("prevention", "Rendez-vous de la Prévention santé"),
    ],
)
def test_search_ignores_accents_and_finds_the_commune(phone, query, found):
    page = phone("/")
    page.fill("#filter-q", query)
    page.locator(".search-row button").click()
    cards = page.locator(".event-list .event-card")
    assert cards.count() > 0
    assert found in cards.first.inner_text()


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("path", ["/", "/bassins/sud/", "/?q=hopital&kind=concertation"])
def test_phone_list_has_no_serious_accessibility_violation(phone, path, lang):
    from axe_playwright_python.sync_playwright import Axe

    page = phone(path, lang)
    page.locator(".filter-panel summary").click()  # the folded fields too
    results = Axe().run(page)
    blocking = [
        v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
    ]
    assert not blocking, blocking
