"""/admin/events/<id>/evaluation: figures equal to those computed here, hidden under 5
answers (also filtered, and when the rest of a filter is under 5), answers by the open link
apart from invited ones (the padding and subtraction attacks of issue 20), exports of
aggregates and texts apart, formula-safe, quotes, QR code, scope and roles."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.admin.conftest import sign_in
from webapp.evaluations import invitations, jobs, results
from webapp.evaluations.models import Answer, EvaluationForm, Invitation
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
    usefulness = outcome.group("invited").questions[0]
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


def csv_rows(response):
    """The rows of a CSV export as Calc in fr-BE reads them (`;`, a BOM)."""
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_exports_are_formula_safe(sud_client, evaluated):
    rows = csv_rows(sud_client.get(f"/admin/events/{evaluated.id}/evaluation.csv"))
    assert rows[0] == ["Réponses", "Question", "Réponse", "Nombre"]
    takeaway = "Qu'en retenez-vous ?"
    assert [r for r in rows if r[1] == takeaway] == [
        ["Liens personnels", takeaway, "'=HYPERLINK(\"x\") C'était très riche en échanges.", ""]
    ]
    book = load_workbook(
        io.BytesIO(sud_client.get(f"/admin/events/{evaluated.id}/evaluation.xlsx").data)
    )
    cells = [c for row in book.active.iter_rows() for c in row]
    (trap,) = [c for c in cells if c.value == '=HYPERLINK("x") C\'était très riche en échanges.']
    assert trap.data_type == "s"  # a string cell: text by its type, no apostrophe shown
    assert not any(c.data_type == "f" for c in cells)


def test_exports_give_counts_per_question_never_an_answers_row(sud_client, evaluated):
    rows = csv_rows(sud_client.get(f"/admin/events/{evaluated.id}/evaluation.csv"))
    usefulness = "Cette rencontre vous a-t-elle été utile ?"
    counts = {r[2]: r[3] for r in rows if r[1] == usefulness}
    assert counts == {
        **{str(v): str(SCORES.count(v)) for v in range(1, 6)},
        "Moyenne (1 à 5)": str(round(sum(SCORES) / len(SCORES), 2)).replace(".", ","),
    }
    sectors = {r[2]: r[3] for r in rows if r[1] == "Votre secteur (facultatif)"}
    assert sectors["Social"] == "4" and sectors["Hôpital"] == "2"
    assert not any(local_today().isoformat() in cell for row in rows for cell in row)


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
        data={
            "text_id": results.text_handle(answer.id, "takeaway"),
            "key": "takeaway",
            "text": "x",
        },
    )
    assert refused.status_code == 404
    assert results.quotes(evaluated.id) == []


def figure(body, name):
    return body.split(f'data-figure="{name}">', 1)[1].split("<", 1)[0]


def group_part(body, channel):
    """The part of the results page that shows one group of answers."""
    return body.split(f'<div data-group="{channel}">', 1)[1].split('<div data-group="', 1)[0]


REAL = [
    {
        "q_usefulness": "1",
        "q_takeaway": "Réponse réelle, bloc opératoire",
        "q_sector_group": "hopital",
    },
    {"q_usefulness": "2", "q_takeaway": "Réponse réelle, CPAS", "q_sector_group": "social"},
]
PADDING = {"q_usefulness": "5", "q_takeaway": "Rempli par l'équipe", "q_sector_group": "hopital"}


@pytest.fixture
def meeting(make_event):
    """An ended concertation of Bassin Sud; its 2 invited people answer by their links."""
    from datetime import timedelta

    event = make_event(start=(utcnow() - timedelta(days=2)).replace(microsecond=0))
    for n in range(2):
        db.session.add(
            Registration(event_id=event.id, status="confirmed", email=f"real{n}@example.org")
        )
    db.session.commit()
    jobs.send_evaluations()
    return event


def by_open_link(app, event, values, address):
    """A post to the event's open link from a fresh browser at `address`."""
    token = db.session.scalar(
        select(EvaluationForm.open_token).where(EvaluationForm.event_id == event.id)
    )
    browser = app.test_client()
    return browser.post(
        f"/evaluations/open/{token}", data=values, environ_base={"REMOTE_ADDR": address}
    )


def test_answers_padded_through_the_open_link_never_show_the_invited_ones(app, sud_client, meeting):
    for invitation, values in zip(db.session.scalars(select(Invitation)).all(), REAL, strict=True):
        assert (
            app.test_client().post(f"/evaluations/{invitation.token}", data=values).status_code
            == 200
        )
    url = f"/admin/events/{meeting.id}/evaluation"
    # The team adds 3 answers through its own QR code: 2 real + 3 = 5.
    for n in range(3):
        assert by_open_link(app, meeting, PADDING, f"198.51.100.{n + 1}").status_code == 200
    page = sud_client.get(url).text
    assert "Réponse réelle" not in page and "data-question" not in page
    assert figure(page, "answered") == "2" and figure(page, "open-answered") == "3"
    assert "Réponses reçues par ce lien : 3." in page
    assert sud_client.get(f"{url}.csv").status_code == 404
    assert sud_client.get(f"{url}.xlsx").status_code == 404
    # Two more: the open link's own 5 answers are shown, apart; the 2 real ones still not.
    for n in range(3, 5):
        assert by_open_link(app, meeting, PADDING, f"198.51.100.{n + 1}").status_code == 200
    page = sud_client.get(url).text
    assert 'data-results="hidden"' in group_part(page, "invited")
    assert "Rempli par l&#39;équipe" in group_part(page, "open_link")
    assert "Réponse réelle" not in page
    rows = csv_rows(sud_client.get(f"{url}.csv"))
    assert {row[0] for row in rows[1:]} == {"Lien ouvert"}
    assert not any("Réponse réelle" in cell for row in rows for cell in row)
    usefulness = {r[2]: r[3] for r in rows if r[1] == "Cette rencontre vous a-t-elle été utile ?"}
    assert usefulness["5"] == "5" and usefulness["1"] == "0" and usefulness["2"] == "0"


def test_a_sector_filter_is_hidden_when_the_rest_of_its_group_is_under_five(sud_client, make_event):
    from datetime import timedelta

    event = make_event(start=(utcnow() - timedelta(days=2)).replace(microsecond=0))
    invitations.open_form(event)
    for n in range(7):  # 5 from hospitals, 2 from social services: all = 7, hopital = 5
        sector = "hopital" if n < 5 else "social"
        values = {"usefulness": str(1 + n % 5), "sector_group": sector}
        if sector == "social":
            values["takeaway"] = f"Texte social {n}"
        db.session.add(Answer(event_id=event.id, day=local_today(), values=values))
    db.session.commit()
    url = f"/admin/events/{event.id}/evaluation"
    assert 'data-question="usefulness"' in sud_client.get(url).text
    for sector in ("hopital", "social"):
        page = sud_client.get(f"{url}?sector={sector}").text
        assert 'data-results="hidden"' in page and 'data-question="usefulness"' not in page
        assert sud_client.get(f"{url}.csv?sector={sector}").status_code == 404
        assert sud_client.get(f"{url}.xlsx?sector={sector}").status_code == 404
    assert "Ce filtre reste caché" in sud_client.get(f"{url}?sector=hopital").text
    # The whole: its texts never in a row with a sector or a day.
    rows = csv_rows(sud_client.get(f"{url}.csv"))
    texts = [row for row in rows if row[2].startswith("Texte social")]
    assert sorted(row[2] for row in texts) == ["Texte social 5", "Texte social 6"]
    for row in texts:
        assert row == ["Liens personnels", "Qu'en retenez-vous ?", row[2], ""]
    book = load_workbook(io.BytesIO(sud_client.get(f"{url}.xlsx").data))
    for row in book.active.iter_rows(values_only=True):
        if str(row[2]).startswith("Texte social"):
            assert row[0] == "Liens personnels" and not row[3]


def test_the_series_trend_shows_each_channels_mean_only_from_five_answers(sud_client, make_event):
    from datetime import timedelta

    start = (utcnow() - timedelta(days=9)).replace(microsecond=0)
    first = make_event(start=start, series_slug="trend", series_number=1)
    second = make_event(start=start + timedelta(days=7), series_slug="trend", series_number=2)
    invitations.open_form(second)
    rows = [(first, "invited", 4)] * 5 + [(first, "open_link", 1)] * 2 + [(second, "invited", 2)]
    for meeting, channel, score in rows:
        db.session.add(
            Answer(
                event_id=meeting.id,
                day=local_today(),
                channel=channel,
                values={"usefulness": str(score)},
            )
        )
    db.session.commit()
    page = sud_client.get(f"/admin/events/{second.id}/evaluation").text
    trend = page.split('id="evaluation-trend"', 1)[1].split("</table>", 1)[0]
    cells = [c.split("<", 1)[0] for c in trend.split('<td class="number">')[1:]]
    assert cells == ["5", "4.0", "2", "caché", "1", "caché", "0", "caché"]


def test_three_sector_views_never_single_out_the_few_by_difference(sud_client, make_event):
    from datetime import timedelta

    event = make_event(start=(utcnow() - timedelta(days=2)).replace(microsecond=0))
    invitations.open_form(event)
    # all = 15: hopital 5, social 9, one without a sector. The rest of each view is 10 and 6
    # answers, yet all - hopital - social would be the one alone: hopital stays hidden.
    sectors = ["hopital"] * 5 + ["social"] * 9 + [None]
    for n, sector in enumerate(sectors):
        values = {"usefulness": str(1 + n % 5)}
        if sector:
            values["sector_group"] = sector
        db.session.add(Answer(event_id=event.id, day=local_today(), values=values))
    db.session.commit()
    url = f"/admin/events/{event.id}/evaluation"
    assert 'data-question="usefulness"' in sud_client.get(f"{url}?sector=social").text
    assert 'data-question="usefulness"' not in sud_client.get(f"{url}?sector=hopital").text
    assert sud_client.get(f"{url}.csv?sector=hopital").status_code == 404
    assert results.shown_sectors(results.answers_of(event.id)) == {"social"}


def test_a_trimmed_quote_is_kept_with_at_most_the_sector(sud_client, evaluated):
    answer = db.session.scalar(select(Answer).where(Answer.values["takeaway"].is_not(None)))
    page = sud_client.get(f"/admin/events/{evaluated.id}/evaluation").text
    text_id = results.text_handle(answer.id, "takeaway")
    assert f"quote={text_id}:takeaway" in page and answer.id not in page
    # 4 social and 2 hopital answers: no sector view is shown, so a quote names none.
    assert results.quote_sector(answer) is None
    # 5 and 5: both sector views are shown; the quote may name its sector.
    for sector in ("social", "hopital", "hopital", "hopital"):
        db.session.add(
            Answer(event_id=evaluated.id, day=local_today(), values={"sector_group": sector})
        )
    db.session.commit()
    posted = sud_client.post(
        f"/admin/events/{evaluated.id}/evaluation/quotes",
        data={"text_id": text_id, "key": "takeaway", "text": "C'était très riche en échanges."},
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
        data={"text_id": text_id, "key": "takeaway", "text": "Formidable !"},
    )
    assert invented.status_code == 404
    assert results.quotes(evaluated.id) == [("C'était très riche en échanges.", "social")]


def test_a_text_of_a_group_under_five_cannot_be_quoted(app, sud_client, meeting):
    real = db.session.scalars(select(Invitation)).all()
    for invitation, values in zip(real, REAL, strict=True):
        app.test_client().post(f"/evaluations/{invitation.token}", data=values)
    for n in range(5):  # the open link's group is shown, the 2 invited answers are not
        by_open_link(app, meeting, PADDING, f"198.51.100.{n + 1}")
    hidden = db.session.scalar(select(Answer).where(Answer.channel == "invited"))
    posted = sud_client.post(
        f"/admin/events/{meeting.id}/evaluation/quotes",
        data={
            "text_id": results.text_handle(hidden.id, "takeaway"),
            "key": "takeaway",
            "text": "Réponse réelle",
        },
    )
    assert posted.status_code == 404
    assert results.quotes(meeting.id) == []
