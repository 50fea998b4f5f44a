"""/evaluations/<token> and the open link: the form, refusals, the thank-you, once only (the
open link: once per client, until 14 days after the meeting)."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import postgresql_only
from webapp.evaluations import invitations, jobs, open_link
from webapp.evaluations.models import Answer, EvaluationForm, Invitation, OpenLinkClaim
from webapp.extensions import db
from webapp.timezones import local_day_start, to_local, utcnow

GOOD = {
    "q_usefulness": "4",
    "q_takeaway": "C'était très riche en échanges et informations.",
    "q_format_suited": "yes",
    "q_sector_group": "social",
}


def answers_count():
    return db.session.scalar(select(func.count()).select_from(Answer))


def invited(ended_event, register, language="fr"):
    event = ended_event()
    register(event, 1, language=language)
    jobs.send_evaluations()
    return event, db.session.scalar(select(Invitation))


def test_the_form_says_it_is_anonymous_and_sends_once(client, ended_event, register):
    event, invitation = invited(ended_event, register)
    page = client.get(f"/evaluations/{invitation.token}")
    assert page.status_code == 200
    assert "Vos réponses sont anonymes" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    sent = client.post(f"/evaluations/{invitation.token}", data=GOOD)
    assert sent.status_code == 200
    assert 'data-evaluation="answered"' in sent.get_data(as_text=True)
    again = client.post(f"/evaluations/{invitation.token}", data=GOOD)
    assert again.status_code == 409
    assert answers_count() == 1
    answer = db.session.scalar(select(Answer))
    assert answer.event_id == event.id
    assert answer.values == {
        "usefulness": "4",
        "takeaway": "C'était très riche en échanges et informations.",
        "format_suited": "yes",
        "sector_group": "social",
    }
    assert db.session.get(Invitation, invitation.id).answered is True
    assert 'data-evaluation="answered"' in client.get(f"/evaluations/{invitation.token}").text


def test_a_forged_token_is_404(client, ended_event, register):
    invited(ended_event, register)
    assert client.get("/evaluations/" + "A" * 43).status_code == 404
    assert client.post("/evaluations/" + "A" * 43, data=GOOD).status_code == 404
    assert client.get("/evaluations/short").status_code == 404


def test_tampered_choices_and_out_of_range_scales_are_refused(client, ended_event, register):
    _event, invitation = invited(ended_event, register)
    for tampered in (
        {"q_usefulness": "7"},
        {"q_usefulness": "0"},
        {"q_sector_group": "<script>"},
        {"q_format_suited": "maybe"},
        {"q_usefulness": ""},
        {"q_takeaway": "bad\x00text"},
    ):
        response = client.post(f"/evaluations/{invitation.token}", data={**GOOD, **tampered})
        assert response.status_code == 422, tampered
        assert 'class="error"' in response.get_data(as_text=True)
    assert answers_count() == 0
    assert db.session.get(Invitation, invitation.id).answered is False


def test_the_form_speaks_the_registrations_language(client, ended_event, register):
    _event, invitation = invited(ended_event, register, language="nl")
    page = client.get(f"/evaluations/{invitation.token}?lang=nl").get_data(as_text=True)
    assert "Uw antwoorden zijn anoniem" in page
    assert "Was deze bijeenkomst nuttig voor u?" in page
    refused = client.post(f"/evaluations/{invitation.token}?lang=nl", data={"q_usefulness": "9"})
    assert "Kies uit de voorgestelde antwoorden." in refused.get_data(as_text=True)


def test_the_open_link_takes_one_answer_per_client_not_only_per_browser(
    app, client, ended_event, register
):
    invited(ended_event, register)
    form = db.session.scalar(select(EvaluationForm))
    url = f"/evaluations/open/{form.open_token}"
    assert client.get(url).status_code == 200
    assert client.post(url, data=GOOD).status_code == 200
    assert client.post(url, data=GOOD).status_code == 409
    # Another browser, or the same with its cookie cleared, at the same address: refused,
    # and told why.
    same_address = app.test_client()
    refused = same_address.post(url, data=GOOD)
    assert refused.status_code == 409 and "depuis cette connexion" in refused.text
    assert "depuis cette connexion" in same_address.get(url).text
    # An IPv6 device picks addresses within its /64 at will: one client.
    v6 = {"REMOTE_ADDR": "2001:db8:5:6::1"}
    assert app.test_client().post(url, data=GOOD, environ_base=v6).status_code == 200
    v6_again = {"REMOTE_ADDR": "2001:db8:5:6:a:b:c:d"}
    assert app.test_client().post(url, data=GOOD, environ_base=v6_again).status_code == 409
    other = app.test_client()
    elsewhere = {"REMOTE_ADDR": "198.51.100.20"}
    assert other.post(url, data=GOOD, environ_base=elsewhere).status_code == 200
    assert answers_count() == 3
    assert set(db.session.scalars(select(Answer.channel))) == {"open_link"}
    claims = db.session.scalars(select(OpenLinkClaim)).all()
    assert len(claims) == 3
    for claim in claims:
        assert claim.expires_at == open_link.closes_at(form)
        assert not any(a in claim.client_key for a in ("127.0.0.1", "2001:db8", "198.51"))
    assert other.get("/evaluations/open/" + "B" * 43).status_code == 404


def test_the_open_link_closes_14_days_after_the_meeting_even_if_opened_later(client, ended_event):
    from webapp.unit_of_work import unit_of_work

    event = ended_event(start=(utcnow() - timedelta(days=16)).replace(microsecond=0))
    with unit_of_work("test"):
        form = invitations.open_form(event)  # as the QR code of an old meeting does
    assert form.is_open()  # the form was just opened: 14 days from now
    url = f"/evaluations/open/{form.open_token}"
    page = client.get(url)
    assert page.status_code == 200 and 'data-evaluation="closed"' in page.text
    assert "14 jours après la rencontre" in page.text
    assert client.post(url, data=GOOD).status_code == 410
    assert answers_count() == 0


def test_the_open_link_takes_answers_until_the_end_of_the_14th_day_after_the_meeting(
    app, ended_event, register
):
    import time_machine

    event, _invitation = invited(ended_event, register)
    form = db.session.scalar(select(EvaluationForm))
    url = f"/evaluations/open/{form.open_token}"
    last_day = to_local(event.end_at).date() + timedelta(days=14)
    closing = local_day_start(last_day + timedelta(days=1))
    with time_machine.travel(closing - timedelta(seconds=1), tick=False):
        assert app.test_client().post(url, data=GOOD).status_code == 200
    with time_machine.travel(closing, tick=False):
        late = app.test_client().post(url, data=GOOD, environ_base={"REMOTE_ADDR": "10.9.8.7"})
        assert late.status_code == 410
        # The claims of a closed link go with the next run of send-evaluations.
        jobs.send_evaluations()
    assert answers_count() == 1
    assert db.session.scalar(select(func.count()).select_from(OpenLinkClaim)) == 0


def test_the_open_link_refuses_the_honeypot(app, ended_event, register):
    invited(ended_event, register)
    form = db.session.scalar(select(EvaluationForm))
    bot = app.test_client()
    response = bot.post(f"/evaluations/open/{form.open_token}", data={**GOOD, "website": "x"})
    assert response.status_code == 422
    assert answers_count() == 0


def two_posts_at_once(app, form_id, answer):
    """Run `answer(form)` in two threads at once, each in its unit of work: "stored" or
    "refused" for each, sorted."""
    import threading

    from webapp.evaluations import answers
    from webapp.unit_of_work import unit_of_work

    db.session.remove()
    outcomes = []
    barrier = threading.Barrier(2)

    def post():
        with app.app_context():
            barrier.wait()
            try:
                with unit_of_work("test"):
                    answer(db.session.get(EvaluationForm, form_id))
                outcomes.append("stored")
            except answers.AlreadyAnswered:
                outcomes.append("refused")
            db.session.remove()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@postgresql_only
def test_two_concurrent_posts_store_one_answer(app, ended_event, register):
    from webapp.evaluations import answers

    _event, invitation = invited(ended_event, register)
    invitation_id = invitation.id

    def answer(form):
        answers.answer_invitation(invitation_id, form, {"usefulness": "5"})

    assert two_posts_at_once(app, invitation.form_id, answer) == ["refused", "stored"]
    assert answers_count() == 1


@postgresql_only
def test_two_concurrent_open_link_posts_of_one_client_store_one_answer(app, ended_event, register):
    from webapp.evaluations import answers

    invited(ended_event, register)
    form_id = db.session.scalar(select(EvaluationForm.id))
    key = open_link.client_key(form_id, "198.51.100.3", app.secret_key)

    def answer(form):
        answers.answer_open_link(form, {"usefulness": "5"}, key)

    assert two_posts_at_once(app, form_id, answer) == ["refused", "stored"]
    assert answers_count() == 1
