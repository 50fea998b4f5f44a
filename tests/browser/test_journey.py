"""A visitor's journey through the agenda in headless Chromium, at phone and desktop widths."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_visitor_filters_the_agenda_switches_to_dutch_and_opens_an_event(page, screenshot):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Agenda")
    assert page.locator(".event-list > li").count() > 0
    screenshot("1-agenda")

    page.locator(".filter-panel summary").click()  # the filters fold behind one <details>
    page.locator("#filter-bassin").select_option("sud")
    page.locator("#filter-kind").select_option("concertation")
    page.locator(".filter-panel button[type=submit]").click()
    page.wait_for_url(re.compile(r"bassin=sud"))
    assert "kind=concertation" in page.url
    cards = page.locator(".event-list .event-card")
    assert cards.count() > 0
    for index in range(cards.count()):
        card = cards.nth(index)
        assert card.locator(".event-kind").inner_text().startswith("Concertation")
        assert "Bassin Sud" in card.locator(".bassin-tag").all_inner_texts()
    assert page.locator("#filter-bassin").input_value() == "sud"
    screenshot("2-filtered")

    page.get_by_role("link", name="Nederlands").click()
    page.wait_for_url(re.compile(r"lang=nl"))
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "bassin=sud" in page.url and "kind=concertation" in page.url
    assert page.locator("#filter-bassin").input_value() == "sud"
    screenshot("3-dutch")

    first = page.locator(".event-list .event-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/events/\d+"))
    assert page.get_by_role("heading", level=1).inner_text().startswith(title)
    # The language chosen with the switch stays for the next pages.
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator(".event-facts time").count() >= 1
    screenshot("4-event")


def test_unknown_filter_value_is_reported_on_the_page(page):
    page.goto("/?bassin=atlantide&from=2026-13-45")
    notice = page.get_by_role("alert")
    assert "Bassin inconnu" in notice.inner_text()
    assert notice.locator("[data-filter=from]").count() == 1
    assert page.locator(".event-list > li").count() > 0


def test_page_content_fits_the_viewport_width(page, viewport, demo_ids):
    for path in ("/", f"/events/{demo_ids['recurring_event']}", "/archive/"):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {viewport} width"


def test_unknown_address_shows_the_friendly_not_found_page(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Nederlands").get_attribute("href").endswith("lang=nl")


def test_past_event_shows_its_report_and_no_places_left(page, demo_ids):
    page.goto(f"/events/{demo_ids['past_event']}")
    assert page.get_by_role("heading", name="Compte rendu").is_visible()
    assert "restante" not in page.locator(".registration-info").inner_text()


def test_first_tab_reaches_the_skip_link_which_moves_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "skip link stays off-screen"
    page.keyboard.press("Enter")
    # Following the link is asynchronous: a loaded machine may not have moved yet.
    page.wait_for_url("**/#content", timeout=5000)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'content'")


def test_printed_agenda_hides_navigation_and_filters(page):
    page.goto("/")
    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    assert not page.locator(".main-nav").is_visible()
    assert page.locator(".event-list > li").first.is_visible()


def test_a_professional_registers_from_the_event_page(page, demo_ids, screenshot, viewport):
    """Open the event, click S'inscrire, fill the form, submit: the personal page says confirmed."""
    page.goto(f"/events/{demo_ids['open_event']}")
    page.get_by_role("link", name="S'inscrire").click()
    page.get_by_label("Prénom").fill("Zoë")
    page.fill("#last_name", "Çelik")
    page.fill("#email", f"zoe.celik.{viewport}@example.org")  # one live database for both widths
    page.fill("#organisation", "Maison médicale du Midi")
    page.select_option("#sector", "maison-medicale")
    page.fill("#job_title", "Infirmière")
    page.check("#consent")
    box = page.locator("#website").bounding_box()  # the honeypot stays out of sight
    assert box is None or box["x"] + box["width"] <= 0
    page.get_by_role("button", name="Envoyer mon inscription").click()
    errors = page.locator(".error").all_inner_texts()
    assert errors == [], errors
    page.wait_for_url("**/registrations/*")
    screenshot("registered")
    assert page.locator("[data-status]").get_attribute("data-status") == "confirmed"


def test_header_is_short_and_every_menu_link_reachable(page, viewport):
    """On a phone the header keeps to one name, one language link and one menu line that
    scrolls on its own: the agenda starts high and the page never scrolls sideways."""
    page.goto("/")
    header = page.locator(".site-header").bounding_box()
    width = page.viewport_size["width"]
    assert header["height"] <= (120 if viewport == "phone" else 140), header
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    links = page.locator(".main-nav a")
    assert links.count() == 7  # the whole agenda, five bassins, the archive
    last = links.last
    last.focus()  # a keyboard reaches the last item: it scrolls into the visible menu
    box = last.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box
    assert page.get_by_role("link", name="Nederlands").is_visible()
    last.click()
    page.wait_for_url(re.compile(r"/archive/"))
