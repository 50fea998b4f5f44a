"""The back office in Chromium, at phone and desktop width: a coordinator signs in, creates an
event, publishes it and postpones it; axe finds no serious or critical violation on the staff
pages, in French and in Dutch."""

import pytest
from sqlalchemy import select

from tests.browser.conftest import fits, problems, save_staff, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def coordinator(live_server):
    """A Bassin Sud coordinator and a regional admin, made in the live server's context."""
    save_staff(
        live_server,
        ("coord.sud@bassins-bruxelles.be", "bassin", ("sud",)),
        ("regional@bassins-bruxelles.be", "admin", ()),
    )
    return "coord.sud@bassins-bruxelles.be"


def test_a_coordinator_creates_publishes_and_postpones_an_event(
    page, live_server, coordinator, viewport, screenshot
):
    from webapp.agenda.models import Event

    title = f"Concertation santé mentale — test {viewport}"
    sign_in(page, coordinator)
    assert fits(page), "the dashboard is wider than the screen"
    page.goto("/admin/events/new")
    page.fill("#title_fr", title)
    page.fill("#start_day", "2027-03-16")
    page.fill("#start_time", "09:30")
    page.fill("#end_day", "2027-03-16")
    page.fill("#end_time", "12:00")
    page.get_by_label("Bassin Sud").check()
    screenshot("new-event")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/edit")
    assert fits(page), "the edit page is wider than the screen"
    event_id = live_server.scalar(select(Event.id).where(Event.title_fr == title))
    assert live_server.scalar(select(Event.status).where(Event.id == event_id)) == "draft"

    page.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()
    assert live_server.scalar(select(Event.status).where(Event.id == event_id)) == "published"
    public = page.context.new_page()
    public.goto(f"/events/{event_id}")
    assert title in public.locator("h1").inner_text()
    public.close()

    page.goto(f"/admin/events/{event_id}/edit")
    page.get_by_role("link", name="Reporter").click()
    page.fill("#reason_fr", "La salle n'est plus disponible.")
    screenshot("postpone")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert live_server.scalar(select(Event.status).where(Event.id == event_id)) == "postponed"
    public = page.context.new_page()
    public.goto(f"/events/{event_id}")
    assert "La salle n'est plus disponible." in public.locator("main").inner_text()
    public.close()
    screenshot("after-postpone")


STAFF_PAGES = [
    "/admin/",
    "/admin/events",
    "/admin/events/new",
    "/admin/proposals",
    "/admin/series",
    "/admin/venues",
    "/admin/organisations",
    "/admin/venues?q=rue",  # a search, and one that finds nothing
    "/admin/organisations?q=aucune-organisation",
    "/admin/stats",
    "/admin/audit",
    "/admin/account",
    "/admin/grand-bain/",
    "/admin/grand-bain/2027/",
]

# Each table column whose header is aligned otherwise than its cells (a number under a
# header pushed to the other side reads as belonging to the next column).
MISALIGNED_COLUMNS = """() => {
  const side = cell => ({start: 'left', end: 'right'})[getComputedStyle(cell).textAlign]
    || getComputedStyle(cell).textAlign;
  const found = [];
  for (const table of document.querySelectorAll('table')) {
    const head = table.tHead && table.tHead.rows[0];
    if (!head || !table.tBodies.length) continue;
    [...head.cells].forEach((header, i) => {
      for (const row of table.tBodies[0].rows) {
        const cell = row.cells[i];
        if (cell && cell.colSpan === 1 && cell.textContent.trim() && side(cell) !== side(header)) {
          found.push(header.textContent.trim());
          break;
        }
      }
    });
  }
  return found;
}"""


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_staff_pages_have_no_serious_accessibility_violation(
    page, coordinator, axe, language, live_server
):
    from webapp.agenda.models import Event

    sign_in(page, "regional@bassins-bruxelles.be")
    some_event = live_server.scalar(
        select(Event.id).where(Event.status == "published").order_by(Event.id).limit(1)
    )
    pages = STAFF_PAGES + [
        f"/admin/events/{some_event}/edit",
        f"/admin/events/{some_event}/move",
        f"/admin/events/{some_event}/participants",
        f"/admin/events/{some_event}/attendance",
        f"/admin/events/{some_event}/recurrence",
        f"/admin/events/{some_event}/report",
    ]
    failures = []
    for path in pages:
        response = page.goto(f"{path}{'&' if '?' in path else '?'}lang={language}")
        assert response.status == 200, path
        failures += problems(page, axe, path)
        misaligned = page.evaluate(MISALIGNED_COLUMNS)
        if misaligned:
            failures.append(f"{path}: headers aligned otherwise than their cells: {misaligned}")
    assert not failures, "\n".join(failures)


def test_the_staff_menu_keeps_to_one_line_on_a_phone(page, coordinator, viewport):
    """At 375 px the menu is one line that scrolls on its own (the page does not): every
    entry is there and reachable by keyboard; at 1280 px it may wrap."""
    sign_in(page, coordinator)
    menu = page.locator(".admin-nav")
    links = menu.locator("a")
    assert links.count() >= 9
    if viewport == "phone":
        assert menu.bounding_box()["height"] <= 60, menu.bounding_box()
    assert fits(page)
    last = links.last
    last.focus()
    box = last.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1
    last.click()
    page.wait_for_url("**/admin/account")
