"""The commands a cron or a worker runs: send-reminders, send-mail, purge-personal-data."""

from datetime import timedelta

from sqlalchemy import select

from tests.edge import rules
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.timezones import utcnow


def test_send_reminders_then_send_mail_deliver_each_reminder_once(app, make_event, person, smtp):
    event = make_event(capacity=5, start=utcnow() + timedelta(hours=10))
    rules.register(event.id, person(1))
    runner = app.test_cli_runner()
    assert "1 reminder(s) queued" in runner.invoke(args=["send-reminders"]).output
    assert "0 reminder(s) queued" in runner.invoke(args=["send-reminders"]).output
    result = runner.invoke(args=["send-mail"])
    assert "2 sent, 0 failed" in result.output  # the confirmation and the reminder
    assert [m["Subject"].split(" :")[0] for m in smtp.inbox.to("anne.1@example.org")] == [
        "Inscription confirmée",
        "Rappel",
    ]


def test_purge_personal_data_command_anonymises_old_registrations(app, make_event, person):
    event = make_event(capacity=5)
    rules.register(event.id, person(1))
    event.start_at = utcnow() - timedelta(days=800)
    event.end_at = event.start_at + timedelta(hours=2)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-personal-data", "--older-than-months", "24"])
    assert "1 registration(s) anonymised" in result.output
    assert db.session.scalar(select(Registration.email)) is None
