"""An online participant's journey on a 360 px phone, in French and in Dutch: the event page
(no link), the form, her personal page (the link announced, not shown), then, within the hour
before the start, the link on her page. axe finds nothing serious or critical on the way."""

from datetime import timedelta

import pytest
import time_machine

from tests.browser.conftest import PHONE, new_context
from tests.browser.test_evaluation import _assert_accessible
from webapp.agenda.models import Bassin, Event
from webapp.extensions import db
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

pytestmark = pytest.mark.browser

LINK = "https://visio.bassins.brussels/reseau-sante-mentale-2b7e"


@pytest.fixture(scope="module")
def online_event(live_server):
    """An online meeting of Bassin Sud in three hours, 40 places online."""
    from sqlalchemy import select

    start = (utcnow() + timedelta(hours=3)).replace(second=0, microsecond=0)
    with live_server.app.app_context():
        with unit_of_work("browser test event"):
            event = Event(
                kind="webinaire",
                audience="professionals",
                title_fr="Webinaire santé mentale et logement",
                title_nl="Webinar geestelijke gezondheid en huisvesting",
                start_at=start,
                end_at=start + timedelta(hours=1, minutes=30),
                mode="online",
                online_capacity=40,
                online_url=LINK,
                status="published",
                registration_mode="open",
                bassins=db.session.scalars(select(Bassin).where(Bassin.slug == "sud")).all(),
            )
            db.session.add(event)
        event_id, start_at = event.id, event.start_at
        db.session.remove()
    return event_id, start_at


@pytest.fixture
def phone(chromium, live_server):
    context = new_context(chromium, live_server, PHONE, timeout=10000)
    yield context.new_page()
    context.close()


def shoot(page, name):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"online-journey-{name}.png"), full_page=True)


@pytest.mark.parametrize(
    "language, email, words",
    [
        (
            "fr",
            "ines.online@example.org",
            {"register": "S'inscrire", "send": "Envoyer mon inscription", "join": "Rejoindre"},
        ),
        (
            "nl",
            "joris.online@example.org",
            {"register": "Inschrijven", "send": "Mijn inschrijving versturen", "join": "Deelnemen"},
        ),
    ],
)
def test_an_online_participant_finds_the_link_on_her_page_an_hour_before(
    phone,
    axe,  # noqa: F811
    online_event,
    language,
    email,
    words,  # noqa: F811
):
    event_id, start_at = online_event
    page = phone
    page.goto(f"/events/{event_id}?lang={language}")
    assert LINK not in page.content()
    _assert_accessible(axe, page)
    shoot(page, f"{language}-1-event")

    page.get_by_role("link", name=words["register"]).first.click()
    page.wait_for_url(f"**/events/{event_id}/register*")
    assert page.locator("#first_name").get_attribute("autocomplete") == "given-name"
    _assert_accessible(axe, page)
    page.fill("#first_name", "Inès")
    page.fill("#last_name", "Vandamme")
    page.fill("#email", email)
    page.fill("#organisation", "Service de santé mentale Le Méridien")
    page.select_option("#sector", index=1)
    page.fill("#job_title", "Psychologue")
    page.check("#consent")
    shoot(page, f"{language}-2-form")
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url("**/registrations/*")

    assert page.locator("[data-status]").first.get_attribute("data-status") == "confirmed"
    section = page.locator("[data-place-mode=online]")
    assert section.count() == 1
    assert LINK not in page.content()
    assert page.locator("[data-meeting-link]").count() == 0
    _assert_accessible(axe, page)
    shoot(page, f"{language}-3-page-before")

    # Fifty minutes before the start (the server's clock; the browser keeps its own).
    with time_machine.travel(start_at - timedelta(minutes=50), tick=True):
        page.reload()
        link = page.locator("[data-meeting-link]")
        assert link.count() == 1
        assert link.get_attribute("href") == LINK
        assert words["join"] in link.inner_text()
        width = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert width <= 0, f"the personal page scrolls sideways by {width}px at 360 px"
        _assert_accessible(axe, page)
        shoot(page, f"{language}-4-page-within-the-hour")
