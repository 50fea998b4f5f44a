"""A report and a theme synthesis written, previewed and published in Chromium (issue 23),
at 360 and 1280 px: the draft prefilled from the attendance and the series, a quote picked
from the evaluation, a PDF attached, a bad field corrected without losing anything; the
public pages in French and Dutch; the printed report and attendance sheet."""

import subprocess
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, fits, new_context, save_staff, sign_in

pytestmark = pytest.mark.browser

WIDTHS = {"360": {"width": 360, "height": 780}, "1280": {"width": 1280, "height": 900}}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ANSWER = "Enfin un lieu où l'hôpital et le domicile se parlent avant la sortie, pas après."
THEME = "liaison-ambulatoire-hopital"


@pytest.fixture(scope="module")
def staff(live_server):
    save_staff(
        live_server,
        ("redaction.sud@bassins-bruxelles.be", "bassin", ("sud",)),
        ("synthese@bassins-bruxelles.be", "admin", ()),
    )
    return "redaction.sud@bassins-bruxelles.be", "synthese@bassins-bruxelles.be"


@pytest.fixture(scope="module")
def past_meetings(live_server):
    """Two past concertations of Bassin Sud's liaison series (one per width), each with 11
    present (and one absent), six evaluation answers, and a meeting of the series to come."""
    from tests.factories import event_factory, morning_in
    from webapp.evaluations import invitations
    from webapp.evaluations.models import Answer
    from webapp.extensions import db
    from webapp.registrations.models import Registration
    from webapp.timezones import local_today

    sectors = ["hopital"] * 4 + ["cpas"] * 3 + ["sante-mentale"] * 2 + ["maison-medicale"] * 2
    found = {}
    with live_server.app.app_context():
        for number, width in enumerate(WIDTHS, start=1):
            event = event_factory(
                title=f"Concertation liaison ambulatoire-hôpital #{10 + number}",
                start=morning_in(days=-3) + timedelta(hours=number),
                hours=1,
                bassins=("sud",),
                series_slug="sud-liaison-ambulatoire-hopital",
            )
            for n, sector in enumerate([*sectors, "logement"]):
                db.session.add(
                    Registration(
                        event_id=event.id,
                        status="confirmed",
                        first_name="P",
                        last_name=f"{width}-{n}",
                        email=f"p{width}-{n}@example.org",
                        sector=sector,
                        attended=n < len(sectors),
                    )
                )
            db.session.commit()
            invitations.open_form(event)
            for n in range(6):
                values = {"usefulness": "5", "sector_group": "hopital"}
                if n == 0:
                    values["takeaway"] = ANSWER
                db.session.add(Answer(event_id=event.id, day=local_today(), values=values))
            db.session.commit()
            found[width] = event.id
        db.session.remove()
    return found


@pytest.fixture(params=list(WIDTHS))
def width(request):
    return request.param


@pytest.fixture
def browser_page(chromium, live_server, width):
    context = new_context(chromium, live_server, WIDTHS[width], timeout=8000)
    yield context.new_page()
    context.close()


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_report_written_previewed_and_published(
    browser_page, live_server, staff, past_meetings, width, tmp_path
):
    page = browser_page
    event_id = past_meetings[width]
    sign_in(page, staff[0])
    page.goto(f"/admin/events/{event_id}/report")
    # Prefilled: the attendance (11 present, their sector groups), the concertation's three
    # parts, the series' next meeting.
    assert page.input_value("#participants_count") == "11"
    assert page.input_value("#sector_hopital") == "4"
    assert page.input_value("#sections-0-title_fr") == "Veille des besoins de la population"
    assert page.input_value("#sections-2-title_fr") == (
        "Actions à mener collectivement et perspectives"
    )
    assert page.locator(".report-save-the-date a").count() == 1
    assert fits(page)
    shoot(page, f"report-form-{width}-prefilled")

    page.fill("#sections-0-text_fr", "**Sorties précipitées** : retours à domicile mal préparés.")
    page.fill(
        "#sections-2-text_fr",
        "- Renforcer la **coordination** en amont\n- Voir la [charte](https://example.org/charte)",
    )
    # A quote picked in one click: the answer and its sector fill a quote row; typed text stays.
    page.get_by_role("button", name="Citer").first.click()
    page.wait_for_load_state()
    assert page.input_value("#quotes-0-text") == ANSWER
    assert page.input_value("#quotes-0-sector_group") == "hopital"
    assert "Sorties précipitées" in page.input_value("#sections-0-text_fr")
    page.fill(
        "#quotes-0-text", "Enfin un lieu où l'hôpital et le domicile se parlent avant la sortie."
    )
    # A bad field and a PDF: the message beside the field, nothing lost, the file kept.
    pdf = tmp_path / "support-liaison.pdf"
    pdf.write_bytes(PDF)
    page.fill("#participants_count", "onze")
    page.set_input_files("#presentation_upload", str(pdf))
    page.get_by_role("button", name="Enregistrer", exact=True).last.click()
    page.wait_for_load_state()
    assert page.locator("#participants_count-error").is_visible()
    assert "nombre entier" in page.locator("#participants_count-error").inner_text()
    assert "Sorties précipitées" in page.input_value("#sections-0-text_fr")
    assert page.input_value("#quotes-0-text").startswith("Enfin un lieu")
    assert "support-liaison.pdf" in page.locator(".report-attachment").inner_text()
    shoot(page, f"report-form-{width}-refused")
    page.fill("#participants_count", "11")
    page.get_by_role("button", name="Enregistrer et voir l'aperçu").click()
    page.wait_for_url(f"**/admin/events/{event_id}/report/preview")
    assert "brouillon" in page.locator(".preview-banner").inner_text()
    report = page.locator(".event-report")
    assert report.locator("strong", has_text="Sorties précipitées").count() == 1
    assert "11 participant·es" in report.inner_text()
    shoot(page, f"report-preview-{width}")
    page.get_by_role("link", name="Retour au compte rendu").click()
    page.get_by_role("button", name="Enregistrer et publier").click()
    page.wait_for_load_state()
    assert "Publié" in page.locator(".report-state").inner_text()

    # The public page, in French then in Dutch.
    public = page.context.browser.new_context(
        viewport=WIDTHS[width], locale="fr-BE", base_url=live_server.url
    )
    visitor = public.new_page()
    visitor.goto(f"/events/{event_id}")
    section = visitor.locator(".event-report")
    text = section.inner_text()
    assert "Retour sur la rencontre" in visitor.locator("#report-heading").inner_text()
    assert "11 participant·es" in text
    assert "Veille des besoins de la population" in text
    assert "Constats et ajustements" not in text  # left without text: not published
    assert section.locator("figcaption").first.inner_text() == "Hôpital"
    link = section.locator(".report-links a").first
    assert link.inner_text() == "Voir le support de présentation"
    served = visitor.request.get(urlsplit(link.get_attribute("href")).path)  # BASE_URL's host
    assert served.headers["content-type"] == "application/pdf" and served.body() == PDF
    assert section.locator(".report-save-the-date a").count() == 1
    assert fits(visitor)
    shoot(visitor, f"report-public-{width}-fr")
    visitor.goto(f"/events/{event_id}?lang=nl")
    assert visitor.locator("#report-heading").inner_text() != "Retour sur la rencontre"
    assert visitor.locator('.event-report .report-text[lang="fr"]').count() == 2
    shoot(visitor, f"report-public-{width}-nl")
    public.close()


def test_the_synthesis_composed_and_published(
    browser_page, live_server, staff, past_meetings, width
):
    from webapp.agenda.models import Event
    from webapp.timezones import to_local

    page = browser_page
    year = to_local(
        live_server.scalar(
            __import__("sqlalchemy").select(Event.start_at).where(Event.id == past_meetings[width])
        )
    ).year
    sign_in(page, staff[1])
    page.goto(f"/admin/themes/{THEME}/{year}")
    unpublish = page.get_by_role("button", name="Retirer la publication")
    if unpublish.count():  # the demo's synthesis (or the other width's run): a draft again
        unpublish.click()
        page.wait_for_load_state()
        assert "Brouillon" in page.locator(".report-state").inner_text()
    assert fits(page)
    shoot(page, f"synthesis-form-{width}")
    items = page.locator(".synthesis-items input[type=checkbox]")
    assert items.count() >= 2
    items.nth(0).check()
    items.nth(1).check()
    page.get_by_role("button", name="Ajouter à la veille des besoins").click()
    page.wait_for_load_state()
    needs = page.input_value("#needs_fr")
    assert needs.count("\n- ") >= 1 and needs.startswith("- ")
    page.fill("#themes-0-label_fr", "Préparation de la sortie d'hôpital")
    for name in (
        "Bassin Centre-Ouest",
        "Bassin Nord",
        "Bassin Nord-Est",
        "Bassin Sud",
        "Bassin Sud-Est",
    ):
        page.locator("fieldset.report-row").nth(0).get_by_label(name, exact=True).check()
    page.fill("#themes-1-label_fr", "Soutien aux aidant·es proches")
    page.locator("fieldset.report-row").nth(1).get_by_label("Bassin Sud", exact=True).check()
    page.fill("#actions_fr", "- **Co-construire des trajets de sortie** renforcés.")
    page.get_by_role("button", name="Enregistrer et publier").click()
    page.wait_for_load_state()
    assert "Synthèse publiée" in page.content() or "Publiée" in page.content()

    visitor_context = page.context.browser.new_context(
        viewport=WIDTHS[width], locale="fr-BE", base_url=live_server.url
    )
    visitor = visitor_context.new_page()
    visitor.goto(f"/themes/{THEME}/{year}")
    assert visitor.locator("h1").inner_text() == f"Liaison ambulatoire-hôpital — synthèse {year}"
    assert "rencontres ont eu lieu autour de cette thématique" in visitor.content()
    rows = visitor.locator(".theme-table tbody tr")
    assert rows.nth(0).inner_text().split("\t")[-1].strip() == "Tous"
    assert visitor.locator(".theme-meetings li").count() >= 2
    assert visitor.locator(".theme-bassins li").count() == 5
    assert fits(visitor)
    shoot(visitor, f"synthesis-public-{width}-fr")
    visitor.goto(f"/themes/{THEME}/{year}?lang=nl")
    assert visitor.locator('.report-text[lang="fr"]').count() >= 2
    shoot(visitor, f"synthesis-public-{width}-nl")
    visitor_context.close()


def pdf_pages(pdf_bytes, tmp_path, mode="-layout"):
    """The text of each page of a PDF, as pdftotext reads it (`-raw`: in the order it was
    written, so a caption beside a table is not cut by the table's lines)."""
    path = tmp_path / "printed.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(
        ["pdftotext", mode, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return text.split("\f")


def test_the_attendance_sheet_shares_page_one_with_its_qr_code(
    chromium, live_server, staff, tmp_path
):
    from tests.factories import event_factory, morning_in
    from webapp.extensions import db
    from webapp.registrations.models import Registration

    with live_server.app.app_context():
        event = event_factory(
            title="Concertation très suivie", start=morning_in(days=2), bassins=("sud",)
        )
        for n in range(45):
            db.session.add(
                Registration(
                    event_id=event.id,
                    status="confirmed",
                    first_name="Prénom",
                    last_name=f"Nom{n:02d}",
                    email=f"sheet{n}@example.org",
                    sector="cpas",
                )
            )
        db.session.commit()
        event_id = event.id
        db.session.remove()
    context = chromium.new_context(base_url=live_server.url, locale="fr-BE")
    page = context.new_page()
    sign_in(page, staff[0])
    page.goto(f"/admin/events/{event_id}/attendance-sheet")
    page.wait_for_load_state("networkidle")
    pdf = page.pdf(format="A4", print_background=True)
    context.close()
    pages = [" ".join(p.split()) for p in pdf_pages(pdf, tmp_path, "-raw") if p.strip()]
    assert len(pages) >= 2  # 45 people and the walk-in rows: more than one sheet
    assert "scannez ce code" in pages[0] and "Nom00" in pages[0]
    assert all("scannez ce code" not in p for p in pages[1:])
    png = tmp_path / "sheet"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "printed.pdf"),
            str(png),
        ],
        check=True,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "attendance-sheet-page1.png").write_bytes(
        next(tmp_path.glob("sheet*.png")).read_bytes()
    )


def test_a_printed_report_keeps_each_quote_with_its_attribution_and_prints_addresses(
    chromium, live_server, tmp_path
):
    from tests.factories import event_factory, morning_in
    from webapp.agenda import report_operations as ops
    from webapp.agenda.report_operations import Quote, Section
    from webapp.audit import IMPORT
    from webapp.extensions import db
    from webapp.unit_of_work import unit_of_work

    quotes = [
        Quote(f"Citation numéro {n} : " + "on se parle enfin, " * 8, "social") for n in range(12)
    ]
    with live_server.app.app_context():
        event = event_factory(
            title="Concertation imprimée", start=morning_in(days=-5), bassins=("sud",)
        )
        with unit_of_work("test"):
            ops.save_draft(
                event.id,
                {
                    "participants_count": 9,
                    "sections": [
                        Section(
                            "Constats",
                            "Voir la [charte](https://example.org/charte).\n\n" + "Texte. " * 300,
                        )
                    ],
                    "quotes": quotes,
                },
                IMPORT,
            )
            ops.publish(event.id, IMPORT)
        event_id = event.id
        db.session.remove()
    context = chromium.new_context(base_url=live_server.url, locale="fr-BE")
    page = context.new_page()
    page.goto(f"/events/{event_id}")
    page.emulate_media(media="print")
    after = page.locator(".report-text a").first.evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert "https://example.org/charte" in after
    pdf = page.pdf(format="A4")
    context.close()
    pages = pdf_pages(pdf, tmp_path)
    assert len([p for p in pages if p.strip()]) >= 2
    assert "(https://example.org/charte)" in "".join(pages)
    for n in range(12):
        holding = [p for p in pages if f"Citation numéro {n} " in p]
        assert len(holding) == 1, n
        # The attribution printed on the same page, right after the quote's words.
        after_quote = holding[0].split(f"Citation numéro {n} ", 1)[1]
        assert "Social" in after_quote.split("Citation numéro", 1)[0], n
