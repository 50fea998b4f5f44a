"""The Grand Bain programme on a 360 px phone, with and without JavaScript, in French and
Dutch: open the programme, tick three visits across two days, remove one from the bottom
bar, book, be refused on an overlap, remove that visit on the booking page (what was typed
stays), book the rest. No step asks to scroll more than two screens; the heights and
positions are printed (run with -s to read them). axe finds nothing serious on the way."""

import re

import pytest

from tests.browser.conftest import PHONE as SCREEN
from tests.browser.conftest import describe, new_context, serious
from tests.browser.test_grand_bain import grand_bain  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

MOST_SCROLL = 2 * SCREEN["height"]

WORDS = {
    "fr": {"one": "1 visite choisie", "three": "3 visites choisies", "two": "2 visites choisies"},
    "nl": {"one": "1 bezoek gekozen", "three": "3 bezoeken gekozen", "two": "2 bezoeken gekozen"},
}


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def phone(request, chromium, live_server, axe):
    context = new_context(chromium, live_server, SCREEN, javascript=request.param, timeout=8000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.javascript = request.param
    checker = None
    if not request.param:
        # axe runs in the page: the markup seen without JavaScript is checked in a page
        # that runs axe but not the programme's script.
        checker = chromium.new_context(viewport=SCREEN, base_url=live_server.url)
        checker.route("**/js/grandbain.js*", lambda route: route.abort())
        page.axe_page = checker.new_page()
    else:
        page.axe_page = None
    yield page
    context.close()
    if checker:
        checker.close()
    assert not errors, errors


class Reach:
    """Where each element a step uses lies on its page: the scroll it asks from the top."""

    def __init__(self, page, label):
        self.page, self.label = page, label

    def __call__(self, step, locator):
        box = locator.evaluate(
            "e => { const r = e.getBoundingClientRect();"
            " return [r.top + window.scrollY, r.bottom + window.scrollY,"
            " document.documentElement.scrollHeight, getComputedStyle(e).position]; }"
        )
        top, bottom, height, _position = box
        # A bar fixed at the bottom of the screen is in view wherever one is.
        in_bar = locator.evaluate("e => !!e.closest('.gb-bar')")
        scroll = 0 if in_bar else max(0, bottom - SCREEN["height"])
        print(
            f"{self.label} {step}: page {height:.0f} px, element {top:.0f}-{bottom:.0f} px,"
            f" scroll {scroll:.0f} px{' (bottom bar)' if in_bar else ''}"
        )
        assert scroll <= MOST_SCROLL, f"{self.label} {step}: {scroll:.0f} px to scroll"


def _bookable_boxes(page):
    """The programme's tick boxes within two screens of scrolling: id, top and times."""
    return page.evaluate(
        """limit => [...document.querySelectorAll('.gb-slots input[type=checkbox]')]
          .map(box => { const r = box.getBoundingClientRect();
            const times = document.querySelector(`label[for=${box.id}]`).innerText
              .match(/(\\d\\d)[:.](\\d\\d)\\D+(\\d\\d)[:.](\\d\\d)/);
            return {id: box.id, bottom: r.bottom + window.scrollY,
              start: +times[1] * 60 + +times[2], end: +times[3] * 60 + +times[4]}; })
          .filter(box => box.bottom < limit)""",
        MOST_SCROLL + SCREEN["height"] - 60,
    )


def _overlapping_pair(boxes):
    for n, first in enumerate(boxes):
        for second in boxes[n + 1 :]:
            if first["start"] < second["end"] and second["start"] < first["end"]:
                return first["id"], second["id"]
    raise AssertionError("no two overlapping visits within two screens")


def _open_bar(page):
    summary = page.locator(".gb-bar .gb-choices > summary")
    if page.locator(".gb-bar .gb-choices").get_attribute("open") is None:
        summary.click()
    return page.locator(".gb-bar .gb-choices-list")


def _fill_person(page, email):
    page.fill("#first_name", "Nadia")
    page.fill("#last_name", "Benali")
    page.fill("#email", email)
    page.fill("#organisation", "Hôpital Saint-Pierre")
    page.select_option("#sector", index=1)
    page.fill("#job_title", "Assistante sociale")
    page.check("#consent")


def _no_blocking_violation(page, axe, where):
    if page.axe_page is not None:
        html = page.content()
        page.axe_page.goto(page.url if "/book" not in page.url else "/grand-bain/")
        page.axe_page.set_content(html)
        results = axe.run(page.axe_page)
    else:
        results = axe.run(page)
    blocking = serious(results)
    assert not blocking, f"axe on {where}:\n{describe(blocking)}"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_three_visits_ticked_one_removed_refused_then_booked_on_a_phone(
    phone,
    axe,
    grand_bain,  # noqa: F811
    language,
):
    page = phone
    label = f"[{language}, {'js' if page.javascript else 'no js'}]"
    reach = Reach(page, label)
    words = WORDS[language]
    page.goto(f"/grand-bain/{grand_bain['year']}/?lang={language}")
    assert page.locator("html").get_attribute("lang") == language

    # The day shown first, its first visit in the first screen; the others one tap away.
    days = page.locator(".gb-days .gb-day-button")
    assert days.count() == 5
    first_slot = page.locator(".gb-slots > li").first
    box = first_slot.bounding_box()
    print(f"{label} programme: first visit {box['y']:.0f}-{box['y'] + box['height']:.0f} px")
    assert box["y"] + box["height"] <= SCREEN["height"], "the first visit is below the screen"
    assert page.locator(".gb-filters").get_attribute("open") is None  # filters folded
    if page.javascript:
        assert page.locator("#gb-bar").is_hidden()  # no bar before a tick

    # Day one: tick a visit.
    first_day = page.locator(".gb-days [aria-current]").get_attribute("value")
    first = _bookable_boxes(page)[0]["id"]
    reach("tick on day one", page.locator(f"#{first}"))
    page.check(f"#{first}")
    if page.javascript:
        assert page.locator("#gb-bar").is_visible()
        assert page.locator(".gb-choices-count").inner_text() == words["one"]

    # Day two, one tap away: the tick travels; two visits at the same time there.
    second_day = days.nth(1 if first_day != days.nth(1).get_attribute("value") else 2)
    reach("day two button", second_day)
    second_day.click()
    page.wait_for_url(re.compile(r"date=\d{4}-\d\d-\d\d"))
    assert page.locator(".gb-days [aria-current]").get_attribute("value") != first_day
    one, other = _overlapping_pair(_bookable_boxes(page))
    for box_id in (one, other):
        reach("tick on day two", page.locator(f"#{box_id}"))
        page.check(f"#{box_id}")
    if page.javascript:
        assert page.locator(".gb-choices-count").inner_text() == words["three"]
    _no_blocking_violation(page, axe, f"{label} programme, day two")

    # The bottom bar lists the visit of day one; remove it from there.
    choices = _open_bar(page)
    assert choices.locator("li").count() == (3 if page.javascript else 1)
    assert re.search(r"\d\d[:.]\d\d", choices.inner_text())  # with its times
    remove = choices.locator(f"li[data-slot='{first.removeprefix('slot-')}'] .gb-remove")
    reach("remove from the bar", remove)
    remove.click()
    if page.javascript:
        assert page.locator(".gb-choices-count").inner_text() == words["two"]
    else:
        page.wait_for_url(re.compile(r"drop="))
        assert page.locator(".gb-choices").get_attribute("hidden") is not None
    assert page.locator(f"#{one}").is_checked() and page.locator(f"#{other}").is_checked()
    gone = f"#gb-programme input[name=slot][value='{first.removeprefix('slot-')}']"
    assert page.locator(gone).count() == 0

    # Book: the overlap is refused and named, the rest and what was typed kept.
    book = page.locator(".gb-bar .gb-book-button")
    reach("book from the bar", book)
    book.click()
    page.wait_for_url(re.compile(r"/book"))
    assert page.locator(".gb-chosen > li").count() == 2
    _fill_person(page, f"nadia.{language}.{'js' if page.javascript else 'nojs'}@example.org")
    for field in ("#first_name", "#consent"):
        reach(f"booking form {field}", page.locator(field))
    confirm = page.locator(".gb-confirm")
    reach("confirm two visits", confirm)
    confirm.click()
    refusal = page.locator("#refusal")
    refusal.wait_for()
    refused = refusal.locator(".gb-refused li")
    assert refused.count() == 1
    _no_blocking_violation(page, axe, f"{label} booking refused")
    remove = refused.locator(".gb-remove")
    reach("remove the refused visit", remove)
    remove.click()
    page.wait_for_load_state()
    assert page.locator("#refusal").count() == 0
    assert page.locator(".gb-chosen > li").count() == 1
    assert page.input_value("#first_name") == "Nadia"
    assert page.input_value("#job_title") == "Assistante sociale"
    assert page.locator("#consent").is_checked()
    confirm = page.locator(".gb-confirm")
    reach("confirm the rest", confirm)
    confirm.click()
    page.wait_for_url("**/grand-bain/visits/**")
    assert page.locator(".gb-visit[data-status=confirmed]").count() == 1
