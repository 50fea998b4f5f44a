"""Attestations of participation: only for people marked present, from the day after, read
back from the PDF, withdrawn and restored with attendance, checked by code, gone with the
person's data, linked from the personal page and the evaluation mail."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.attestations.conftest import MEETING, mark, pdf_text, register
from tests.edge import personal_data
from webapp.attestations import issue, pdf
from webapp.attestations.issue import Attestation, Meeting
from webapp.evaluations import jobs
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.timezones import to_local
from webapp.tokens import normalise_attestation_code, printed_attestation_code

THE_DAY_AFTER = MEETING + timedelta(days=1)


def attestation_url(registration):
    return f"/registrations/{registration.token}/attestation.pdf"


def evaluation_mails(smtp, address):
    return [m for m in smtp.inbox.to(address) if m["Subject"].startswith("Votre avis")]


def code_of(registration):
    return db.session.get(Registration, registration.id).attestation_code


def test_nobody_who_was_not_marked_present_gets_one(client, meeting):
    event = meeting()
    came, absent, unmarked, left = (register(event, n) for n in range(4))
    mark(event, came, True)
    mark(event, absent, False)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        from tests.edge import rules

        rules.cancel(left.id, actor=None)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        assert client.get(attestation_url(came)).status_code == 200
        for person in (absent, unmarked, left):
            assert client.get(attestation_url(person)).status_code == 404
        assert client.get("/registrations/not-a-token/attestation.pdf").status_code == 404
        assert [a.name for a in issue.for_event(event)] == ["Anne Peeters0"]


def test_it_comes_the_day_after_the_meeting_not_before(client, meeting):
    event = meeting()
    person = register(event, 1)
    mark(event, person, True)
    evening = to_local(event.end_at).replace(hour=23, minute=59)
    with time_machine.travel(evening, tick=False):
        assert client.get(attestation_url(person)).status_code == 404
    midnight = evening + timedelta(minutes=1)
    with time_machine.travel(midnight, tick=False):
        assert client.get(attestation_url(person)).status_code == 200


def test_the_pdf_is_one_a4_page_whose_text_reads_back(client, meeting):
    event = meeting(accreditation="A-2027-0042")
    person = register(event, 1, first_name="Zénobie", last_name="Vandersmissen")
    mark(event, person, True)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        response = client.get(attestation_url(person))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert len(response.data) < 100_000
    text, pages = pdf_text(response.data)
    assert pages == 1
    assert "Attestation de participation" in text
    assert "Zénobie Vandersmissen" in text
    assert "CPAS d'Etterbeek" in text
    assert "Concertation liaison ambulatoire-hôpital #4" in text
    assert "mardi 23 mars 2027, de 13:00 à 16:00 (3 h)" in text
    assert "Bassin Sud" in text or "Sud" in text
    assert "A-2027-0042" in text
    code = printed_attestation_code(code_of(person))
    assert code in text
    assert f"/attestations/{code_of(person)}" in text.replace("\n", "")


def test_the_pdf_is_in_the_persons_language(client, meeting):
    event = meeting(title_nl="Overleg ambulante zorg-ziekenhuis #4")
    person = register(event, 1, language="nl")
    mark(event, person, True)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        text, _pages = pdf_text(client.get(attestation_url(person)).data)
    assert "Deelnameattest" in text
    assert "Overleg ambulante zorg-ziekenhuis #4" in text
    assert "dinsdag 23 maart 2027" in text


@pytest.mark.parametrize("unicode_font", [False, True])
def test_a_name_beyond_latin_1_never_breaks_the_pdf(app, unicode_font):
    if unicode_font and not pdf.unicode_fonts_available():
        pytest.skip("DejaVu Sans is not installed (Debian's fonts-dejavu-core)")
    start = to_local(MEETING)
    attestation = Attestation(
        code="ABCDE23456",
        language="fr",
        name="Łukasz Wiśniewski – Ωμέγα 王",
        organisation="Œuvre “Entraide” €",
        title="Rencontre",
        meetings=(Meeting(start, start + timedelta(hours=2, minutes=30)),),
        place=None,
        bassins=("Sud",),
        organiser=None,
    )
    with app.test_request_context():
        body = pdf.render([attestation], unicode_font=unicode_font)
    text, pages = pdf_text(body)
    assert pages == 1
    if unicode_font:  # DejaVu has no Chinese: that one letter is left out, the rest printed
        assert "Łukasz Wiśniewski – Ωμέγα" in text
    else:  # Latin letters folded (never dropped); what has no Latin form is a "?"
        assert "Lukasz Wisniewski - ????? ?" in text
        assert 'OEuvre "Entraide" EUR' in text
    assert "(2 h 30)" in text


def test_a_late_correction_withdraws_then_restores_it(client, meeting):
    event = meeting()
    person = register(event, 1)
    mark(event, person, True)
    code = code_of(person)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        assert client.get(f"/attestations/{code}").status_code == 200
    # The team finds, two days later, that she had not come after all.
    mark(event, person, False, at=MEETING + timedelta(days=2))
    with time_machine.travel(MEETING + timedelta(days=2, hours=1), tick=False):
        assert client.get(attestation_url(person)).status_code == 404
        gone = client.get(f"/attestations/{code}")
        assert gone.status_code == 410
        assert "n'est plus disponible" in gone.get_data(as_text=True)
        assert "Peeters" not in gone.get_data(as_text=True)
    # And corrects it back: the same code is valid again.
    mark(event, person, True, at=MEETING + timedelta(days=3))
    with time_machine.travel(MEETING + timedelta(days=3, hours=1), tick=False):
        assert client.get(attestation_url(person)).status_code == 200
        assert client.get(f"/attestations/{code}").status_code == 200


def test_a_walk_in_marked_present_gets_one_in_the_teams_pdf(app, meeting):
    from webapp import audit
    from webapp.registrations import attendance
    from webapp.timezones import utcnow
    from webapp.unit_of_work import unit_of_work

    event = meeting()
    with time_machine.travel(MEETING + timedelta(minutes=5), tick=False), unit_of_work("w"):
        attendance.add_walk_in(
            event.id,
            to_local(MEETING).date(),
            {"first_name": "Jan", "last_name": "Janssens", "organisation": "OCMW"},
            utcnow(),
            audit.SYSTEM,
        )
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        assert [a.name for a in issue.for_event(event)] == ["Jan Janssens"]


def test_a_repeating_training_attests_the_dates_attended(client, meeting):
    event = meeting(rrule="FREQ=WEEKLY;COUNT=3")
    person = register(event, 1)
    mark(event, person, True)
    second = MEETING + timedelta(days=7)
    mark(event, person, False, on=to_local(second).date(), at=second + timedelta(hours=1))
    third = MEETING + timedelta(days=14)
    mark(event, person, True, on=to_local(third).date(), at=third + timedelta(hours=1))
    with time_machine.travel(third + timedelta(days=1), tick=False):
        text, _pages = pdf_text(client.get(attestation_url(person)).data)
    assert "mardi 23 mars 2027" in text and "mardi 6 avril 2027" in text
    assert "30 mars" not in text
    assert "Durée totale" in text and "6 h" in text


def test_anyone_checks_a_code_and_sees_the_name_the_activity_and_the_date(client, meeting):
    event = meeting()
    person = register(event, 1, first_name="Zénobie", last_name="Vandersmissen")
    mark(event, person, True)
    code = code_of(person)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        page = client.get(f"/attestations/{printed_attestation_code(code).lower()}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-verdict="valid"' in body
    assert "Zénobie Vandersmissen" in body
    assert event.title_fr in body
    assert "23 mars 2027" in body
    # Nothing else about her: no organisation, no address, no personal link; not indexed.
    assert "CPAS" not in body and "person.1@example.org" not in body
    assert person.token not in body
    assert 'name="robots" content="noindex' in body
    assert page.headers["X-Robots-Tag"].startswith("noindex")
    assert page.headers["Cache-Control"] == "no-store"
    # A Dutch reader reads the page in Dutch, the title as printed, marked French.
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        dutch = client.get(f"/attestations/{code}?lang=nl").get_data(as_text=True)
    assert '<html lang="nl">' in dutch
    assert f'<dd lang="fr">{event.title_fr}' in dutch
    assert '<dd lang="fr">' not in body


def test_an_unknown_or_malformed_code_is_not_found(client, meeting):
    assert client.get("/attestations/ABCDE-23456").status_code == 404
    for garbage in ("0OIL1-00000", "x" * 400, "ABCDE%0A23456", "ab"):
        answer = client.get(f"/attestations/{garbage}")
        assert answer.status_code == 404
        assert 'data-verdict="unknown"' in answer.get_data(as_text=True)


def test_codes_are_short_unambiguous_and_not_the_personal_token(app, meeting):
    event = meeting()
    people = [register(event, n) for n in range(20)]
    codes = {code_of(p) for p in people}
    assert len(codes) == 20
    for person in people:
        code = code_of(person)
        assert len(code) == 10 and not set(code) & set("01ILOUV")
        assert code not in person.token
        assert normalise_attestation_code(printed_attestation_code(code).lower()) == code


def test_an_erased_persons_attestation_is_gone_and_its_code_says_so(client, meeting):
    event = meeting()
    person = register(event, 1)
    mark(event, person, True)
    code = code_of(person)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        personal_data.erase(person.id)
        assert client.get(attestation_url(person)).status_code == 404
        answer = client.get(f"/attestations/{code}")
    assert answer.status_code == 410
    assert "n'est plus disponible" in answer.get_data(as_text=True)


def test_the_purge_takes_the_attestation_too(client, meeting):
    event = meeting()
    person = register(event, 1)
    mark(event, person, True)
    code = code_of(person)
    later = MEETING + timedelta(days=400)
    with time_machine.travel(later, tick=False):
        personal_data.purge_personal_data(older_than_months=12)
        assert client.get(attestation_url(person)).status_code == 404
        assert client.get(f"/attestations/{code}").status_code == 410


def test_the_personal_page_offers_it_only_to_someone_marked_present(client, meeting):
    event = meeting()
    came, unmarked = register(event, 1), register(event, 2)
    mark(event, came, True)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        page = client.get(f"/registrations/{came.token}").get_data(as_text=True)
        other = client.get(f"/registrations/{unmarked.token}").get_data(as_text=True)
    assert attestation_url(came) in page
    assert printed_attestation_code(code_of(came)) in page
    assert "attestation.pdf" not in other


def test_the_evaluation_mail_carries_the_attestation_link(app, meeting, smtp):
    event = meeting()
    came, absent = register(event, 1), register(event, 2)
    mark(event, came, True)
    mark(event, absent, False)
    with time_machine.travel(THE_DAY_AFTER + timedelta(hours=1), tick=False):
        assert jobs.send_evaluations() == 1
        app.test_cli_runner().invoke(args=["send-mail"])
    (message,) = evaluation_mails(smtp, "person.1@example.org")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"http://agenda.test/registrations/{came.token}/attestation.pdf" in text
    assert f"/registrations/{came.token}/attestation.pdf" in html


def test_no_attestation_link_when_attendance_was_not_taken(app, meeting, smtp):
    event = meeting()
    register(event, 1)
    with time_machine.travel(THE_DAY_AFTER + timedelta(hours=1), tick=False):
        assert jobs.send_evaluations() == 1
        app.test_cli_runner().invoke(args=["send-mail"])
    (message,) = evaluation_mails(smtp, "person.1@example.org")
    assert "attestation" not in message.get_body(("plain",)).get_content()


def test_no_attestation_is_kept_anywhere_but_read_from_attendance(app, meeting):
    event = meeting()
    person = register(event, 1)
    mark(event, person, True)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        assert issue.for_registration(db.session.get(Registration, person.id)) is not None
    db.session.execute(
        Registration.__table__.update().where(Registration.id == person.id).values(attended=False)
    )
    db.session.commit()
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        stored = db.session.scalar(select(Registration).where(Registration.id == person.id))
        assert issue.for_registration(stored) is None
