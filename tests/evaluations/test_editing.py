"""The team's edit of an event's questions and the first answer cannot cross: both hold the
form's row lock (webapp/evaluations/editing.py, answers.py)."""

import threading
import time

from sqlalchemy import select

from tests.conftest import postgresql_only
from webapp import audit
from webapp.agenda.models import Event
from webapp.evaluations import answers, editing, jobs
from webapp.evaluations.models import EvaluationForm, Invitation
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work


@postgresql_only
def test_an_edit_waits_for_an_answer_being_stored_then_is_refused(app, ended_event, register):
    event = ended_event()
    register(event, 1)
    jobs.send_evaluations()
    invitation = db.session.scalar(select(Invitation))
    event_id, form_id, invitation_id = event.id, invitation.form_id, invitation.id
    questions = db.session.get(EvaluationForm, form_id).questions
    db.session.remove()
    stored, outcome = threading.Event(), []

    def answer():
        with app.app_context():
            with unit_of_work("test answer"):
                form = db.session.get(EvaluationForm, form_id)
                answers.answer_invitation(invitation_id, form, {"usefulness": "5"})
                stored.set()
                time.sleep(0.5)  # the edit arrives while the answer is not committed
            db.session.remove()

    def edit():
        with app.app_context():
            stored.wait()
            event = db.session.get(Event, event_id)
            try:
                with unit_of_work("test edit"):
                    editing.save_event_questions(event, questions[:1], audit.SYSTEM)
                outcome.append("saved")
            except editing.Refused as refused:
                outcome.append(refused.reason)
            db.session.remove()

    threads = [threading.Thread(target=answer), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome == ["answered"]
    assert db.session.get(EvaluationForm, form_id).questions == questions
