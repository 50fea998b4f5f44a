"""Invitations go with the registration (erasure, purge); answers stay, anonymous."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.edge import personal_data
from webapp.evaluations import jobs
from webapp.evaluations.models import Answer, Invitation
from webapp.extensions import db


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_erasure_removes_the_invitation_and_keeps_the_answers(client, ended_event, register):
    event = ended_event()
    first = register(event, 1)
    register(event, 2)
    jobs.send_evaluations()
    token = db.session.scalar(
        select(Invitation.token).where(Invitation.registration_id == first.id)
    )
    client.post(f"/evaluations/{token}", data={"q_usefulness": "5"})
    personal_data.erase(first.id)
    assert count(Invitation) == 1
    assert count(Answer) == 1
    assert client.get(f"/evaluations/{token}").status_code == 404


def test_purge_removes_old_invitations(app, ended_event, register):
    event = ended_event()
    register(event, 1)
    jobs.send_evaluations()
    event.start_at -= timedelta(days=800)
    event.end_at -= timedelta(days=800)
    db.session.commit()
    personal_data.purge_personal_data(24)
    assert count(Invitation) == 0
