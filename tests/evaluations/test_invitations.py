"""send-evaluations: who is invited, once, in their language; one reminder; closing."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import postgresql_only
from webapp.evaluations import invitations, jobs, letters
from webapp.evaluations.models import EvaluationForm, Invitation
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.timezones import utcnow


def invited_emails():
    return sorted(
        db.session.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.subject.like("Votre avis%"))
        )
    )


def test_invites_confirmed_people_once_not_cancelled_or_waitlisted(app, ended_event, register):
    event = ended_event()
    register(event, 1)
    register(event, 2)
    register(event, 3, status="cancelled")
    register(event, 4, status="waitlisted")
    register(event, 5, status="pending")
    assert jobs.send_evaluations() == 2
    assert jobs.send_evaluations() == 0
    assert invited_emails() == ["anne.1@example.org", "anne.2@example.org"]
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2


def test_when_attendance_was_taken_only_those_who_came_are_invited(app, ended_event, register):
    event = ended_event()
    register(event, 1, attended=True)
    register(event, 2, attended=False)
    register(event, 3)  # not marked: not seen at the door
    assert jobs.send_evaluations() == 1
    assert invited_emails() == ["anne.1@example.org"]


def test_nothing_before_the_day_after_the_event(app, make_event, register):
    event = make_event(start=utcnow() - timedelta(minutes=90), hours=1)
    register(event, 1)
    tomorrow = invitations.opening_time(event)
    assert jobs.send_evaluations(tomorrow - timedelta(minutes=1)) == 0
    assert jobs.send_evaluations(tomorrow + timedelta(minutes=1)) == 1


def test_subject_names_the_kind_and_day_in_both_languages(app, make_event, register):
    from tests.factories import local

    event = make_event(start=local(2027, 4, 23, 13), kind="concertation")
    assert letters.subject(event, "fr") == "Votre avis sur la concertation du 23 avril"
    assert letters.subject(event, "nl") == "Uw mening over het overleg van 23 april"


def test_one_reminder_after_four_days_then_the_form_closes(app, ended_event, register):
    event = ended_event()
    register(event, 1)
    register(event, 2)
    now = utcnow()
    assert jobs.send_evaluations(now) == 2
    first = db.session.scalars(select(Invitation).order_by(Invitation.id)).first()
    first.answered = True
    db.session.commit()
    assert jobs.send_evaluations(now + timedelta(days=3)) == 0
    assert jobs.send_evaluations(now + timedelta(days=4, minutes=1)) == 1  # the other one
    assert jobs.send_evaluations(now + timedelta(days=5)) == 0
    form = db.session.scalar(select(EvaluationForm))
    assert not form.is_open(now + timedelta(days=15))


def test_mails_are_received_in_the_registrations_language(app, ended_event, register, smtp):
    event = ended_event(title="Liaison #4", title_nl="Verbinding #4")
    register(event, 1, language="fr")
    register(event, 2, language="nl")
    jobs.send_evaluations()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert "2 sent" in result.output
    french = smtp.inbox.to("anne.1@example.org")[0]
    dutch = smtp.inbox.to("anne.2@example.org")[0]
    assert french["Subject"].startswith("Votre avis sur la concertation du ")
    assert dutch["Subject"].startswith("Uw mening over het overleg van ")
    french_text = french.get_body(("plain",)).get_content()
    dutch_text = dutch.get_body(("plain",)).get_content()
    token = db.session.scalar(
        select(Invitation.token).join(Invitation.registration).where(Invitation.language == "nl")
    )
    assert f"/evaluations/{token}?lang=nl" in dutch_text
    assert "anonymes" in french_text and "anoniem" in dutch_text


def test_send_evaluations_command_and_worker_job(app, ended_event, register):
    from webapp.worker.schedule import JOBS

    event = ended_event()
    register(event, 1)
    result = app.test_cli_runner().invoke(args=["send-evaluations"])
    assert "1 evaluation mail(s) queued" in result.output
    assert "send-evaluations" in [job.name for job in JOBS]


@postgresql_only
def test_two_runs_at_once_invite_each_person_once(app, ended_event, register):
    event = ended_event()
    for n in range(1, 9):
        register(event, n)
    db.session.remove()
    counts = []
    barrier = threading.Barrier(2)

    def run():
        with app.app_context():
            barrier.wait()
            counts.append(jobs.send_evaluations())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 8
    assert len(invited_emails()) == 8 == len(set(invited_emails()))
