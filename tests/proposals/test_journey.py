"""The whole path of a proposal: submitted, changes asked, resubmitted, accepted, with every
mail received by a real SMTP server, in French and in Dutch."""

import re

import pytest
from sqlalchemy import select

from tests.admin.conftest import sign_in
from webapp.agenda.models import Event, Venue
from webapp.extensions import db
from webapp.mail.outbox import deliver_all
from webapp.proposals.models import Proposal

SUBJECTS = {
    "fr": (
        "Proposition reçue : ",
        "Modifications demandées : ",
        "Proposition modifiée reçue : ",
        "Proposition acceptée : ",
    ),
    "nl": (
        "Voorstel ontvangen: ",
        "Wijzigingen gevraagd: ",
        "Gewijzigd voorstel ontvangen: ",
        "Voorstel aanvaard: ",
    ),
}


def received(smtp, address):
    deliver_all()
    return smtp.inbox.to(address)


def personal_link(message):
    body = message.get_body(("plain",)).get_content()
    (link,) = set(re.findall(r"http://agenda\.test/propose/[A-Za-z0-9_-]{43}", body))
    return link.removeprefix("http://agenda.test"), body


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_submit_ask_changes_resubmit_accept_with_every_mail(
    app, client, smtp, make_staff, proposal_form, language
):
    submitter = app.test_client()
    submitter.get(f"/propose?lang={language}")
    answer = submitter.post("/propose", data=proposal_form())
    assert answer.status_code == 303 and answer.location.endswith("/propose/thanks")
    thanks = submitter.get(answer.location).get_data(as_text=True)
    assert ("La suite" if language == "fr" else "Wat volgt") in thanks

    proposal = db.session.scalar(select(Proposal))
    assert proposal.status == "submitted" and proposal.language == language
    assert proposal.event.status == "draft"
    assert client.get(f"/events/{proposal.event_id}").status_code == 404
    (first,) = received(smtp, "sarah@amo-forest.be")
    assert first["Subject"].startswith(SUBJECTS[language][0])
    link, body = personal_link(first)
    assert "Sarah Janssens" in body
    page = submitter.get(link)
    assert page.status_code == 200 and 'data-status="submitted"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"

    staff = sign_in(client, make_staff("bassin", bassins=("sud",)))
    queue = staff.get("/admin/proposals").get_data(as_text=True)
    assert f'data-proposal-id="{proposal.id}"' in queue
    asked = staff.post(
        f"/admin/proposals/{proposal.id}/changes",
        data={"message": "Pouvez-vous préciser l'étage de la salle ?"},
    )
    assert asked.status_code == 303
    second = received(smtp, "sarah@amo-forest.be")[1]
    assert second["Subject"].startswith(SUBJECTS[language][1])
    assert link, "Pouvez-vous préciser l'étage" in personal_link(second)

    form_page = submitter.get(link).get_data(as_text=True)
    assert 'data-status="changes-requested"' in form_page
    assert "Maison des jeunes de Forest" in form_page  # the form holds what was proposed
    edited = proposal_form(venue_name="Maison des jeunes de Forest, 2e étage")
    for person_field in ("submitter_name", "submitter_email", "organisation_name", "phone"):
        edited.pop(person_field)
    resent = submitter.post(link, data=edited)
    assert resent.status_code == 303
    third = received(smtp, "sarah@amo-forest.be")[2]
    assert third["Subject"].startswith(SUBJECTS[language][2])

    accepted = staff.post(f"/admin/proposals/{proposal.id}/accept")
    assert accepted.status_code == 303
    fourth = received(smtp, "sarah@amo-forest.be")[3]
    assert fourth["Subject"].startswith(SUBJECTS[language][3])
    event_link = f"http://agenda.test/events/{proposal.event_id}?lang={language}"
    assert event_link in fourth.get_body(("plain",)).get_content()

    event = db.session.get(Event, proposal.event_id)
    assert event.status == "published"
    assert event.venue.name == "Maison des jeunes de Forest, 2e étage"
    assert event.venue.commune.slug == "forest"
    assert event.organiser.name == "AMO de Forest"
    assert "https://amo-forest.be/inscription" in event.description_fr
    assert db.session.scalar(select(Venue).where(Venue.id == event.venue_id)) is not None
    public = client.get(f"/events/{event.id}")
    assert public.status_code == 200
    assert "Séance d&#39;information" in public.get_data(as_text=True)
    assert len(received(smtp, "sarah@amo-forest.be")) == 4
