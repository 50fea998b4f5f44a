"""The evaluation form in Chromium at 360 px, with JavaScript off and on: the thank-you
state, a link that cannot serve twice; axe on the form, the thank-you page and the staff's
results page, in French and Dutch."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, describe, new_context, serious

pytestmark = pytest.mark.browser

STAFF_EMAIL = "evaluation-admin@bassins-bruxelles.be"
STAFF_PASSWORD = "evaluation-bassin-2027"


@pytest.fixture(scope="module")
def evaluation(live_server):
    """An ended concertation with an open evaluation, invitations (FR, NL) and five answers,
    and an admin account, made in the live server's app context."""
    from webapp.agenda.models import Event
    from webapp.auth.accounts import save_account
    from webapp.evaluations import invitations
    from webapp.evaluations.defaults import ensure_default_templates
    from webapp.evaluations.models import Answer, Invitation
    from webapp.extensions import db
    from webapp.registrations.models import Registration
    from webapp.timezones import local_today, utcnow
    from webapp.unit_of_work import unit_of_work

    with live_server.app.app_context():
        with unit_of_work("browser evaluation"):
            ensure_default_templates()
            event = db.session.scalar(
                select(Event)
                .where(Event.kind == "concertation", Event.end_at < utcnow() - timedelta(days=1))
                .order_by(Event.end_at.desc())
                .limit(1)
            )
            form = invitations.open_form(event, now=utcnow())
            tokens = {}
            for n, language in enumerate(("fr", "nl", "fr")):
                registration = Registration(
                    event_id=event.id,
                    status="confirmed",
                    first_name="Test",
                    last_name=f"Navigateur{n}",
                    email=f"navigateur.{n}@example.org",
                    language=language,
                )
                db.session.add(registration)
                db.session.flush()
                invitation = Invitation(
                    registration_id=registration.id, form_id=form.id, language=language
                )
                db.session.add(invitation)
                db.session.flush()
                tokens[f"{language}{n}"] = invitation.token
            for score in (5, 4, 4, 3, 5):
                values = {"usefulness": str(score), "takeaway": "Très riche en échanges."}
                db.session.add(Answer(event_id=event.id, day=local_today(), values=values))
            save_account(STAFF_EMAIL, STAFF_PASSWORD, "admin")
        ids = {"event": event.id, "tokens": tokens}
        db.session.remove()
    return ids


@pytest.fixture
def narrow(chromium, live_server):
    """new_narrow(java_script=True): a 360 px page of a fresh context."""
    contexts = []

    def new_narrow(java_script=True):
        context = new_context(chromium, live_server, PHONE, javascript=java_script)
        contexts.append(context)
        return context.new_page()

    yield new_narrow
    for context in contexts:
        context.close()


def _assert_accessible(axe, page):
    found = axe.run(page)
    blocking = serious(found)
    assert not blocking, f"axe on {page.url}:\n{describe(blocking)}"


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def _fill_and_send(page, path):
    page.goto(path)
    assert page.locator("html").get_attribute("lang") in ("fr", "nl")
    page.locator("input[name=q_usefulness][value='4']").check()
    page.locator("textarea[name=q_takeaway]").fill("C'était très riche en échanges.")
    page.locator("input[name=q_format_suited][value=yes]").check()
    page.locator("form.evaluation-form button[type=submit]").click()
    page.wait_for_selector("[data-evaluation=answered]")


@pytest.mark.parametrize("java_script", [False, True], ids=["no-js", "js"])
def test_a_participant_answers_at_360_px_and_the_link_serves_once(
    narrow, evaluation, axe, java_script
):
    token = evaluation["tokens"]["fr0" if java_script else "fr2"]
    page = narrow(java_script)
    page.goto(f"/evaluations/{token}")
    assert "Vos réponses sont anonymes." in page.inner_text("main")
    _fits(page)
    if java_script:  # axe needs scripts; the form is the same page with them off
        _assert_accessible(axe, page)
    _fill_and_send(page, f"/evaluations/{token}")
    assert "Merci pour votre avis" in page.get_by_role("heading", level=1).inner_text()
    _fits(page)
    if java_script:
        _assert_accessible(axe, page)
    page.goto(f"/evaluations/{token}")
    assert page.locator("[data-evaluation=answered]").count() == 1
    assert page.locator("form.evaluation-form").count() == 0


def test_a_refused_answer_shows_its_message_without_javascript(narrow, evaluation):
    page = narrow(java_script=False)
    page.goto(f"/evaluations/{evaluation['tokens']['nl1']}?lang=nl")
    page.locator("form.evaluation-form button[type=submit]").click()
    page.wait_for_selector("#form-errors")
    assert page.locator(".has-error").count() >= 1
    assert page.locator("html").get_attribute("lang") == "nl"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_form_and_results_have_no_serious_violation(narrow, evaluation, axe, language):
    page = narrow()
    page.goto(f"/evaluations/{evaluation['tokens']['nl1']}?lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    _assert_accessible(axe, page)

    page.goto("/login")
    page.locator("input[name=email]").fill(STAFF_EMAIL)
    page.locator("input[name=password]").fill(STAFF_PASSWORD)
    page.locator("form.person-form button[type=submit]").click()
    page.wait_for_url("**/admin/**")
    for path in (
        f"/admin/events/{evaluation['event']}/evaluation",
        f"/admin/events/{evaluation['event']}/evaluation/questions",
        "/admin/evaluations/templates/concertation",
    ):
        page.goto(f"{path}?lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        _assert_accessible(axe, page)
    page.goto(f"/admin/events/{evaluation['event']}/evaluation?lang={language}")
    assert page.locator("[data-question=usefulness]").count() == 1
