"""/admin/events/<id>/evaluation: figures equal to those computed here, hidden under 5
answers (also filtered), exports formula-safe, quotes, QR code, scope and roles."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.admin.conftest import sign_in
from webapp.evaluations import jobs, results
from webapp.evaluations.models import Answer, EvaluationForm
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.timezones import local_today, utcnow

SCORES = [5, 4, 4, 3, 5, 2]


@pytest.fixture
def evaluated(make_event):
    """An ended concertation of Bassin Sud, 10 invited, answers with SCORES."""
    from datetime import timedelta

    event = make_event(start=(utcnow() - timedelta(days=2)).replace(microsecond=0))
    for n in range(10):
        db.session.add(
            Registration(event_id=event.id, status="confirmed", email=f"p{n}@example.org")
        )
    db.session.commit()
    jobs.send_evaluations()
    for n, score in enumerate(SCORES):
        values = {"usefulness": str(score), "sector_group": "social" if n < 4 else "hopital"}
        if n == 0:
            values["takeaway"] = '=HYPERLINK("x") C\'était très riche en échanges.'
        db.session.add(Answer(event_id=event.id, day=local_today(), values=values))
    db.session.commit()
    return event


def test_figures_equal_numbers_computed_independently(sud_client, evaluated):
    page = sud_client.get(f"/admin/events/{evaluated.id}/evaluation")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-figure="invited">10<' in html
    assert 'data-figure="answered">6<' in html
    assert 'data-figure="rate">60 %<' in html
    mean = round(sum(SCORES) / len(SCORES), 2)
    assert f"{mean}" in html
    outcome = results.event_results(evaluated, "fr")
    usefulness = outcome.questions[0]
    assert usefulness.mean == mean and usefulness.count == 6
    assert dict(usefulness.distribution) == {str(v): SCORES.count(v) for v in range(1, 6)}
    assert "<svg" in html


def test_results_hidden_under_five_answers_also_filtered(sud_client, evaluated):
    html = sud_client.get(f"/admin/events/{evaluated.id}/evaluation?sector=social").text
    assert 'data-results="hidden"' in html and 'data-question="usefulness"' not in html
    assert (
        sud_client.get(f"/admin/events/{evaluated.id}/evaluation.csv?sector=social").status_code
        == 404
    )
    assert (
        sud_client.get(f"/admin/events/{evaluated.id}/evaluation.xlsx?sector=hopital").status_code
        == 404
    )
    db.session.execute(Answer.__table__.delete().where(Answer.values.is_not(None)))
    db.session.commit()
    assert (
        'data-results="hidden"' in sud_client.get(f"/admin/events/{evaluated.id}/evaluation").text
    )


def test_exports_are_formula_safe(sud_client, evaluated):
    response = sud_client.get(f"/admin/events/{evaluated.id}/evaluation.csv")
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 7
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    book = load_workbook(
        io.BytesIO(sud_client.get(f"/admin/events/{evaluated.id}/evaluation.xlsx").data)
    )
    cells = [c for row in book.active.iter_rows() for c in row]
    (trap,) = [c for c in cells if c.value == '=HYPERLINK("x") C\'était très riche en échanges.']
    assert trap.data_type == "s"  # a string cell: text by its type, no apostrophe shown
    assert not any(c.data_type == "f" for c in cells)


def test_a_trimmed_quote_is_kept_with_at_most_the_sector(sud_client, evaluated):
    answer = db.session.scalar(select(Answer).where(Answer.values["takeaway"].is_not(None)))
    posted = sud_client.post(
        f"/admin/events/{evaluated.id}/evaluation/quotes",
        data={"answer": answer.id, "key": "takeaway", "text": "C'était très riche en échanges."},
    )
    assert posted.status_code == 303
    assert results.quotes(evaluated.id) == [("C'était très riche en échanges.", "social")]
    # The quote joins the meeting's report (a draft), with the sector and nothing else.
    from webapp.agenda.reports import Report

    report = db.session.scalar(select(Report).where(Report.event_id == evaluated.id))
    assert report.status == "draft"
    assert [(q.text, q.sector_group) for q in report.quotes] == [
        ("C'était très riche en échanges.", "social")
    ]
    invented = sud_client.post(
        f"/admin/events/{evaluated.id}/evaluation/quotes",
        data={"answer": answer.id, "key": "takeaway", "text": "Formidable !"},
    )
    assert invented.status_code == 404
    assert results.quotes(evaluated.id) == [("C'était très riche en échanges.", "social")]


def test_qr_code_is_an_svg_of_the_open_link(sud_client, evaluated):
    response = sud_client.get(f"/admin/events/{evaluated.id}/evaluation/qr.svg")
    assert response.status_code == 200
    assert response.content_type == "image/svg+xml"
    assert response.data.lstrip().startswith(b"<svg")
    assert db.session.scalar(select(EvaluationForm.open_token))


def test_foreign_bassin_404_and_service_403(app, client, make_staff, evaluated):
    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    service = sign_in(app.test_client(), make_staff("service", organisation="CPAS"))
    answer = db.session.scalar(select(Answer))
    for path in ("", ".csv", ".xlsx", "/qr.svg"):
        assert nord.get(f"/admin/events/{evaluated.id}/evaluation{path}").status_code == 404
        assert service.get(f"/admin/events/{evaluated.id}/evaluation{path}").status_code == 403
    refused = nord.post(
        f"/admin/events/{evaluated.id}/evaluation/quotes",
        data={"answer": answer.id, "key": "takeaway", "text": "x"},
    )
    assert refused.status_code == 404
    assert results.quotes(evaluated.id) == []
