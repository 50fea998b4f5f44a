"""The outbox delivered to a real SMTP server (aiosmtpd): content, languages, failures, workers."""

import threading
from datetime import timedelta

import icalendar
from sqlalchemy import select

from tests.conftest import make_config
from tests.edge import rules
from tests.smtp import SMTPServer, attachments
from webapp import create_app
from webapp.agenda import operations
from webapp.audit import SYSTEM
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.mail.outbox import deliver_all, deliver_batch
from webapp.registrations import jobs
from webapp.registrations.models import Registration
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


def only_calendar(message):
    (part,) = attachments(message)
    return icalendar.Calendar.from_ical(part.get_content()), part


def test_confirmation_reaches_the_smtp_server_with_a_valid_ics(make_event, person, smtp):
    event = make_event(title="Concertation liaison ambulatoire-hôpital #4", capacity=10)
    registration = rules.register(event.id, person(1)).registration
    assert deliver_all() == (1, 0)
    (message,) = smtp.inbox.to("anne.1@example.org")
    assert message["Subject"].startswith("Inscription confirmée")
    body = message.get_body(("plain",)).get_content()
    assert f"/registrations/{registration.token}" in body
    assert message.get_body(("html",)) is not None
    calendar, part = only_calendar(message)
    assert "method=REQUEST" in part["Content-Type"].replace('"', "")
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]).startswith(f"event-{event.id}@")
    assert str(vevent["SUMMARY"]) == "Concertation liaison ambulatoire-hôpital #4"


def test_messages_are_written_in_the_registrants_language(make_event, person, smtp):
    event = make_event(
        title="Concertation santé mentale", title_nl="Overleg geestelijke gezondheid", capacity=1
    )
    rules.register(event.id, person(1), language="nl")
    rules.register(event.id, person(2), language="nl")
    deliver_all()
    (confirmed,) = smtp.inbox.to("anne.1@example.org")
    (waitlisted,) = smtp.inbox.to("anne.2@example.org")
    assert "Overleg geestelijke gezondheid" in confirmed["Subject"]
    assert "Inscription" not in confirmed["Subject"]
    assert "Bonjour" not in waitlisted.get_body(("plain",)).get_content()
    # A provisional entry while waiting, that says so in the registrant's language.
    (vevent,) = only_calendar(waitlisted)[0].walk("VEVENT")
    assert str(vevent["STATUS"]) == "TENTATIVE"
    assert str(vevent["SUMMARY"]) == "Overleg geestelijke gezondheid (wachtlijst)"


def test_promotion_and_cancellation_messages(make_event, person, smtp):
    event = make_event(capacity=1)
    first = rules.register(event.id, person(1)).registration
    rules.register(event.id, person(2))
    rules.cancel(first.id)
    deliver_all()
    cancelled = [m for m in smtp.inbox.to("anne.1@example.org") if "Désinscription" in m["Subject"]]
    promoted = [
        m for m in smtp.inbox.to("anne.2@example.org") if "place s'est libérée" in m["Subject"]
    ]
    assert len(cancelled) == 1 and len(promoted) == 1
    calendar, _ = only_calendar(cancelled[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    calendar, _ = only_calendar(promoted[0])
    assert str(calendar["METHOD"]) == "REQUEST"


def test_a_promotion_replaces_the_tentative_entry_of_the_waitlist_mail(
    make_event, person, smtp, time_machine
):
    time_machine.move_to(utcnow(), tick=False)
    event = make_event(title="Formation Diogène", capacity=1)
    first = rules.register(event.id, person(1)).registration
    rules.register(event.id, person(2))
    time_machine.shift(timedelta(minutes=5))
    rules.cancel(first.id)
    deliver_all()
    waitlist_mail, promotion_mail = smtp.inbox.to("anne.2@example.org")
    (waiting,) = only_calendar(waitlist_mail)[0].walk("VEVENT")
    assert str(waiting["STATUS"]) == "TENTATIVE"
    assert str(waiting["SUMMARY"]) == "Formation Diogène (liste d'attente)"
    calendar = only_calendar(promotion_mail)[0]
    (confirmed,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(confirmed["STATUS"]) == "CONFIRMED"
    assert str(confirmed["SUMMARY"]) == "Formation Diogène"
    # RFC 5546 2.1.5: same UID, a SEQUENCE no lower, a later DTSTAMP: an update, not a copy.
    assert str(confirmed["UID"]) == str(waiting["UID"])
    assert int(confirmed["SEQUENCE"]) >= int(waiting["SEQUENCE"])
    assert confirmed["DTSTAMP"].dt > waiting["DTSTAMP"].dt


def test_reminder_and_event_change_messages(make_event, person, smtp):
    event = make_event(capacity=5, start=utcnow() + timedelta(hours=20))
    rules.register(event.id, person(1))
    jobs.send_reminders()
    with unit_of_work():
        operations.update_event(event.id, {"room": "Salle 2 (nouveau local)"}, SYSTEM)
    deliver_all()
    subjects = [m["Subject"] for m in smtp.inbox.to("anne.1@example.org")]
    assert any(s.startswith("Rappel") for s in subjects)
    changed = [
        m for m in smtp.inbox.to("anne.1@example.org") if m["Subject"].startswith("Changement")
    ]
    calendar, _ = only_calendar(changed[0])
    assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) >= 1


def test_mail_server_down_delays_mail_never_a_registration(make_event, person, app):
    down = SMTPServer()  # a port nobody listens on, yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=down.port)
    from webapp.extensions import mail

    mail.init_app(app)
    event = make_event(capacity=5)
    registration = rules.register(event.id, person(1)).registration
    assert db.session.get(Registration, registration.id).status == "confirmed"
    assert deliver_batch() == (0, 1)
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    down.start()
    try:
        assert deliver_batch() == (0, 0)  # not due yet: backoff
        assert deliver_batch(now=utcnow() + timedelta(minutes=2)) == (1, 0)
        assert len(down.inbox.to("anne.1@example.org")) == 1
    finally:
        down.stop()


def test_two_workers_at_once_deliver_each_message_exactly_once(
    make_event, person, smtp, database_url
):
    event = make_event(capacity=None)
    for n in range(40):
        rules.register(event.id, person(n))
    app = create_app(make_config(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port))
    barrier = threading.Barrier(2)

    def worker():
        with app.app_context():
            barrier.wait()
            while deliver_batch(limit=5) != (0, 0):
                pass
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    recipients = sorted(m["To"] for m in smtp.inbox.messages)
    assert recipients == sorted(f"anne.{n}@example.org" for n in range(40))
    assert db.session.scalars(select(OutboxMessage.status).distinct()).all() == ["sent"]
    with app.app_context():
        db.engine.dispose()


def test_event_cancelled_by_the_organiser_sends_a_cancel_with_a_higher_sequence(
    make_event, person, smtp
):
    event = make_event(title_nl="Overleg", capacity=5)
    rules.register(event.id, person(1), language="nl")
    deliver_all()
    (confirmation,) = smtp.inbox.to("anne.1@example.org")
    first_sequence = int(only_calendar(confirmation)[0].walk("VEVENT")[0]["SEQUENCE"])
    with unit_of_work():
        operations.cancel(event.id, SYSTEM)
    deliver_all()
    cancelled = smtp.inbox.to("anne.1@example.org")[-1]
    assert "Overleg" in cancelled["Subject"] and "annulée" not in cancelled["Subject"]
    calendar, part = only_calendar(cancelled)
    (vevent,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL" and part.get_param("method") == "CANCEL"
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) > first_sequence


def test_approval_and_refusal_of_a_closed_group_reach_the_person(make_event, person, smtp):
    event = make_event(registration_mode="approval", capacity=5)
    accepted = rules.register(event.id, person(1)).registration
    declined = rules.register(event.id, person(2)).registration
    rules.approve(accepted.id)
    rules.refuse(declined.id)
    deliver_all()
    received = {
        email: [m["Subject"].split(" :")[0] for m in smtp.inbox.to(email)]
        for email in ("anne.1@example.org", "anne.2@example.org")
    }
    assert received["anne.1@example.org"] == ["Demande d'inscription reçue", "Inscription acceptée"]
    assert received["anne.2@example.org"][0] == "Demande d'inscription reçue"
    assert "non retenue" in received["anne.2@example.org"][1]
    request, approval = smtp.inbox.to("anne.1@example.org")
    (asked,) = only_calendar(request)[0].walk("VEVENT")
    assert str(asked["STATUS"]) == "TENTATIVE"
    assert str(asked["SUMMARY"]).endswith("(demande en attente)")
    calendar = only_calendar(approval)[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    (accepted_entry,) = calendar.walk("VEVENT")
    # The same entry, confirmed: a calendar replaces the request's entry with it.
    assert str(accepted_entry["UID"]) == str(asked["UID"])
    assert str(accepted_entry["STATUS"]) == "CONFIRMED"
    assert "(" not in str(accepted_entry["SUMMARY"])
    (declined_request, refusal) = smtp.inbox.to("anne.2@example.org")
    assert str(only_calendar(refusal)[0]["METHOD"]) == "CANCEL"


def test_delivering_the_outbox_leaves_the_content_generation_alone(make_event, person, smtp):
    """Sending mail changes nothing a public page shows: cached pages stay valid."""
    from webapp.content_state import current_generation

    rules.register(make_event(capacity=5).id, person(1))
    before = current_generation()
    deliver_all()
    assert len(smtp.inbox.messages) == 1
    assert current_generation() == before
