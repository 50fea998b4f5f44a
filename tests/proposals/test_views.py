"""/propose and the submitter's page: what a refused post says, and that it writes nothing."""

import pytest
from sqlalchemy import func, select

from tests.proposals.conftest import in_days
from tests.proposals.factory import submitted
from webapp.agenda.models import Event
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.proposals.models import Proposal


def counts():
    return tuple(
        db.session.scalar(select(func.count(model.id)))
        for model in (Proposal, Event, OutboxMessage)
    )


def last_sunday_of_march(year=2031):
    from datetime import date, timedelta

    day = date(year, 3, 31)
    return (day - timedelta(days=(day.weekday() + 1) % 7)).isoformat()


BAD_INPUT = [
    ("title_fr", "T" * 251, "title_fr", "250"),
    ("description_fr", "x" * 5001, "description_fr", "5000"),
    ("submitter_name", "Sarah\x00Janssens", "submitter_name", "caractères non autorisés"),
    ("submitter_name", "Sarah\r\nBcc: victim@example.org", "submitter_name", "une ligne"),
    ("submitter_name", "Sarah www.spam.example.com", "submitter_name", "adresse web"),
    ("submitter_email", "sarah@amo-forest.be\r\nBcc: x@example.org", "submitter_email", None),
    ("submitter_email", "pas-une-adresse", "submitter_email", "Adresse e-mail invalide"),
    ("title_fr", "Titre\nBcc: x@example.org", "title_fr", "une ligne"),
    ("day", "2031-02-31", "day", "existe pas"),
    ("starts", "25:00", "starts", "HH:MM"),
    ("day", "2001-03-01", "starts", "Cette date est passée"),
    ("ends", "13:00", "ends", "La fin doit suivre le début"),
    ("bassins", [], "bassins", "au moins un bassin"),
    ("bassins", ["sud", "atlantide"], "bassins", "bassins de la liste"),
    ("kind", "concertation", "kind", "type de la liste"),
    ("online_url", "javascript:alert(1)", "online_url", "adresse web complète"),
    ("registration_url", "ftp://amo-forest.be/x", "registration_url", "adresse web complète"),
    ("registration_url", "", "registration_url", "le lien d"),
    ("phone", "call me maybe", "phone", "numéro de téléphone"),
    ("venue_postal_code", "75001x", "venue_postal_code", "quatre chiffres"),
    ("consent", None, "consent", "Votre accord est nécessaire"),
]


@pytest.mark.parametrize(
    "name, value, field, message",
    BAD_INPUT,
    ids=[f"{n}-{i}" for i, (n, *_) in enumerate(BAD_INPUT)],
)
def test_a_bad_field_is_refused_beside_the_field_and_nothing_is_written(
    client, proposal_form, name, value, field, message
):
    before = counts()
    data = proposal_form(**{name: value})
    answer = client.post("/propose", data=data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'id="{field}-error"' in page
    if message:
        error = page.split(f'id="{field}-error">')[1].split("</p>")[0]
        assert message in error
    assert counts() == before


def test_the_hour_skipped_in_march_is_refused(client, proposal_form):
    before = counts()
    answer = client.post(
        "/propose", data=proposal_form(day=last_sunday_of_march(), starts="02:30", ends="04:00")
    )
    assert answer.status_code == 422
    assert "passage à l" in answer.get_data(as_text=True).split('id="starts-error"')[1][:120]
    assert counts() == before


def test_no_place_and_no_link_is_refused(client, proposal_form):
    answer = client.post(
        "/propose",
        data=proposal_form(venue_name="", venue_address="", venue_postal_code="", online_url=""),
    )
    assert answer.status_code == 422 and 'id="venue_name-error"' in answer.get_data(as_text=True)


def test_what_was_typed_is_kept_when_the_form_is_refused(client, proposal_form):
    page = client.post("/propose", data=proposal_form(ends="09:00")).get_data(as_text=True)
    assert 'value="Maison des jeunes de Forest"' in page and 'value="Sarah Janssens"' in page


def test_the_honeypot_filled_stores_nothing(client, proposal_form):
    before = counts()
    answer = client.post("/propose", data=proposal_form(website="http://spam.example"))
    assert answer.status_code == 422 and counts() == before


def test_a_post_without_the_csrf_token_stores_nothing(app, client, proposal_form):
    app.config["WTF_CSRF_ENABLED"] = True
    before = counts()
    answer = client.post("/propose", data=proposal_form())
    assert answer.status_code in (400, 422) and counts() == before


def test_script_typed_in_a_proposal_is_escaped_on_the_submitter_page(client, territory):
    proposal = submitted(title_fr="<script>alert(1)</script>", venue_name="<b>Salle</b>")
    page = client.get(f"/propose/{proposal.token}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<b>Salle" not in page


def test_a_dutch_form_answers_in_dutch(client, proposal_form):
    page = client.post("/propose?lang=nl", data=proposal_form(ends="09:00")).get_data(as_text=True)
    assert "Het einde moet na het begin komen." in page


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 44, "%0a" * 10])
def test_an_unknown_or_malformed_token_is_not_found(client, territory, token):
    assert client.get(f"/propose/{token}").status_code == 404
    assert client.post(f"/propose/{token}", data={}).status_code == 404


def test_the_submitter_cannot_edit_unless_changes_were_asked(client, proposal_form):
    proposal = submitted()
    page = client.get(f"/propose/{proposal.token}").get_data(as_text=True)
    assert 'data-status="submitted"' in page and "<form" not in page.split("<main")[1].split(
        "</main>"
    )[0].replace('<form method="get"', "")
    answer = client.post(f"/propose/{proposal.token}", data=proposal_form(title_fr="Autre"))
    assert answer.status_code == 409
    assert db.session.get(Proposal, proposal.id).event.title_fr != "Autre"


def test_a_resubmission_with_bad_input_changes_nothing(client, proposal_form, make_staff):
    from tests.admin.conftest import sign_in

    proposal = submitted()
    staff = sign_in(client.application.test_client(), make_staff("bassin", bassins=("sud",)))
    staff.post(f"/admin/proposals/{proposal.id}/changes", data={"message": "L'étage ?"})
    bad = client.post(
        f"/propose/{proposal.token}",
        data=proposal_form(title_fr="Nouveau titre", bassins=["sud", "atlantide"]),
    )
    assert bad.status_code == 422
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.status == "changes-requested"
    assert proposal.event.title_fr == "Séance d'information jeunes aidants"


def test_the_thank_you_page_says_what_happens_next(client, territory):
    page = client.get("/propose/thanks").get_data(as_text=True)
    assert "La suite" in page and "lien de suivi" in page


def test_the_form_page_works_in_both_languages(client, territory):
    assert 'name="submitter_email"' in client.get("/propose").get_data(as_text=True)
    dutch = client.get("/propose?lang=nl").get_data(as_text=True)
    assert "Een activiteit voorstellen" in dutch and 'name="website"' in dutch
    assert in_days()  # the fixture's date helper stays importable here


def test_bidirectional_and_zero_width_characters_leave_every_one_line_field(client, proposal_form):
    """U+202E reverses what follows it on screen, U+200B and U+2066 hide: a name must read
    as it is written (issue 20)."""
    data = proposal_form(
        organisation_name="\u202eAMO\u200b de Forest",
        title_fr="Séance\u2066 d'information\u2069\ufeff",
        submitter_name="Sarah\u200d Janssens",
        venue_name="Maison\u200e des jeunes",
        description_fr="Une\u200b heure.\nPuis une autre.",
    )
    assert client.post("/propose", data=data).status_code == 303
    proposal = db.session.scalar(select(Proposal))
    assert proposal.organisation_name == "AMO de Forest"
    assert proposal.submitter_name == "Sarah Janssens"
    assert proposal.event.title_fr == "Séance d'information"
