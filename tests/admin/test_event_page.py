"""/admin/events/<id>: the event's page (its facts, its steps with their state and links),
reached from every list that names an event, and each page about the event leading back."""

import html
import re
from datetime import timedelta

from tests.admin.conftest import sign_in
from tests.edge import rules
from tests.factories import PERSON, morning_in
from webapp.admin.events import steps as event_steps
from webapp.agenda.reports import Report
from webapp.evaluations import jobs
from webapp.evaluations.models import Answer
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.timezones import local_today, utcnow


def person(n):
    return {**PERSON, "email": f"person-{n}@example.org", "last_name": f"Personne{n}"}


def links(page):
    return re.findall(r'href="([^"#]+)(?:#[^"]*)?"', page)


def step(page, key):
    """The text of one step of the page (entities read back)."""
    found = re.search(
        rf'<li class="event-step" data-step="{key}".*?</li>\s*(?=<li class="event-step"|</ol>)',
        page,
        re.S,
    )
    assert found, f"no step {key}"
    return html.unescape(found.group(0))


def test_the_page_shows_the_event_its_places_and_its_steps(sud_client, make_event):
    event = make_event(title="Concertation liaison #4", capacity=20, start=morning_in(8))
    for n in range(3):
        rules.register(event.id, person(n))
    page = sud_client.get(f"/admin/events/{event.id}").get_data(as_text=True)
    assert "Concertation liaison #4" in page
    assert "3 confirmées sur 20" in page
    assert 'data-status="published"' in page
    assert f'href="/events/{event.id}"' in page  # the public page
    keys = re.findall(r'data-step="([a-z]+)"', page)
    assert keys == ["prepare", "registrations", "day", "afterwards"]
    assert "3 / 20 places prises" in step(page, "registrations")
    assert "Compte rendu : pas encore commencé" in step(page, "afterwards")
    assert "L'accueil s'ouvre le jour de la rencontre." in step(page, "day")


def test_every_link_of_the_page_opens_for_the_coordinator(sud_client, make_event):
    event = make_event(capacity=20, registration_mode="approval", start=morning_in(8))
    rules.register(event.id, person(1))
    page = sud_client.get(f"/admin/events/{event.id}").get_data(as_text=True)
    for url in {u for u in links(page) if u.startswith(f"/admin/events/{event.id}/")}:
        assert sud_client.get(url.replace("&amp;", "&")).status_code == 200, url
    expected = [
        "edit",
        "participants",
        "accommodations",
        "attendance",
        "attendance-sheet",
        "report",
        "evaluation",
    ]
    for part in expected:
        assert f"/admin/events/{event.id}/{part}" in page, part
    assert "1 demande à valider" in step(page, "registrations")
    assert f"/admin/events/{event.id}/participants?status=pending" in page


def test_the_states_follow_the_event_after_the_meeting(sud_client, make_event):
    start = (utcnow() - timedelta(days=2)).replace(microsecond=0)
    event = make_event(capacity=20, start=start)
    for n in range(3):
        db.session.add(
            Registration(
                event_id=event.id,
                status="confirmed",
                email=f"p{n}@example.org",
                attended=n < 2,
            )
        )
    db.session.add(Report(event_id=event.id, status="draft"))
    db.session.commit()
    jobs.send_evaluations()
    db.session.add(Answer(event_id=event.id, day=local_today(), values={"usefulness": "4"}))
    db.session.commit()
    page = sud_client.get(f"/admin/events/{event.id}").get_data(as_text=True)
    assert "2 présent·es relevé·es" in step(page, "day")
    afterwards = step(page, "afterwards")
    assert "Compte rendu : brouillon" in afterwards
    assert "Évaluation : 1 réponse" in afterwards
    assert 'data-mark="todo"' in afterwards
    # Those marked present have their attestations: the team's PDF is one click away.
    assert f"/admin/events/{event.id}/attestations.pdf" in afterwards
    assert f"/admin/events/{event.id}/inami.csv" not in afterwards  # not accredited
    download = sud_client.get(f"/admin/events/{event.id}/attestations.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"


def test_another_bassin_does_not_find_the_event(app, make_event, make_staff):
    event = make_event(title="Concertation confidentielle Sud")
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    response = nord.get(f"/admin/events/{event.id}")
    assert response.status_code == 404
    assert "confidentielle" not in response.get_data(as_text=True)


def test_a_service_account_sees_its_events_page_with_the_links_it_may_open(
    app, make_event, make_staff
):
    from webapp.agenda.models import Organisation

    organisation = Organisation(name="Maison médicale du Midi")
    db.session.add(organisation)
    db.session.commit()
    event = make_event(organiser=organisation, capacity=10, start=morning_in(8))
    service = sign_in(app.test_client(), make_staff("service", organisation=organisation.name))
    page = service.get(f"/admin/events/{event.id}").get_data(as_text=True)
    assert f'data-event-id="{event.id}"' in page
    for url in {u for u in links(page) if u.startswith(f"/admin/events/{event.id}/")}:
        assert service.get(url.replace("&amp;", "&")).status_code == 200, url
    other = make_event(title="Activité d'un autre service")
    assert service.get(f"/admin/events/{other.id}").status_code == 404


def test_pages_about_the_event_lead_back_to_it(sud_client, make_event):
    event = make_event(capacity=20, start=morning_in(8))
    back = f'href="/admin/events/{event.id}"'
    for part in (
        "edit",
        "participants",
        "attendance",
        "attendance-sheet",
        "report",
        "evaluation",
        "move",
        "next",
    ):
        page = sud_client.get(f"/admin/events/{event.id}/{part}").get_data(as_text=True)
        assert back in page, part


def test_every_list_that_names_the_event_links_to_its_page(sud_client, make_event):
    event = make_event(title="Concertation à retrouver", capacity=20, start=morning_in(1))
    target = f'href="/admin/events/{event.id}"'
    assert target in sud_client.get("/admin/").get_data(as_text=True)
    assert target in sud_client.get("/admin/events").get_data(as_text=True)
    assert target in sud_client.get("/admin/events?q=retrouver").get_data(as_text=True)


def test_the_public_pages_offer_manage_to_the_staff_who_manage_the_event(
    app, client, make_event, make_staff
):
    event = make_event(
        title="Concertation publique", series_slug="liaison-sud", start=morning_in(5)
    )
    target = f'href="/admin/events/{event.id}"'
    series = event.series.slug
    anonymous = app.test_client()
    assert target not in anonymous.get(f"/events/{event.id}").get_data(as_text=True)
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    assert target not in nord.get(f"/events/{event.id}").get_data(as_text=True)
    sud = sign_in(client, make_staff("bassin", bassins=("sud",)))
    for url in (f"/events/{event.id}", "/bassins/sud/", f"/series/{series}"):
        page = sud.get(url).get_data(as_text=True)
        assert target in page, url
        assert "Gérer" in page
    # The anonymous visitor's cached page still has no such link.
    assert target not in anonymous.get("/bassins/sud/").get_data(as_text=True)


def test_a_new_step_is_one_function(sud_client, make_event, monkeypatch):
    monkeypatch.setattr(event_steps, "STEPS", list(event_steps.STEPS))

    @event_steps.step(45)
    def attestations(event, facts):
        return event_steps.Step(
            "attestations",
            "Attestations",
            ["Prêtes"],
            [event_steps.Link("Télécharger", "admin.participants", {"event_id": event.id})],
        )

    event = make_event(start=morning_in(8))
    page = sud_client.get(f"/admin/events/{event.id}").get_data(as_text=True)
    keys = re.findall(r'data-step="([a-z]+)"', page)
    assert keys == ["prepare", "registrations", "day", "afterwards", "attestations"]


def test_on_the_day_before_the_start_the_check_in_reads_open_with_the_hour(
    app, make_event, make_staff
):
    """The morning of the meeting the day's step says the door is open and when it starts,
    not that it opens 'on the day' (it is the day); the evening before it says it will."""
    from datetime import UTC, datetime

    import time_machine

    start = datetime(2027, 3, 23, 12, 30, tzinfo=UTC)  # 13:30 in Brussels
    with time_machine.travel(datetime(2027, 3, 22, 18, 0, tzinfo=UTC), tick=False):
        event = make_event(capacity=20, start=start)
        rules.register(event.id, person(1))
        coordinator = make_staff("bassin", bassins=("sud",))
        client = sign_in(app.test_client(), coordinator)
        eve = client.get(f"/admin/events/{event.id}").get_data(as_text=True)
    assert "L'accueil s'ouvre le jour de la rencontre." in step(eve, "day")
    with time_machine.travel(datetime(2027, 3, 23, 7, 0, tzinfo=UTC), tick=False):
        morning = client.get(f"/admin/events/{event.id}").get_data(as_text=True)
    assert "Aujourd'hui : l'accueil est ouvert, la rencontre commence à 13:30." in step(
        morning, "day"
    )
