"""A Sud coordinator's week in Chromium, by clicking only after sign-in, at 360 and 1280 px,
in French and in Dutch: dashboard -> the event -> participants -> approve -> check-in ->
(a past meeting) late paper entry -> report -> evaluation results. On every page: axe finds
no serious or critical violation, and nothing is wider than the screen. At the door on a
phone, the search box and the first names are on the first screen."""

import pytest
from sqlalchemy import select

from tests.browser.conftest import describe, fits, new_context, save_staff, serious, sign_in

pytestmark = pytest.mark.browser

WIDTHS = {"360": {"width": 360, "height": 740}, "1280": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def coordinator(live_server):
    save_staff(live_server, ("semaine.sud@bassins-bruxelles.be", "bassin", ("sud",)))
    return "semaine.sud@bassins-bruxelles.be"


def _week(live_server, tag):
    """This week's meeting (approval, one request waiting, two confirmed) and last week's
    (ended, six confirmed, five evaluation answers, no report), both of Bassin Sud."""
    from datetime import timedelta

    from webapp.agenda.models import Bassin, Event
    from webapp.evaluations import invitations
    from webapp.evaluations.models import Answer
    from webapp.extensions import db
    from webapp.registrations.models import Registration
    from webapp.timezones import local_today, utcnow
    from webapp.unit_of_work import unit_of_work

    now = utcnow().replace(microsecond=0)
    with live_server.app.app_context():
        with unit_of_work("browser week"):
            sud = db.session.scalar(select(Bassin).where(Bassin.slug == "sud"))
            coming = Event(
                kind="concertation",
                title_fr=f"Concertation de la semaine {tag}",
                start_at=now + timedelta(hours=2),
                end_at=now + timedelta(hours=5),
                registration_mode="approval",
                capacity=20,
                bassins=[sud],
            )
            past = Event(
                kind="concertation",
                title_fr=f"Concertation passée {tag}",
                start_at=now - timedelta(days=2),
                end_at=now - timedelta(days=2) + timedelta(hours=3),
                capacity=20,
                bassins=[sud],
            )
            db.session.add_all([coming, past])
            db.session.flush()
            people = [("Aerts", "confirmed"), ("Bah", "confirmed"), ("Claes", "pending")]
            for name, status in people:
                db.session.add(
                    Registration(
                        event_id=coming.id,
                        status=status,
                        first_name="Anne",
                        last_name=f"{name}",
                        email=f"{name.lower()}.{tag}@example.org",
                        organisation="CPAS de Forest",
                        answers={},
                    )
                )
            coming.confirmed_count = 2
            for n in range(6):
                db.session.add(
                    Registration(
                        event_id=past.id,
                        status="confirmed",
                        last_name=f"Passé{n}",
                        email=f"past{n}.{tag}@example.org",
                    )
                )
            past.confirmed_count = 6
            invitations.ensure_templates()
            invitations.open_form(past, now)
            for n in range(5):
                db.session.add(
                    Answer(
                        event_id=past.id,
                        day=local_today(),
                        values={"usefulness": str(3 + n % 3), "sector_group": "social"},
                    )
                )
            ids = coming.id, past.id
        db.session.remove()
    return ids


@pytest.mark.parametrize("language", ["fr", "nl"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_coordinator_s_week_by_clicking(
    chromium, live_server, coordinator, axe, width, language
):
    tag = f"{width}-{language}"
    coming, past = _week(live_server, tag)
    context = new_context(chromium, live_server, WIDTHS[width], timeout=8000)
    page = context.new_page()
    seen, problems, counts = [], [], {}

    def check(step):
        page.wait_for_load_state()
        seen.append(step)
        blocking = serious(axe.run(page))
        counts[step] = len(blocking)
        if blocking:
            problems.append(f"{step} ({page.url}):\n{describe(blocking)}")
        if not fits(page):
            problems.append(f"{step}: wider than the screen ({page.url})")
        page.screenshot(path=f"/tmp/week-{tag}-{step}.png", full_page=True)

    def click(selector):
        page.locator(selector).first.click()
        page.wait_for_load_state()

    sign_in(page, coordinator, language=language)  # the last typed address: clicks from here on
    assert page.locator("html").get_attribute("lang") == language  # kept across sign-in
    check("dashboard")
    assert page.locator(f'[data-pending-event="{coming}"]').count() == 1
    assert page.locator('[data-work-kind="approvals"]').count() == 1

    click(f'[data-pending-event="{coming}"] a[href="/admin/events/{coming}"]')
    check("event")
    assert page.locator('[data-step="registrations"]').count() == 1

    click(f'[data-step="registrations"] a[href="/admin/events/{coming}/participants"]')
    check("participants")
    pending_row = page.locator('tr[data-status="pending"]')
    accept = pending_row.locator("form button[type=submit]").first
    if width == "1280":
        box = accept.bounding_box()
        assert box and box["x"] + box["width"] <= 1280, "the accept button is off screen"
    accept.click()
    page.wait_for_load_state()
    check("approved")
    assert page.locator('tr[data-status="pending"]').count() == 0

    click(f'a[href="/admin/events/{coming}"]')  # the way back to the event
    click(f'[data-step="day"] a[href="/admin/events/{coming}/attendance"]')
    check("check-in")
    viewport_height = WIDTHS[width]["height"]
    assert page.locator("#door-q").bounding_box()["y"] < viewport_height
    first_name = page.locator(".tap-name").first.bounding_box()
    assert first_name["y"] + first_name["height"] <= viewport_height, "no name on the first screen"
    assert page.locator('[data-count="not_come"]').count() == 1

    click('a[href="/admin/"]')  # the dashboard, from the menu
    click(f'[data-no-report-event="{past}"] a[href="/admin/events/{past}"]')
    check("past-event")
    click(f'[data-step="day"] a[href="/admin/events/{past}/participants/late"]')
    check("late")
    for n, (last, first) in enumerate([("Dubois", "Awa"), ("Janssens", "Pieter")]):
        page.fill(f"#rows-{n}-last_name", last)
        page.fill(f"#rows-{n}-first_name", first)
    page.locator("main form.late-form button[type=submit]:not([name=more_rows])").click()
    page.wait_for_load_state()
    check("late-added")
    assert page.locator("text=Dubois").count() >= 1

    click(f'a[href="/admin/events/{past}"]')
    click(f'[data-step="afterwards"] a[href="/admin/events/{past}/report"]')
    check("report")
    click(f'a[href="/admin/events/{past}"]')
    click(f'[data-step="afterwards"] a[href="/admin/events/{past}/evaluation"]')
    check("evaluation")
    assert page.locator("html").get_attribute("lang") == language
    context.close()

    from webapp.registrations.models import Registration

    walk_ins = live_server.scalar(
        select(Registration.id)
        .where(Registration.event_id == past, Registration.walk_in.is_(True))
        .limit(1)
    )
    assert walk_ins is not None
    print(f"\naxe serious/critical per page ({tag}): {counts}")
    assert not problems, "\n".join(problems)
