"""/admin/mail: the messages a real SMTP server refused, per event and overall, with the reason
in words and "send again"; the participants list marks the registration, the dashboard
counts it; the worker warns and check-config reports when more than 2 % of a day's
messages failed. Never a body, never an erased person's address."""

import logging

import pytest
from sqlalchemy import select

from tests.admin.conftest import sign_in
from tests.edge import personal_data, rules
from tests.factories import PERSON
from tests.smtp import mail_config
from webapp.audit import AuditEntry
from webapp.config_check import check_mail_failures
from webapp.extensions import db
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.mail.outbox import deliver_all
from webapp.worker.loop import Worker

REFUSED = "550 5.1.1 <anne@example.org>: Recipient address rejected: User unknown"


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


@pytest.fixture
def refused(make_event, smtp):
    """A Bassin Sud event; Anne's confirmation refused by the server (550), Bob's delivered."""
    event = make_event(title="Concertation santé mentale", capacity=10)
    smtp.inbox.refuse["anne@example.org"] = REFUSED
    anne = rules.register(event.id, PERSON).registration
    bob = rules.register(event.id, PERSON | {"email": "bob@example.org", "first_name": "Bob"})
    assert deliver_all() == (1, 1)
    return event, anne, bob.registration


def test_the_team_sees_a_refused_message_with_its_reason_and_never_its_body(sud_client, refused):
    event, anne, bob = refused
    for path in ("/admin/mail", f"/admin/events/{event.id}/mail"):
        page = sud_client.get(path).get_data(as_text=True)
        assert page.count('data-status="failed"') == 1
        assert "Adresse refusée par le serveur du destinataire" in page
        assert "Inscription confirmée : Concertation santé mentale" in page
        assert anne.token not in page and "User unknown" not in page  # no body, no raw error
    dashboard = sud_client.get("/admin/").get_data(as_text=True)
    assert 'data-undelivered="1"' in dashboard and 'href="/admin/mail"' in dashboard
    participants = sud_client.get(f"/admin/events/{event.id}/participants").get_data(as_text=True)
    assert participants.count('data-mail-undelivered="failed"') == 1
    row = participants.split(f'data-registration-id="{anne.id}"')[1].split("</tr>")[0]
    assert "Mail non remis" in row
    assert f'href="/admin/events/{event.id}/mail"' in participants


def test_another_bassin_sees_none_of_it(app, make_staff, refused):
    event, _anne, _bob = refused
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    assert 'data-undelivered="0"' in nord.get("/admin/").get_data(as_text=True)
    assert 'data-status="failed"' not in nord.get("/admin/mail").get_data(as_text=True)
    assert nord.get(f"/admin/events/{event.id}/mail").status_code == 404
    assert nord.post("/admin/mail/send-again", data={"event_id": event.id}).status_code == 404


def test_send_again_puts_it_back_and_it_goes_once_the_address_is_fixed(sud_client, refused, smtp):
    event, anne, _bob = refused
    (message,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    ).all()
    del smtp.inbox.refuse["anne@example.org"]  # the mailbox exists again
    answer = sud_client.post(
        "/admin/mail/send-again", data={"event_id": event.id, "message": message.id}
    )
    assert answer.status_code == 303
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.PENDING
    assert deliver_all() == (1, 0)
    assert len(smtp.inbox.to("anne@example.org")) == 1
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "outbox.failed_requeued")
    )
    assert entry.after["count"] == 1 and entry.actor_kind == "account"
    page = sud_client.get(f"/admin/events/{event.id}/mail").get_data(as_text=True)
    assert "data-no-failures" in page


def test_an_erased_person_leaves_no_trace_on_the_page(sud_client, refused):
    event, anne, _bob = refused
    assert 'data-status="failed"' in sud_client.get("/admin/mail").get_data(as_text=True)
    personal_data.erase(anne.id)
    answer = sud_client.get("/admin/mail")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "data-no-failures" in page
    assert "anne@example.org" not in page and "Peeters" not in page


def test_worker_warns_and_check_config_reports_when_over_two_percent_failed(refused, caplog, smtp):
    assert check_mail_failures()[0].message.startswith("1 of the 2 messages")
    _event, _anne, _bob = refused
    smtp.inbox.refuse["carla@example.org"] = REFUSED.replace("anne", "carla")
    rules.register(_event.id, PERSON | {"email": "carla@example.org"})
    with caplog.at_level(logging.WARNING, logger="webapp.worker.loop"):
        worker = Worker(jobs=())
        worker.deliver()
        worker.deliver()  # nothing new: no second warning the same day
    warnings = [r.getMessage() for r in caplog.records if r.name == "webapp.worker.loop"]
    assert warnings == [
        "outbox: 2 of the 3 messages of the last 24 hours failed (more than 2%); "
        "reasons on /admin/mail"
    ]
    assert "carla@example.org" not in caplog.text


def test_below_two_percent_nothing_is_reported(make_event, smtp):
    event = make_event(capacity=100)
    for n in range(3):
        rules.register(event.id, PERSON | {"email": f"p{n}@example.org"})
    deliver_all()
    assert check_mail_failures() == []
