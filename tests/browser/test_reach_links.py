"""The pages that gained links so that every staff page is reached by clicking (the
dashboard's draft reports and last Grand Bain held, the lists' duplicates, a repeating
event's next dates, a report's preview and slides, a held edition's visits): on a 360 px
phone, in French and in Dutch, no sideways scrolling and no serious axe violation."""

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, new_context, problems, save_staff, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def paths(live_server):
    from webapp.agenda.models import Event
    from webapp.grandbain.demo_held import held_year
    from webapp.timezones import local_today

    save_staff(
        live_server,
        ("liens.admin@bassins-bruxelles.be", "admin", ()),
        ("liens.sud@bassins-bruxelles.be", "bassin", ("sud",)),
    )
    year = held_year(local_today())
    draft = live_server.scalar(select(Event.id).where(Event.external_id == "demo-sud-adc-8"))
    repeating = live_server.scalar(
        select(Event.id).where(Event.external_id == "demo-rdv-prevention-forest")
    )
    return [
        "/admin/",
        "/admin/venues",
        "/admin/organisations",
        f"/admin/events/{repeating}",
        f"/admin/events/{draft}",
        f"/admin/grand-bain/{year}/",
        f"/admin/grand-bain/{year}/evaluations",
    ]


@pytest.mark.parametrize(
    "email", ["liens.admin@bassins-bruxelles.be", "liens.sud@bassins-bruxelles.be"]
)
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_pages_with_new_links_fit_a_phone_and_pass_axe(
    chromium, live_server, axe, paths, email, language
):
    context = new_context(chromium, live_server, PHONE, timeout=15000)
    page = context.new_page()
    try:
        sign_in(page, email, language=language)
        failures = []
        for path in paths:
            response = page.goto(f"{path}?lang={language}")
            assert response.status == 200, path
            failures += problems(page, axe, path)
        assert not failures, "\n".join(failures)
    finally:
        context.close()
