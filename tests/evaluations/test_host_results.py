"""A host sees its visits' evaluation, by its personal link and, for a service account, in
the back office: scores and yes/no counts from five answers, beside the edition's, and its
visit figures beside the edition's; never a free text, never the answers' sectors."""

from sqlalchemy import select

from tests.admin.conftest import sign_in
from tests.evaluations.test_grand_bain import (  # noqa: F401  (fixtures)
    SCORES,
    answered,
    evaluated,
    grand_bain,
)
from webapp.agenda.models import Organisation
from webapp.evaluations.models import Answer
from webapp.extensions import db
from webapp.timezones import local_today

SECRET = "Mme Dupont du CPAS m'a parlé de sa fille."


def cells(body, question):
    """The own and edition cells of a question's row."""
    row = body.split(f'<th scope="row">{question}</th>', 1)[1].split("</tr>", 1)[0]
    own = row.split("<td data-own>", 1)[1].split("</td>", 1)[0]
    edition = row.split("<td data-edition>", 1)[1].split("</td>", 1)[0]
    return " ".join(own.split()), " ".join(edition.split())


USEFUL = "Cette visite vous a-t-elle été utile ?"
FORMAT = "La durée et le déroulement de la visite vous ont-ils convenu ?"


def with_format(offer, answers):
    for n, (score, suited) in enumerate(answers):
        values = {"usefulness": str(score), "format_suited": suited, "sector_group": "social"}
        if n == 0:
            values["takeaway"] = SECRET
        db.session.add(Answer(offer_id=offer.id, day=local_today(), values=values))
    db.session.commit()


def test_the_host_sees_its_scores_beside_the_editions_and_no_text(client, evaluated):  # noqa: F811
    sud, nord = evaluated
    url = f"/grand-bain/offers/{sud.token}/evaluation"
    assert url in client.get(f"/grand-bain/offers/{sud.token}").get_data(as_text=True)

    with_format(sud, [(5, "yes"), (4, "yes"), (4, "no")])
    body = client.get(url).get_data(as_text=True)
    assert 'data-results="hidden"' in body  # 3 answers: nothing shown
    assert "caché" in cells(body, USEFUL)[0] and "4." not in cells(body, USEFUL)[0]

    with_format(sud, [(3, "yes"), (5, "no")])
    with_format(nord, [(1, "no"), (2, "no"), (2, "no"), (1, "no"), (2, "yes")])
    response = client.get(url)
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_data(as_text=True)
    assert 'data-results="hidden"' not in body
    own, edition = cells(body, USEFUL)
    assert "<strong>4.2</strong> / 5" in own  # (5 + 4 + 4 + 3 + 5) / 5
    assert "<strong>2.9</strong> / 5" in edition  # the ten answers of both hosts
    own, edition = cells(body, FORMAT)
    assert own == "oui : 3, non : 2" and edition == "oui : 4, non : 6"
    assert SECRET not in body and "Qu'avez-vous découvert" not in body
    assert "Votre secteur" not in body  # the sector question is not shown to hosts
    # Its visits beside the edition's: 3 booked of 6.
    visits = body.split('<tr data-figure="visits">', 1)[1].split("</tr>", 1)[0]
    assert 'data-own="3"' in visits and 'data-edition="6"' in visits

    dutch = client.get(f"{url}?lang=nl").get_data(as_text=True)
    assert "Was dit bezoek nuttig voor u?" in dutch and SECRET not in dutch


def test_a_bad_or_other_token_is_not_found(client, evaluated):  # noqa: F811
    sud, _nord = evaluated
    assert client.get("/grand-bain/offers/not-a-token/evaluation").status_code == 404
    assert client.get(f"/grand-bain/offers/{'A' * 43}/evaluation").status_code == 404


def test_a_service_account_sees_its_own_offers_results_only(app, make_staff, evaluated):  # noqa: F811
    sud, nord = evaluated
    answered(sud, SCORES, takeaway=SECRET)
    account = make_staff("service", organisation="Service Sud")
    offer = db.session.get(type(sud), sud.id)
    offer.organisation_id = db.session.scalar(
        select(Organisation.id).where(Organisation.id == account.organisation_id)
    )
    db.session.commit()
    staff = sign_in(app.test_client(), account)
    page = staff.get(f"/admin/grand-bain/offers/{sud.id}")
    assert f"/admin/grand-bain/offers/{sud.id}/results" in page.get_data(as_text=True)
    response = staff.get(f"/admin/grand-bain/offers/{sud.id}/results")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    own, _edition = cells(body, USEFUL)
    assert f"<strong>{round(sum(SCORES) / len(SCORES), 2)}</strong>" in own
    assert SECRET not in body
    assert staff.get(f"/admin/grand-bain/offers/{nord.id}/results").status_code == 404
