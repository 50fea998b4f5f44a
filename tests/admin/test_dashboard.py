"""The dashboard /admin/: coming events with their places, what waits (requests to approve,
past meetings without a report, drafts, partners' proposals), the year's counts; each within
the account's reach."""

import re
from datetime import timedelta

import pytest

from tests.clock import before_the_fixed_dates
from tests.edge import rules
from tests.factories import PERSON, local
from webapp.admin import dashboard
from webapp.auth.scopes import Scope
from webapp.timezones import utcnow


def marked(page, attribute):
    """The event ids a page marks with data-<attribute>="<id>", in order."""
    return [int(n) for n in re.findall(rf'data-{attribute}="(\d+)"', page)]


def person(n):
    return {**PERSON, "email": f"person-{n}@example.org"}


@pytest.fixture
def sud_page(sud_client):
    return lambda: sud_client.get("/admin/").get_data(as_text=True)


def test_requests_to_approve_are_listed_with_their_count(sud_page, make_event):
    approval = make_event(title="Communauté de pratique", registration_mode="approval", capacity=9)
    for n in range(3):
        rules.register(approval.id, person(n))
    nord = make_event(bassins=("nord",), registration_mode="approval", capacity=9)
    rules.register(nord.id, person(9))
    open_event = make_event(capacity=9)
    rules.register(open_event.id, person(8))
    page = sud_page()
    assert marked(page, "pending-event") == [approval.id]
    assert "3 demandes" in page


def test_past_meetings_without_a_report_of_the_last_twelve_months(sud_page, make_event):
    now = utcnow()
    bare = make_event(title="Concertation #3 sans compte rendu", start=now - timedelta(days=20))
    older = make_event(title="Concertation #2", start=now - timedelta(days=200))
    make_event(title="Concertation #1 (trop ancienne)", start=now - timedelta(days=400))
    make_event(
        title="Avec compte rendu", start=now - timedelta(days=30), report_url="https://x.be/r.pdf"
    )
    make_event(title="Avec chiffres", start=now - timedelta(days=40), participants_count=18)
    make_event(title="Annulée", start=now - timedelta(days=50), status="cancelled")
    make_event(title="Nord", start=now - timedelta(days=60), bassins=("nord",))
    make_event(title="Pas encore", start=now + timedelta(days=3))
    assert marked(sud_page(), "no-report-event") == [bare.id, older.id]


def test_a_meeting_leaves_the_list_once_its_written_report_is_published(sud_page, make_event):
    from tests.agenda.test_reports import ACTOR, content, write
    from webapp.agenda import report_operations as ops

    meeting = make_event(title="Concertation #4", start=utcnow() - timedelta(days=10))
    write(ops.save_draft, meeting.id, content(), ACTOR)
    assert marked(sud_page(), "no-report-event") == [meeting.id]  # a draft is not a report yet
    write(ops.publish, meeting.id, ACTOR)
    assert marked(sud_page(), "no-report-event") == []
    assert dashboard.year_counts(Scope.of_bassins("sud"), meeting.local_start.year)[2] == 1


def test_drafts_to_publish_are_the_account_s_coming_drafts(sud_page, make_event):
    draft = make_event(title="Brouillon ADC #9", status="draft")
    make_event(title="Brouillon passé", status="draft", start=utcnow() - timedelta(days=3))
    make_event(title="Brouillon Nord", status="draft", bassins=("nord",))
    make_event(title="Publié")
    page = sud_page()
    assert marked(page, "draft-event") == [draft.id]
    assert "Brouillon Nord" not in page


def test_nothing_of_another_bassin_appears(sud_page, make_event):
    nord = make_event(title="Atelier du Changement Nord", bassins=("nord",), status="draft")
    make_event(
        title="Concertation Nord passée",
        bassins=("nord",),
        start=utcnow() - timedelta(days=10),
    )
    pending = make_event(title="Groupe Nord", bassins=("nord",), registration_mode="approval")
    rules.register(pending.id, person(1))
    page = sud_page()
    assert "Nord" not in re.sub(r"<nav.*?</nav>|<footer.*?</footer>", "", page, flags=re.S)
    assert nord.id not in marked(page, "draft-event")


def test_an_admin_sees_every_bassin(admin_client, make_event):
    sud = make_event(title="Brouillon Sud", status="draft")
    nord = make_event(title="Brouillon Nord", status="draft", bassins=("nord",))
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert sorted(marked(page, "draft-event")) == sorted([sud.id, nord.id])


@before_the_fixed_dates
def test_the_year_s_counts(app, sud_page, make_event):
    concertation = make_event(start=local(2026, 11, 20, 13), capacity=20)
    make_event(start=local(2026, 3, 10, 13), report_summary_fr="Synthèse : 25 participant·es.")
    make_event(kind="atelier-du-changement", start=local(2026, 12, 1, 9))
    make_event(start=local(2026, 12, 2, 9), status="draft")
    make_event(start=local(2026, 12, 3, 9), status="cancelled")
    make_event(start=local(2027, 1, 5, 9))
    make_event(start=local(2026, 6, 5, 9), bassins=("nord",))
    for n in range(4):
        rules.register(concertation.id, person(n))
    kinds, confirmed, reports = dashboard.year_counts(Scope.of_bassins("sud"), 2026)
    assert kinds == {"concertation": 2, "atelier-du-changement": 1}
    assert (confirmed, reports) == (4, 1)
    page = sud_page()
    assert "L'année 2026 en chiffres" in page
    assert re.search(r'data-figure="events">3<', page)
    assert re.search(r'data-figure="confirmed">4<', page)
    assert re.search(r'data-figure="reports">1<', page)
    assert re.search(r'data-kind="concertation">.*?>2<', page, re.S)


def test_the_proposals_waiting_for_the_bassin_are_counted_with_a_link(sud_client):
    from tests.proposals.factory import submitted

    submitted(("sud",))
    submitted(("sud", "nord"))
    submitted(("nord",))
    page = sud_client.get("/admin/").get_data(as_text=True)
    assert 'data-proposals-waiting="2"' in page and "/admin/proposals" in page
    assert dashboard.proposals_waiting(Scope.of_bassins("nord")) == 2
    assert dashboard.proposals_waiting(Scope.of_organisation(1)) is None


def test_the_dashboard_speaks_dutch(sud_client, make_event):
    make_event(status="draft")
    page = sud_client.get("/admin/?lang=nl").get_data(as_text=True)
    assert "Ce qui vous attend" not in page and "Brouillons à publier" not in page


def test_today_s_and_tomorrow_s_meetings_lead_to_their_check_in(sud_page, make_event):
    from webapp.timezones import local_day_start, to_local

    today = to_local(utcnow()).date()
    noon = local_day_start(today) + timedelta(hours=11)  # 12:00 or 13:00 in Brussels
    today_s = make_event(title="Concertation du jour", start=noon, capacity=20)
    tomorrow_s = make_event(title="Concertation de demain", start=noon + timedelta(days=1))
    make_event(title="Dans trois jours", start=noon + timedelta(days=3))
    make_event(title="Nord du jour", start=noon, bassins=("nord",))
    make_event(title="Annulée du jour", start=noon, status="cancelled")
    page = sud_page()
    assert marked(page, "soon-event") == [today_s.id, tomorrow_s.id]
    assert f"/admin/events/{today_s.id}/attendance?date={today.isoformat()}" in page
    assert f'href="/admin/events/{today_s.id}"' in page  # the event's page


def test_grand_bain_offers_to_review_are_counted_with_a_link(sud_client):
    from tests.admin.test_permissions import grand_bain_offers
    from webapp.extensions import db
    from webapp.grandbain.models import Offer

    grand_bain_offers()
    for offer in db.session.query(Offer):
        offer.status = "submitted"
    db.session.commit()
    page = sud_client.get("/admin/").get_data(as_text=True)
    assert 'data-offers-waiting="1"' in page  # Sud's, not Nord's
    assert "/admin/grand-bain/2031/" in page
    assert dashboard.offers_waiting(Scope.of_organisation(1)) == (None, None)


def test_evaluations_with_answers_are_listed_with_their_count(sud_page, make_event):
    from webapp.evaluations import jobs
    from webapp.evaluations.models import Answer
    from webapp.extensions import db
    from webapp.registrations.models import Registration
    from webapp.timezones import local_today

    event = make_event(start=(utcnow() - timedelta(days=2)).replace(microsecond=0))
    quiet = make_event(start=(utcnow() - timedelta(days=3)).replace(microsecond=0))
    for target in (event, quiet):
        db.session.add(
            Registration(event_id=target.id, status="confirmed", email=f"{target.id}@x.be")
        )
    db.session.commit()
    jobs.send_evaluations()
    for _n in range(3):
        db.session.add(Answer(event_id=event.id, day=local_today(), values={"usefulness": "4"}))
    db.session.commit()
    page = sud_page()
    assert marked(page, "evaluation-event") == [event.id]
    assert "3 réponses" in page and f"/admin/events/{event.id}/evaluation" in page


def test_the_waiting_work_is_one_line_a_kind_with_its_count(sud_page, make_event):
    draft = make_event(title="Brouillon", status="draft")
    approval = make_event(registration_mode="approval", capacity=9)
    for n in range(2):
        rules.register(approval.id, person(n))
    page = sud_page()
    kinds = re.findall(r'data-work-kind="([a-z]+)"', page)
    assert kinds == [
        "approvals",
        "proposals",
        "offers",
        "soon",
        "reports",
        "evaluations",
        "mail",
        "drafts",
    ]
    assert re.search(r'data-work-kind="approvals"><span class="count">2<', page)
    assert re.search(r'data-work-kind="drafts"><span class="count">1<', page)
    assert draft.id in marked(page, "draft-event")


def test_the_language_chosen_before_signing_in_stays(app, make_staff):
    from tests.admin.conftest import sign_in

    client = app.test_client()
    client.get("/login?lang=nl")
    sign_in(client, make_staff("bassin", bassins=("sud",)))
    page = client.get("/admin/").get_data(as_text=True)
    assert '<html lang="nl">' in page
