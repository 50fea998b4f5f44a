"""Accommodation requests: asked at registration, seen and answered by the team on a page
linked from the participants list (requested → arranged / not possible), the person told by
mail; another bassin's team reaches none of it; erasure wipes them."""

import pytest
from sqlalchemy import select

from tests.admin.conftest import sign_in
from tests.edge import personal_data, rules
from tests.factories import PERSON
from tests.smtp import mail_config
from webapp.audit import SYSTEM, AuditEntry
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.registrations import accommodations
from webapp.registrations.models import AccommodationRequest
from webapp.unit_of_work import unit_of_work


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def person(n, **fields):
    return PERSON | {"last_name": f"Peeters{n}", "email": f"anne.{n}@example.org"} | fields


def form(n, **fields):
    return person(n) | {"consent": "y"} | fields


def requests_of(email):
    return db.session.scalars(
        select(AccommodationRequest)
        .join(AccommodationRequest.registration)
        .where(AccommodationRequest.registration.has(email=email))
        .order_by(AccommodationRequest.id)
    ).all()


def test_a_person_asks_at_registration_and_the_mail_says_so(client, make_event):
    event = make_event(capacity=10)
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert 'value="sign-lsfb"' in page and 'value="step-free"' in page
    response = client.post(
        f"/events/{event.id}/register",
        data=form(1, needs=["sign-lsfb", "step-free"]),
    )
    assert response.status_code == 303
    asked = requests_of("anne.1@example.org")
    assert [(r.need, r.status) for r in asked] == [
        ("sign-lsfb", "requested"),
        ("step-free", "requested"),
    ]
    confirmation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "anne.1@example.org")
    )
    assert "Vous avez demandé : Interprétation en langue des signes (LSFB)" in (
        confirmation.body_text
    )


def test_an_unknown_need_is_refused_beside_the_field_and_saves_nothing(client, make_event):
    event = make_event(capacity=10)
    response = client.post(f"/events/{event.id}/register", data=form(1, needs=["teleportation"]))
    assert response.status_code == 422
    assert requests_of("anne.1@example.org") == []


def test_the_team_answers_and_the_person_is_told(sud_client, make_event):
    event = make_event(capacity=10)
    rules.register(event.id, person(1), needs={"interpreting-fr-nl"})
    rules.register(event.id, person(2))
    listing = sud_client.get(f"/admin/events/{event.id}/participants").get_data(as_text=True)
    assert f"/admin/events/{event.id}/accommodations" in listing
    assert "Demandes d'aménagement (1)" in listing
    page = sud_client.get(f"/admin/events/{event.id}/accommodations").get_data(as_text=True)
    assert "Interprétation français ↔ néerlandais" in page and "Peeters1" in page
    request = requests_of("anne.1@example.org")[0]
    response = sud_client.post(
        f"/admin/events/{event.id}/accommodations/{request.id}", data={"status": "arranged"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert request.status == "arranged" and request.answered_at is not None
    told = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient == "anne.1@example.org",
            OutboxMessage.subject.like("Votre demande est organisée%"),
        )
    ).all()
    assert len(told) == 1
    assert "Votre demande : Interprétation français ↔ néerlandais" in told[0].body_text
    # The same answer again changes and sends nothing; "not possible" is told too.
    sud_client.post(
        f"/admin/events/{event.id}/accommodations/{request.id}", data={"status": "arranged"}
    )
    sud_client.post(
        f"/admin/events/{event.id}/accommodations/{request.id}", data={"status": "not-possible"}
    )
    subjects = [
        m.subject
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "anne.1@example.org")
        )
    ]
    assert sum(s.startswith("Votre demande est organisée") for s in subjects) == 1
    assert sum(s.startswith("Votre demande :") for s in subjects) == 1
    assert db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "registration.accommodation_answered")
    )


def test_another_bassin_and_bad_answers_change_nothing(app, sud_client, make_event, make_staff):
    event = make_event(capacity=10)
    other = make_event(capacity=10)
    rules.register(event.id, person(1), needs={"step-free"})
    request = requests_of("anne.1@example.org")[0]
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    assert nord.get(f"/admin/events/{event.id}/accommodations").status_code == 404
    assert (
        nord.post(
            f"/admin/events/{event.id}/accommodations/{request.id}", data={"status": "arranged"}
        ).status_code
        == 404
    )
    # Another event's id in the URL, an answer that is not one.
    assert (
        sud_client.post(
            f"/admin/events/{other.id}/accommodations/{request.id}", data={"status": "arranged"}
        ).status_code
        == 404
    )
    assert (
        sud_client.post(
            f"/admin/events/{event.id}/accommodations/{request.id}", data={"status": "requested"}
        ).status_code
        == 400
    )
    db.session.expire_all()
    assert request.status == "requested"


def test_erasure_wipes_the_requests(make_event):
    event = make_event(capacity=10)
    registration = rules.register(event.id, person(1), needs={"sign-vgt"}).registration
    personal_data.erase(registration.id)
    assert db.session.scalars(select(AccommodationRequest)).all() == []


def test_the_personal_page_shows_where_each_request_stands(client, make_event):
    event = make_event(capacity=10)
    registration = rules.register(event.id, person(1), needs={"sign-vgt"}).registration
    request = registration.accommodations[0]
    with unit_of_work():
        accommodations.answer(event.id, request.id, "not-possible", SYSTEM)
    html = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
    assert 'data-accommodation="sign-vgt" data-accommodation-status="not-possible"' in html
    assert "Interprétation en langue des signes (VGT) : <strong>pas possible</strong>" in html
