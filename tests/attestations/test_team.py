"""The team's side: every attestation of an event as one PDF, the INAMI attendance list of an
accredited training, links on the participants page, the accreditation in the event form and
the import, and the walls between bassins."""

import csv
import io
from datetime import timedelta

import time_machine
from sqlalchemy import select

from tests.admin.conftest import sign_in
from tests.admin.test_event_form import form_data as event_form
from tests.attestations.conftest import MEETING, mark, pdf_text, register
from webapp.agenda.models import Event
from webapp.audit import AuditEntry
from webapp.extensions import db

THE_DAY_AFTER = MEETING + timedelta(days=1)


def test_the_team_downloads_every_attestation_of_an_event_as_one_pdf(sud_client, meeting):
    event = meeting()
    people = [register(event, n, last_name=name) for n, name in enumerate(["Wouters", "Aerts"])]
    absent = register(event, 3, last_name="Claes")
    for person in people:
        mark(event, person, True)
    mark(event, absent, False)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        response = sud_client.get(f"/admin/events/{event.id}/attestations.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    text, pages = pdf_text(response.data)
    assert pages == 2
    assert text.index("Anne Aerts") < text.index("Anne Wouters")  # by name
    assert "Claes" not in text
    (line,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "event.attestations_downloaded")
    ).all()
    assert line.after == {"count": 2}


def test_before_anyone_has_one_the_team_is_told_why(sud_client, meeting):
    event = meeting()
    mark(event, register(event, 1), True)
    with time_machine.travel(MEETING + timedelta(hours=4), tick=False):
        response = sud_client.get(f"/admin/events/{event.id}/attestations.pdf")
        assert response.status_code == 303
        page = sud_client.get(response.headers["Location"]).text
    assert "lendemain de la rencontre" in page


def test_the_inami_list_has_the_numbers_of_those_present(sud_client, meeting):
    event = meeting(accreditation="A-2027-0042")
    doctor = register(event, 1, first_name="Marc", last_name="Dubois", inami_number="12345678901")
    absent = register(event, 2, inami_number="19876543210")
    social_worker = register(event, 3)
    for person, present in ((doctor, True), (absent, False), (social_worker, True)):
        mark(event, person, present)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        response = sud_client.get(f"/admin/events/{event.id}/inami.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["numero_inami", "nom", "prenom", "date", "accreditation"],
        ["12345678901", "Dubois", "Marc", "2027-03-23", "A-2027-0042"],
    ]


def test_no_inami_list_for_an_event_that_is_not_accredited(sud_client, meeting):
    event = meeting()
    mark(event, register(event, 1), True)
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        assert sud_client.get(f"/admin/events/{event.id}/inami.csv").status_code == 404
        page = sud_client.get(f"/admin/events/{event.id}/participants").text
    assert f"/admin/events/{event.id}/attestations.pdf" in page
    assert "inami.csv" not in page


def test_the_participants_page_links_both_and_exports_the_number(sud_client, meeting):
    event = meeting(accreditation="A-2027-0042")
    register(event, 1, inami_number="1-23456-78-901")
    page = sud_client.get(f"/admin/events/{event.id}/participants").text
    assert f"/admin/events/{event.id}/attestations.pdf" in page
    assert f"/admin/events/{event.id}/inami.csv" in page
    export = sud_client.get(
        f"/admin/events/{event.id}/participants.csv?column=last_name&column=inami_number"
    )
    assert "1-23456-78-901" in export.data.decode("utf-8-sig")


def test_another_bassin_and_a_service_reach_neither(app, client, meeting, make_staff):
    event = meeting(accreditation="A-2027-0042")
    mark(event, register(event, 1, inami_number="12345678901"), True)
    # `client` makes every test client a fresh context per request, as in production.
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    service = sign_in(app.test_client(), make_staff("service", organisation="Infor-Jeunes"))
    with time_machine.travel(THE_DAY_AFTER, tick=False):
        for someone in (nord, service):
            for path in ("attestations.pdf", "inami.csv"):
                answer = someone.get(f"/admin/events/{event.id}/{path}")
                assert answer.status_code in (403, 404)
                assert b"Peeters" not in answer.data


def test_the_event_form_keeps_the_accreditation_number(sud_client):
    response = sud_client.post("/admin/events/new", data=event_form(accreditation="A-2027-0042"))
    assert response.status_code == 303
    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    assert event.accreditation == "A-2027-0042"
    assert 'value="A-2027-0042"' in sud_client.get(f"/admin/events/{event.id}/edit").text


def test_the_import_takes_the_accreditation_number(app, territory, tmp_path):
    import json

    path = tmp_path / "events.json"
    path.write_text(
        json.dumps(
            [
                {
                    "external_id": "sud-formation-1",
                    "kind": "formation",
                    "title": "Formation accréditée",
                    "bassins": ["sud"],
                    "audience": "professionals",
                    "start": "2027-03-23T13:00:00+01:00",
                    "end": "2027-03-23T16:00:00+01:00",
                    "registration": "open",
                    "accreditation": "A-2027-0042",
                }
            ]
        )
    )
    result = app.test_cli_runner().invoke(args=["import-events", str(path)])
    assert result.exit_code == 0, result.output
    event = db.session.scalar(select(Event).where(Event.external_id == "sud-formation-1"))
    assert event.accreditation == "A-2027-0042"
