"""Check-in at the door in Chromium at 360 px, with the form tokens on (as in production): with
JavaScript, taps made while offline wait in the browser and reach the database with their
own time when the network returns; without JavaScript, each tap is a form post."""

import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.browser.conftest import PHONE, VIEWPORTS, LiveServer, new_context, sign_in  # noqa: F401
from tests.conftest import make_config
from tests.factories import PERSON, event_factory
from webapp import create_app
from webapp.extensions import db
from webapp.registrations.models import CheckIn, Registration
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

pytestmark = pytest.mark.browser

PASSWORD = "concertation-bassin-2027"
NAMES = ["Aerts", "Bodart", "Claes", "Dubois", "Evrard", "Fontaine"]


@pytest.fixture
def door(tmp_path):
    """A live server of its own (CSRF on) with one event of Bassin Sud, six confirmed
    people and a coordinator of Bassin Sud."""
    from webapp.agenda.territory import load_territory
    from webapp.auth import accounts
    from webapp.registrations import rules

    app = create_app(make_config(f"sqlite:///{tmp_path / 'door.sqlite3'}", WTF_CSRF_ENABLED=True))
    with app.app_context():
        db.create_all()
        load_territory()
        db.session.commit()
        # Begun ten minutes ago (taps are taken from a date's day on), registered before.
        start = utcnow().replace(microsecond=0) - timedelta(minutes=10)
        event = event_factory(start=start)
        with unit_of_work(), time_machine.travel(start - timedelta(days=2), tick=False):
            for name in NAMES:
                rules.register(
                    event.id, PERSON | {"email": f"{name}@example.org", "last_name": name}
                )
            accounts.save_account("sud@bassins-bruxelles.be", PASSWORD, "bassin", bassins=("sud",))
        event_id = event.id
        db.session.remove()
    server = LiveServer(app)
    server.thread.start()
    server.event_id = event_id
    yield server
    server.server.shutdown()
    server.thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


def present_rows(server):
    with server.app.app_context():
        rows = db.session.execute(
            select(Registration.last_name, Registration.walk_in, CheckIn.tapped_at)
            .join(CheckIn, CheckIn.registration_id == Registration.id)
            .where(CheckIn.present.is_(True))
        ).all()
        db.session.remove()
    return {name: (walk_in, tapped_at) for name, walk_in, tapped_at in rows}


def wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def open_door(chromium, server, javascript):
    context = new_context(chromium, server, PHONE, javascript=javascript, timeout=8000)
    page = context.new_page()
    sign_in(page, "sud@bassins-bruxelles.be", PASSWORD)
    page.goto(f"/admin/events/{server.event_id}/attendance")
    return context, page


def tick(page, name):
    button = page.locator(".door-person", has_text=name).locator("button.tap")
    button.click()
    page.locator(".door-person", has_text=name).locator('button[aria-pressed="true"]').wait_for()


def add_walk_in(page):
    page.fill("#walk-in-first_name", "Marc")
    page.fill("#walk-in-last_name", "Janssens")
    page.fill("#walk-in-organisation", "Maison médicale du Midi")
    page.select_option("#walk-in-sector", "cpas")
    page.locator(".walk-in-form button[type=submit]").click()
    page.locator(".door-person", has_text="Janssens").wait_for()


def test_check_in_with_javascript_keeps_offline_taps_and_their_time(chromium, door):
    context, page = open_door(chromium, door, javascript=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for name in NAMES[:3]:
        tick(page, name)
    assert wait_for(lambda: len(present_rows(door)) == 3)
    add_walk_in(page)

    context.set_offline(True)
    before_offline_taps = utcnow()
    for name in NAMES[3:5]:
        tick(page, name)
    assert page.locator("#door-queue").is_visible()
    assert page.locator('[data-count="present"]').inner_text() == "5"
    time.sleep(2)  # the taps wait in the browser; the server has not seen them
    assert set(present_rows(door)) == {*NAMES[:3], "Janssens"}
    back_online = utcnow()
    context.set_offline(False)

    assert wait_for(lambda: len(present_rows(door)) == 6, seconds=25)
    rows = present_rows(door)
    assert rows["Janssens"][0] is True
    for name in NAMES[3:5]:
        # The time of the tap, not of its arrival.
        assert before_offline_taps - timedelta(seconds=1) <= rows[name][1] <= back_online
    page.locator("#door-queue").wait_for(state="hidden")
    context.close()


def test_check_in_without_javascript_is_one_form_post_per_tap(chromium, door):
    context, page = open_door(chromium, door, javascript=False)
    started = utcnow() - timedelta(seconds=1)
    for name in NAMES[:3]:
        tick(page, name)
    add_walk_in(page)
    page.fill("#door-q", "dub")
    page.locator(".door-search button[type=submit]").click()
    assert page.locator(".door-list .door-person").first.inner_text().startswith("Dubois")
    rows = present_rows(door)
    assert set(rows) == {*NAMES[:3], "Janssens"}
    assert all(started <= tapped_at <= utcnow() for _walk_in, tapped_at in rows.values())
    assert page.locator('[data-count="present"]').inner_text() == "3"
    assert page.locator('[data-count="walk_ins"]').inner_text() == "1"
    context.close()


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_participants_check_in_and_sheet_have_no_serious_accessibility_violation(
    chromium, door, language
):
    from axe_playwright_python.sync_playwright import Axe

    context, page = open_door(chromium, door, javascript=True)
    tick(page, NAMES[0])
    axe = Axe()
    for tail in ("participants", "attendance", "attendance-sheet"):
        path = f"/admin/events/{door.event_id}/{tail}?lang={language}"
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        violations = axe.run(page).response["violations"]
        blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not blocking, f"axe on {path}: {[(v['id'], v['help']) for v in blocking]}"
    context.close()
