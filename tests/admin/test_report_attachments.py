"""A report's presentation PDF (issue 23 point 2) and its quotes picked from the evaluation
in one click (point 3): stored in UPLOAD_DIR under its SHA-256, served as a PDF with its
name, refused when it is not a PDF or too big, kept across a refused form, removed with
the report; a quote picked keeps everything typed."""

import hashlib
import io
import os
import time

import pytest
from sqlalchemy import select

from tests.admin.test_evaluations import evaluated  # noqa: F401  (fixture)
from tests.admin.test_reports import audit_actions, form, meeting, report_of
from webapp import uploads
from webapp.agenda import report_files
from webapp.evaluations import results
from webapp.evaluations.models import Answer
from webapp.extensions import db
from webapp.timezones import local_today

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OTHER_PDF = b"%PDF-1.7\n% autre support\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_DIR": str(tmp_path / "uploads")}


def with_file(data, content=PDF, name="Support concertation #4.pdf"):
    return {**data, "presentation_upload": (io.BytesIO(content), name)}


def stored_files(app):
    folder = app.config["UPLOAD_DIR"]
    return sorted(
        name for _root, _dirs, files in os.walk(folder) for name in files if name.endswith(".pdf")
    )


def post(client, event, data):
    return client.post(
        f"/admin/events/{event.id}/report", data=data, content_type="multipart/form-data"
    )


def test_a_pdf_is_stored_by_its_digest_and_served_with_its_type_and_name(
    app, sud_client, client, make_event
):
    event = meeting(make_event)
    response = post(sud_client, event, with_file(form()))
    assert response.status_code == 303
    digest = hashlib.sha256(PDF).hexdigest()
    report = report_of(event)
    assert report.presentation_file == digest
    assert report.presentation_file_name == "Support concertation #4.pdf"
    assert report.presentation_file_size == len(PDF)
    assert stored_files(app) == [f"{digest}.pdf"]
    assert (uploads.upload_dir() / digest[:2] / f"{digest}.pdf").read_bytes() == PDF
    # A draft: not public; the team sees it.
    assert client.get(f"/events/{event.id}/presentation.pdf").status_code == 404
    staff = sud_client.get(f"/admin/events/{event.id}/report/presentation.pdf")
    assert staff.status_code == 200 and staff.data == PDF
    assert staff.headers["Cache-Control"] == "private, no-store"
    # Published: the public page links it, the file comes as a PDF under its name.
    assert post(sud_client, event, form(action="publish")).status_code == 303
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="http://agenda.test/events/{event.id}/presentation.pdf"' in page
    assert "Voir le support de présentation" in page
    served = client.get(f"/events/{event.id}/presentation.pdf")
    assert served.status_code == 200 and served.data == PDF
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("inline;")
    assert 'filename="Support concertation #4.pdf"' in served.headers["Content-Disposition"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    api = client.get(f"/api/v1/events/{event.id}").get_json()
    assert api["report"]["presentation_url"] == "https://example.org/support.pdf"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PNG, "n'est pas un PDF"),
        (b"<html><script>alert(1)</script></html>", "n'est pas un PDF"),
        (b" %PDF-1.4 late header", "n'est pas un PDF"),
        (b"", "est vide"),
    ],
)
def test_what_is_not_a_pdf_is_refused_beside_the_field_and_nothing_kept(
    app, sud_client, make_event, content, message
):
    event = meeting(make_event)
    response = post(sud_client, event, with_file(form(), content, "support.pdf"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split('id="presentation_upload-error">', 1)[1].split("</p>", 1)[0]
    assert message in error.replace("&#39;", "'")
    assert 'value="Pistes d&#39;actions"' in html  # the rest of the form kept
    assert report_of(event) is None and audit_actions() == []
    assert stored_files(app) == []
    assert not any(name.startswith(".upload-") for name in os.listdir(app.config["UPLOAD_DIR"]))


def test_a_pdf_over_20_mb_is_refused_and_a_body_over_the_limit_is_413(app, sud_client, make_event):
    event = meeting(make_event)
    big = PDF + b"0" * (uploads.MAX_PDF_BYTES + 1 - len(PDF))
    response = post(sud_client, event, with_file(form(), big, "lourd.pdf"))
    assert response.status_code == 422
    assert "dépasse 20 Mo" in response.get_data(as_text=True)
    assert stored_files(app) == [] and report_of(event) is None
    exactly = PDF + b"0" * (uploads.MAX_PDF_BYTES - len(PDF))
    assert post(sud_client, event, with_file(form(), exactly, "juste.pdf")).status_code == 303
    assert report_of(event).presentation_file_size == uploads.MAX_PDF_BYTES
    huge = b"%PDF-" + b"0" * uploads.UPLOAD_REQUEST_LIMIT
    assert post(sud_client, event, with_file(form(), huge, "enorme.pdf")).status_code == 413
    # Elsewhere the usual 1 MB holds.
    response = sud_client.post(
        f"/admin/events/{event.id}/evaluation/quotes", data={"text": "x" * (2 * 1024 * 1024)}
    )
    assert response.status_code == 413


def test_a_file_sent_with_a_refused_form_is_kept_for_the_corrected_one(app, sud_client, make_event):
    event = meeting(make_event)
    response = post(sud_client, event, with_file(form(participants_count="")))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    digest = hashlib.sha256(PDF).hexdigest()
    assert f'name="presentation_pending" type="hidden" value="{digest}"' in html
    assert "PDF reçu, joint à l'enregistrement" in html
    corrected = form(
        participants_count="11",
        presentation_pending=digest,
        presentation_pending_name="Support concertation #4.pdf",
    )
    assert post(sud_client, event, corrected).status_code == 303
    report = report_of(event)
    assert report.participants_count == 11 and report.presentation_file == digest
    assert report.presentation_file_name == "Support concertation #4.pdf"


@pytest.mark.parametrize(
    "pending",
    ["../../../etc/passwd", "/etc/passwd", "0" * 63 + "/", "A" * 64, "0" * 64],
)
def test_a_pending_value_names_no_path_of_its_own(app, sud_client, make_event, pending):
    event = meeting(make_event)
    data = form(presentation_pending=pending, presentation_pending_name="x.pdf")
    assert post(sud_client, event, data).status_code == 303
    assert report_of(event).presentation_file is None


def test_names_are_cut_to_one_safe_line():
    assert report_files.clean_name("C:\\Users\\anne\\Support.pdf") == "Support.pdf"
    assert report_files.clean_name("../../etc/passwd") == "passwd.pdf"
    assert report_files.clean_name('a"b;\r\nc\u202e.pdf') == "abc.pdf"
    assert report_files.clean_name("") == "presentation.pdf"
    assert len(report_files.clean_name("x" * 500 + ".pdf")) == 200


def test_a_new_file_replaces_the_old_and_deleting_the_report_removes_it(
    app, sud_client, client, make_event
):
    event = meeting(make_event)
    other = meeting(make_event)
    assert post(sud_client, event, with_file(form())).status_code == 303
    assert post(sud_client, other, with_file(form())).status_code == 303  # same content
    first = hashlib.sha256(PDF).hexdigest()
    assert stored_files(app) == [f"{first}.pdf"]
    assert post(sud_client, event, with_file(form(), OTHER_PDF, "v2.pdf")).status_code == 303
    second = hashlib.sha256(OTHER_PDF).hexdigest()
    # The first file is still the other report's.
    assert stored_files(app) == sorted([f"{first}.pdf", f"{second}.pdf"])
    response = sud_client.post(f"/admin/events/{event.id}/report", data={"action": "delete"})
    assert response.status_code == 303
    assert report_of(event) is None
    assert stored_files(app) == [f"{first}.pdf"]
    assert "report.deleted" in audit_actions()
    # Taking the file off a report removes it when no report names it.
    assert post(sud_client, other, form(presentation_remove="y")).status_code == 303
    assert report_of(other).presentation_file is None
    assert stored_files(app) == []
    assert client.get(f"/events/{other.id}/presentation.pdf").status_code == 404


def test_the_sweep_removes_files_no_report_names(app, sud_client, make_event):
    event = meeting(make_event)
    post(sud_client, event, with_file(form(participants_count="")))  # refused: pending
    assert post(sud_client, event, with_file(form(), OTHER_PDF)).status_code == 303
    assert len(stored_files(app)) == 2
    assert report_files.sweep() == []  # a pending file waits a day
    removed = report_files.sweep(now=time.time() + 2 * 86400)
    assert removed == [hashlib.sha256(PDF).hexdigest()]
    assert stored_files(app) == [f"{hashlib.sha256(OTHER_PDF).hexdigest()}.pdf"]


def test_an_evaluation_answer_is_quoted_in_one_click_with_its_sector(sud_client, evaluated):  # noqa: F811
    for sector in ("social", "hopital", "hopital", "hopital"):
        db.session.add(
            Answer(event_id=evaluated.id, day=local_today(), values={"sector_group": sector})
        )
    db.session.commit()
    answer = db.session.scalar(select(Answer).where(Answer.values["takeaway"].is_not(None)))
    handle = results.text_handle(answer.id, "takeaway")
    page = sud_client.get(f"/admin/events/{evaluated.id}/evaluation").get_data(as_text=True)
    assert "<textarea" not in page  # no empty box per answer any more
    assert f"/admin/events/{evaluated.id}/report?quote={handle}:takeaway#quotes" in page
    opened = sud_client.get(f"/admin/events/{evaluated.id}/report?quote={handle}:takeaway")
    html = opened.get_data(as_text=True)
    assert 'name="quotes-0-text" type="text" value="=HYPERLINK(&#34;x&#34;) C&#39;était' in html
    assert '<option selected value="social">' in html
    assert report_of(evaluated) is None  # nothing written before saving
    # Picked from the report form itself: what was typed stays.
    data = form(participants_count="7", pick=f"{handle}:takeaway")
    data["quotes-0-text"] = ""
    data["quotes-0-sector_group"] = ""
    picked = post(sud_client, evaluated, data)
    assert picked.status_code == 200
    html = picked.get_data(as_text=True)
    assert 'name="participants_count" type="text" value="7"' in html
    assert "C&#39;était très riche en échanges." in html
    assert report_of(evaluated) is None
    # Shortened, then saved.
    data.pop("pick")
    data.update(
        {"quotes-0-text": "C'était très riche en échanges.", "quotes-0-sector_group": "social"}
    )
    assert post(sud_client, evaluated, data).status_code == 303
    assert [(q.text, q.sector_group) for q in report_of(evaluated).quotes] == [
        ("C'était très riche en échanges.", "social")
    ]


def test_a_text_of_another_event_or_made_up_cannot_be_picked(sud_client, evaluated, make_event):  # noqa: F811
    other = meeting(make_event)
    answer = db.session.scalar(select(Answer).where(Answer.values["takeaway"].is_not(None)))
    handle = results.text_handle(answer.id, "takeaway")
    html = sud_client.get(f"/admin/events/{other.id}/report?quote={handle}:takeaway").get_data(
        as_text=True
    )
    assert "HYPERLINK" not in html and "ne peut pas être citée" in html
    assert report_of(other) is None
