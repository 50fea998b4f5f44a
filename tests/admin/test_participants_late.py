"""People added after a meeting (several rows, attendance ticked), refused requests read
"Refusé·e", and the participants list at any width (answers folded, one row a person)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.admin.test_participants import registered, url
from tests.admin.test_spreadsheets import csv_rows
from tests.smtp import mail_config
from webapp.admin.reports import figures
from webapp.audit import AuditEntry
from webapp.auth.scopes import Scope
from webapp.evaluations import jobs
from webapp.evaluations.models import Invitation
from webapp.extensions import db
from webapp.registrations.attendance_counts import attendance_of
from webapp.registrations.models import CheckIn, Question, Registration
from webapp.registrations.states import QuestionKind
from webapp.timezones import to_local, utcnow


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


@pytest.fixture
def past_meeting(make_event):
    """A Sud concertation that ended two days ago, with two confirmed people."""
    event = make_event(start=(utcnow() - timedelta(days=2)).replace(microsecond=0), capacity=20)
    for n in range(2):
        db.session.add(
            Registration(event_id=event.id, status="confirmed", email=f"inscrit{n}@example.org")
        )
    db.session.commit()
    return event


def rows(*people, on_date):
    data = {"on_date": on_date.isoformat()}
    for n, fields in enumerate(people):
        for key, value in fields.items():
            data[f"rows-{n}-{key}"] = value
    return data


def test_several_people_are_added_to_a_past_meeting_in_one_form(sud_client, past_meeting):
    day = to_local(past_meeting.start_at).date()
    page = sud_client.get(url(past_meeting.id, "/late")).get_data(as_text=True)
    assert day.isoformat() in page and 'name="rows-4-last_name"' in page
    response = sud_client.post(
        url(past_meeting.id, "/late"),
        data=rows(
            {
                "last_name": "Dubois",
                "first_name": "Awa",
                "email": "awa@example.org",
                "present": "y",
            },
            {"last_name": "Janssens", "first_name": "Pieter", "language": "nl", "present": "y"},
            {"last_name": "Absente", "first_name": "Lou"},  # present not ticked
            {},  # a blank row is left out
            on_date=day,
        ),
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    added = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == past_meeting.id, Registration.walk_in.is_(True))
        .order_by(Registration.id)
    ).all()
    assert [(r.last_name, r.attended, r.language) for r in added] == [
        ("Dubois", True, "fr"),
        ("Janssens", True, "nl"),
        ("Absente", False, "fr"),
    ]
    checks = db.session.scalars(select(CheckIn).where(CheckIn.event_id == past_meeting.id)).all()
    assert sorted(c.present for c in checks) == [False, True, True] and {
        c.on_date for c in checks
    } == {day}
    assert (
        db.session.get(type(past_meeting), past_meeting.id).confirmed_count == 0
    )  # no place taken
    lines = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "registration.walk_in_added")
    ).all()
    assert len(lines) == 3


def test_people_added_late_count_in_the_figures_and_are_invited_to_evaluate(
    sud_client, past_meeting
):
    day = to_local(past_meeting.start_at).date()
    sud_client.post(
        url(past_meeting.id, "/late"),
        data=rows(
            {"last_name": "Dubois", "email": "awa@example.org", "present": "y"},
            {"last_name": "Sansmail", "present": "y"},
            on_date=day,
        ),
    )
    columns = figures.year_figures(
        Scope.of_bassins("sud"), to_local(past_meeting.start_at).year, ["sud"]
    )
    assert columns[figures.REGION].walk_ins == 2
    jobs.send_evaluations()
    invited = {
        r.email
        for r in db.session.scalars(
            select(Registration).join(Invitation, Invitation.registration_id == Registration.id)
        )
    }
    assert "awa@example.org" in invited


def test_an_address_already_registered_is_refused_and_what_was_typed_stays(
    sud_client, past_meeting
):
    day = to_local(past_meeting.start_at).date()
    response = sud_client.post(
        url(past_meeting.id, "/late"),
        data=rows(
            {"last_name": "Nouvelle", "email": "nouvelle@example.org", "present": "y"},
            {"last_name": "Déjà", "email": "INSCRIT0@example.org", "present": "y"},
            on_date=day,
        ),
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "déjà inscrite" in page and 'value="Nouvelle"' in page
    walk_ins = select(Registration).where(Registration.walk_in.is_(True))
    assert db.session.scalars(walk_ins).all() == []


def test_a_meeting_not_begun_takes_no_late_additions(sud_client, make_event):
    event = make_event(start=utcnow() + timedelta(days=3))
    page = sud_client.get(url(event.id, "/late"))
    assert "pas encore commencé" in page.get_data(as_text=True)
    day = to_local(event.start_at).date()
    response = sud_client.post(
        url(event.id, "/late"), data=rows({"last_name": "Tôt", "present": "y"}, on_date=day)
    )
    assert response.status_code == 200
    assert db.session.scalars(select(Registration)).all() == []


def test_a_row_without_a_name_is_refused_beside_it(sud_client, past_meeting):
    day = to_local(past_meeting.start_at).date()
    response = sud_client.post(
        url(past_meeting.id, "/late"),
        data=rows({"first_name": "Prénom seul", "email": "x@example.org"}, on_date=day),
    )
    assert response.status_code == 422
    assert "Indiquez au moins le nom." in response.get_data(as_text=True)


def test_a_refused_request_reads_refused_in_the_list_and_the_export(sud_client, make_event):
    event = make_event(capacity=5, registration_mode="approval")
    refused, cancelled = registered(event.id, 1, 2)
    sud_client.post(url(event.id, f"/{refused}/refuse"), data={"reason": "Groupe complet"})
    sud_client.post(url(event.id, f"/{cancelled}/cancel"), data={"confirm": "yes"})
    page = sud_client.get(url(event.id, "?status=all")).get_data(as_text=True)
    row = re.search(rf'data-registration-id="{refused}".*?</tr>', page, re.S).group(0)
    assert "Refusé·e" in row and "Annulé·e" not in row
    other = re.search(rf'data-registration-id="{cancelled}".*?</tr>', page, re.S).group(0)
    assert "Annulé·e" in other
    table = csv_rows(
        sud_client.get(url(event.id, ".csv?status=all&column=last_name&column=status"))
    )
    assert ["Peeters1", "Refusé·e"] in table and ["Peeters2", "Annulé·e"] in table


def test_answers_are_folded_in_one_cell_not_one_column_per_question(sud_client, make_event):
    event = make_event(capacity=5)
    questions = [
        Question(
            event_id=event.id, kind=QuestionKind.LONG_TEXT, label_fr=f"Question {n}", position=n
        )
        for n in range(6)
    ]
    db.session.add_all(questions)
    db.session.commit()
    answers = {str(q.id): "Une réponse assez longue " * 8 for q in questions}
    db.session.add(
        Registration(event_id=event.id, status="confirmed", email="a@example.org", answers=answers)
    )
    db.session.commit()
    page = sud_client.get(url(event.id)).get_data(as_text=True)
    header = re.search(r"<thead>.*?</thead>", page, re.S).group(0)
    assert "Question 0" not in header and "Réponses" in header
    assert '<details class="answers-details">' in page and "6 réponses" in page
    assert page.count("Une réponse assez longue " * 8) == 6  # every answer whole


def test_the_late_page_is_reached_from_the_event_page_and_the_list(sud_client, past_meeting):
    target = f'href="/admin/events/{past_meeting.id}/participants/late"'
    assert target in sud_client.get(f"/admin/events/{past_meeting.id}").get_data(as_text=True)
    assert target in sud_client.get(url(past_meeting.id)).get_data(as_text=True)


def test_more_rows_keeps_what_was_typed_and_saves_nothing(sud_client, past_meeting):
    day = to_local(past_meeting.start_at).date()
    page = sud_client.get(url(past_meeting.id, "/late")).get_data(as_text=True)
    assert page.count('class="late-row"') == 5
    assert 'name="more_rows"' in page and "formnovalidate" in page  # a button, not a link
    data = rows(
        {"last_name": "Papier", "first_name": "Léa", "email": "pas-une-adresse"},
        on_date=day,
    )
    data["more_rows"] = "1"
    response = sud_client.post(url(past_meeting.id, "/late?rows=10"), data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="late-row"') == 10
    assert 'value="Papier"' in page and 'value="Léa"' in page
    assert 'value="pas-une-adresse"' in page  # kept as typed, not checked yet
    walk_ins = select(Registration).where(Registration.walk_in.is_(True))
    assert db.session.scalars(walk_ins).all() == []


def _invited_addresses():
    return {
        r.email
        for r in db.session.scalars(
            select(Registration).join(Invitation, Invitation.registration_id == Registration.id)
        )
    }


def _add_late(client, event):
    day = to_local(event.start_at).date()
    response = client.post(
        url(event.id, "/late"),
        data=rows(
            {"last_name": "Dubois", "email": "awa@example.org", "present": "y"},
            {"last_name": "Absente", "email": "lou@example.org"},  # present not ticked
            on_date=day,
        ),
    )
    assert response.status_code == 303


def test_late_additions_join_the_registered_people_when_nobody_was_ticked(sud_client, past_meeting):
    """Nobody was ticked at the door: the two registered people still stand for who came,
    and the person added from the paper sheet joins them (not replaces them)."""
    _add_late(sud_client, past_meeting)
    attendance = attendance_of(past_meeting.id)
    assert (attendance.taken, attendance.present, attendance.walk_ins) == (False, 2, 1)
    assert attendance.participants == 3
    region = figures.year_figures(
        Scope.of_bassins("sud"), to_local(past_meeting.start_at).year, ["sud"]
    )[figures.REGION]
    assert region.participants_by_kind["concertation"] == [3]
    assert (region.walk_ins, region.present, region.no_shows) == (1, 0, 0)
    jobs.send_evaluations()
    assert _invited_addresses() == {
        "inscrit0@example.org",
        "inscrit1@example.org",
        "awa@example.org",
    }


def test_late_additions_beside_a_taken_attendance_keep_the_absent_out(sud_client, past_meeting):
    """Attendance was taken (one present, one absent): the absent person is neither counted
    nor invited; the late person present is both."""
    registered_people = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == past_meeting.id)
        .order_by(Registration.id)
    ).all()
    registered_people[0].attended, registered_people[1].attended = True, False
    db.session.commit()
    _add_late(sud_client, past_meeting)
    attendance = attendance_of(past_meeting.id)
    assert (attendance.taken, attendance.present, attendance.walk_ins) == (True, 1, 1)
    region = figures.year_figures(
        Scope.of_bassins("sud"), to_local(past_meeting.start_at).year, ["sud"]
    )[figures.REGION]
    assert region.participants_by_kind["concertation"] == [2]
    assert (region.present, region.no_shows, region.walk_ins) == (1, 1, 1)
    jobs.send_evaluations()
    assert _invited_addresses() == {"inscrit0@example.org", "awa@example.org"}
