"""axe-core on the public pages: no serious or critical violation, in French and in Dutch."""

import pytest

from tests.browser.conftest import describe, serious

pytestmark = pytest.mark.browser

PAGES = {
    "agenda": lambda ids: "/",
    "agenda-filtered-nl": lambda ids: "/?bassin=sud&kind=concertation&lang=nl",
    "bassin": lambda ids: "/bassins/sud/",
    "event": lambda ids: f"/events/{ids['upcoming_event']}",
    "recurring-event": lambda ids: f"/events/{ids['recurring_event']}",
    "past-event-with-report": lambda ids: f"/events/{ids['past_event']}",
    "series": lambda ids: f"/series/{ids['series']}",
    "theme-synthesis": lambda ids: f"/themes/liaison-ambulatoire-hopital/{ids['theme_year']}",
    "theme-synthesis-nl": lambda ids: (
        f"/themes/liaison-ambulatoire-hopital/{ids['theme_year']}?lang=nl"
    ),
    "archive": lambda ids: "/archive/",
    "not-found": lambda ids: "/events/999999",
    "unknown-address": lambda ids: "/no-such-page",
    "registration-form": lambda ids: f"/events/{ids['open_event']}/register",
    "registration-form-nl": lambda ids: f"/events/{ids['open_event']}/register?lang=nl",
    "personal-page": lambda ids: f"/registrations/{ids['registration_token']}",
    "privacy": lambda ids: "/privacy",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation(page, axe, demo_ids, name, screenshot):
    path = PAGES[name](demo_ids)
    page.goto(path)
    results = axe.run(page)
    screenshot(name)
    blocking = serious(results)
    assert not blocking, f"axe on {path}:\n{describe(blocking)}"


def test_axe_check_reports_a_missing_label(page, axe):
    """The harness itself: a page with an unlabelled field must fail the check above."""
    page.set_content('<html lang="fr"><title>t</title><main><input type="text"></main></html>')
    results = axe.run(page)
    assert "label" in {v["id"] for v in serious(results)}
