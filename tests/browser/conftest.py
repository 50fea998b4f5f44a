"""Browser fixtures: the demo agenda on a live server, one headless Chromium per session.

Chromium is Debian's /usr/bin/chromium driven by Playwright (never `playwright install`).
Without it the browser tests skip loudly, unless REQUIRE_BROWSER=1 (CI), where they fail.
"""

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import make_config
from webapp import create_app
from webapp.extensions import db

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {
    "phone": {"width": 375, "height": 740},
    "desktop": {"width": 1280, "height": 900},
}
PHONE = {"width": 360, "height": 740}
# The staff accounts the browser tests make sign in with this.
STAFF_PASSWORD = "coordination-sud-2027"

_skipped = []


def _browser_missing_reason():
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing (run `make browser-deps` as root, or apt-get install chromium)"
        )
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"Playwright or axe-playwright-python is not installed ({error})"
    return None


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_sep(
            "!",
            f"BROWSER TESTS SKIPPED: {_skipped[0]} -- set REQUIRE_BROWSER=1 to fail instead",
            yellow=True,
        )


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session."""
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")
        if not _skipped:
            _skipped.append(reason)
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    """The app on 127.0.0.1 with the demo agenda, served from a thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def scalar(self, statement):
        with self.app.app_context():
            return db.session.scalar(statement)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from webapp.loading.demo import load_demo_data
    from webapp.unit_of_work import unit_of_work

    path = tmp_path_factory.mktemp("browser") / "agenda.sqlite3"
    uploads = tmp_path_factory.mktemp("uploads")
    app = create_app(make_config(f"sqlite:///{path}", UPLOAD_DIR=str(uploads)))
    with app.app_context():
        db.create_all()
        with unit_of_work():
            load_demo_data()
        db.session.remove()
    server = LiveServer(app)
    server.thread.start()
    yield server
    server.server.shutdown()
    server.thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


def new_context(chromium, server, size, javascript=True, timeout=5000):
    """A fresh context (no cookies) of `size` on `server`, in French; below 600 px a phone's
    (mobile viewport, touch). Its caller closes it."""
    phone = size["width"] < 600
    context = chromium.new_context(
        viewport=size,
        locale="fr-BE",
        base_url=server.url,
        is_mobile=phone,
        has_touch=phone,
        java_script_enabled=javascript,
    )
    context.set_default_timeout(timeout)
    return context


def save_staff(server, *accounts):
    """Staff accounts (email, role, bassins) with STAFF_PASSWORD, in the server's database."""
    from webapp.auth.accounts import save_account
    from webapp.unit_of_work import unit_of_work

    with server.app.app_context():
        with unit_of_work("browser staff"):
            for email, role, bassins in accounts:
                save_account(email, STAFF_PASSWORD, role, bassins=bassins)
        db.session.remove()


def sign_in(page, email, password=STAFF_PASSWORD, language=None):
    """Sign in through the login form, as a person does; lands on the dashboard."""
    page.goto(f"/login?lang={language}" if language else "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/admin/**")


BLOCKING = {"serious", "critical"}


def serious(results):
    """axe's serious and critical violations in a run's results: what a page must not have."""
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def describe(violations):
    """The violations in lines a failing test can print: rule, impact, the first elements."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            lines.append(f"      {node.get('failureSummary', '').strip()[:300]}")
    return "\n".join(lines)


def problems(page, axe, where):
    """What is wrong with the page as it stands, as lines naming `where`: axe's serious or
    critical violations, a page wider than its window."""
    found = []
    violations = serious(axe.run(page))
    if violations:
        found.append(f"{where}:\n{describe(violations)}")
    if not fits(page):
        found.append(f"{where}: wider than the screen")
    return found


def fits(page):
    """No sideways scrolling: the page is no wider than its window."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


@pytest.fixture(scope="session")
def axe():
    """axe-core, run in the page by axe-playwright-python."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def page(chromium, live_server, viewport):
    """A fresh page (new context: no cookies) at the given width, in French by default."""
    context = new_context(chromium, live_server, VIEWPORTS[viewport])
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot(page, viewport, request):
    """Save a full-page screenshot into test-artifacts/ (gitignored) under a readable name."""
    ARTIFACTS.mkdir(exist_ok=True)
    test_name = request.node.originalname

    def take(step):
        target = ARTIFACTS / f"{test_name}-{viewport}-{step}.png"
        page.screenshot(path=str(target), full_page=True)
        return target

    return take


@pytest.fixture(scope="session")
def demo_ids(live_server):
    """Ids and slugs of demo pages the tests visit."""
    from webapp.agenda.models import Event, Series
    from webapp.agenda.reports import ThemeSynthesis
    from webapp.registrations.models import Registration
    from webapp.timezones import utcnow

    now = utcnow()
    return {
        "upcoming_event": live_server.scalar(
            select(Event.id)
            .where(Event.status == "published", Event.start_at > now, Event.venue_id.is_not(None))
            .order_by(Event.start_at)
            .limit(1)
        ),
        "past_event": live_server.scalar(
            select(Event.id)
            .where(Event.end_at < now, Event.report_summary_fr.is_not(None))
            .order_by(Event.start_at.desc())
            .limit(1)
        ),
        "recurring_event": live_server.scalar(
            select(Event.id).where(Event.rrule.is_not(None)).order_by(Event.id).limit(1)
        ),
        "series": live_server.scalar(
            select(Series.slug).where(Series.slug == "sud-liaison-ambulatoire-hopital")
        ),
        "open_event": live_server.scalar(
            select(Event.id).where(Event.external_id == "demo-sud-liaison-4")
        ),
        "theme_year": live_server.scalar(
            select(ThemeSynthesis.year).where(ThemeSynthesis.theme == "liaison-ambulatoire-hopital")
        ),
        "registration_token": live_server.scalar(
            select(Registration.token)
            .where(Registration.status == "waitlisted")
            .order_by(Registration.id)
            .limit(1)
        ),
    }
