"""Writing a report without losing anything (issue 23): each field empty or wrong is a
message beside it with every other value kept and nothing written; the draft starts from
the attendance, the kind of event's parts and the series' next meeting; formatted text is
Markdown in a safe subset, never HTML of the staff's own."""

from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from tests.admin.test_reports import audit_actions, form, meeting, report_of
from webapp.agenda.reports import Report
from webapp.extensions import db
from webapp.timezones import utcnow

# What each test posts besides the field it spoils: all of it must come back in the page.
KEPT = {
    "participants_count": "12",
    "sector_hopital": "4",
    "sector_social": "8",
    "presentation_url": "https://example.org/support.pdf",
    "sections-0-title_fr": "Pistes d'actions",
    "sections-0-text_fr": "Renforcer les trajets de sortie.",
    "sections-1-title_fr": "Veille des besoins",
    "sections-1-title_nl": "Noden",
    "sections-1-text_fr": "Des retours à domicile précipités.",
    "quotes-0-text": "On se parle enfin.",
}


def assert_kept(html, spoiled):
    for name, value in KEPT.items():
        if name == spoiled:
            continue
        if name.endswith("text_fr") or name.endswith("text_nl"):
            assert f'name="{name}"' in html
            assert value in unescape(html), name
        else:
            assert f'name="{name}" type="text" value="{value}"' in unescape(html), name


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("participants_count", "", "Indiquez un nombre"),
        ("participants_count", "   ", "Indiquez un nombre"),
        ("participants_count", "onze", "Indiquez un nombre entier"),
        ("participants_count", "-1", "Indiquez un nombre entier"),
        ("participants_count", "3.5", "Indiquez un nombre entier"),
        ("sector_hopital", "quatre", "Indiquez un nombre entier"),
        ("sector_social", "99999999999", "Indiquez un nombre entier"),
        ("presentation_url", "ftp://example.org/x.pdf", "adresse web"),
        ("presentation_url", "javascript:alert(1)", "adresse web"),
        ("sections-0-title_fr", "", "titre en français"),
        ("sections-1-title_fr", "x" * 201, "caractères au plus"),
        ("sections-0-text_fr", "t" * 10001, "caractères au plus"),
        ("sections-0-position", "deux", "Indiquez un nombre entier"),
        ("quotes-0-text", "q" * 301, "caractères au plus"),
        ("quotes-0-sector_group", "inconnu", "secteur de la liste"),
    ],
)
def test_each_field_wrong_is_a_message_beside_it_and_the_rest_is_kept(
    sud_client, make_event, name, value, message
):
    event = meeting(make_event)
    response = sud_client.post(f"/admin/events/{event.id}/report", data=form(**{name: value}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split(f'id="{name}-error">', 1)[1].split("</p>", 1)[0]
    assert message in unescape(error)
    assert_kept(html, name)
    assert report_of(event) is None
    assert audit_actions() == []


@pytest.mark.parametrize(
    "name",
    ["sector_hopital", "presentation_url", "report_url", "sections-1-title_nl", "quotes-0-text"],
)
def test_optional_fields_left_empty_save(sud_client, make_event, name):
    event = meeting(make_event)
    response = sud_client.post(f"/admin/events/{event.id}/report", data=form(**{name: ""}))
    assert response.status_code == 303
    assert report_of(event).participants_count == 12


def test_zero_participants_is_a_count(sud_client, make_event):
    event = meeting(make_event)
    response = sud_client.post(
        f"/admin/events/{event.id}/report",
        data=form(participants_count="0", sector_hopital="", sector_social=""),
    )
    assert response.status_code == 303
    assert report_of(event).participants_count == 0


def test_a_concertation_starts_with_its_three_parts_and_the_save_the_date(sud_client, make_event):
    event = meeting(make_event)
    event.series = None
    start = event.start_at
    past = make_event(
        "Concertation liaison #3", start=start, series_slug="liaison-sud", kind="concertation"
    )
    following = make_event(
        "Concertation liaison #4",
        start=(utcnow() + timedelta(days=40)).replace(microsecond=0),
        series_slug="liaison-sud",
    )
    html = unescape(sud_client.get(f"/admin/events/{past.id}/report").get_data(as_text=True))
    for title in (
        "Veille des besoins de la population",
        "Constats et ajustements de l'offre",
        "Actions à mener collectivement et perspectives",
    ):
        assert f'value="{title}"' in html
    assert f'data-next-event="{following.id}"' in html
    assert f"/events/{following.id}" in html
    # Saved as it comes (titles with no text yet): a draft, nothing of it public.
    data = {
        "participants_count": "11",
        "sections-0-title_fr": "Veille des besoins de la population",
        "sections-0-text_fr": "",
        "sections-1-title_fr": "Constats et ajustements de l'offre",
        "sections-1-text_fr": "Des **données** sur l'hospitalisation.",
        "action": "publish",
    }
    assert sud_client.post(f"/admin/events/{past.id}/report", data=data).status_code == 303
    report = report_of(past)
    assert [s.title_fr for s in report.sections] == [
        "Veille des besoins de la population",
        "Constats et ajustements de l'offre",
    ]
    page = sud_client.get(f"/events/{past.id}").get_data(as_text=True)
    assert "Veille des besoins de la population" not in page  # no text yet: not shown
    assert "Des <strong>données</strong> sur l&#39;hospitalisation." in page or (
        "Des <strong>données</strong> sur l'hospitalisation." in page
    )
    assert "Save the date" in page and f"/events/{following.id}" in page


def test_an_atelier_du_changement_starts_with_numbered_discussion_tables(sud_client, make_event):
    start = (utcnow() - timedelta(days=3)).replace(microsecond=0)
    event = make_event("Atelier du changement", start=start, kind="atelier-du-changement")
    html = sud_client.get(f"/admin/events/{event.id}/report").get_data(as_text=True)
    for number in (1, 2, 3):
        assert f'value="Table de discussion {number}"' in html
    data = {
        "participants_count": "15",
        "sections-0-position": "2",
        "sections-0-title_fr": "Insécurité alimentaire",
        "sections-0-text_fr": "Co-construire avec les bénéficiaires.",
        "sections-1-position": "1",
        "sections-1-title_fr": "Liaison ambulatoire-hôpital",
        "sections-1-text_fr": "Un manque d'**anticipation**.",
        "action": "publish",
    }
    assert sud_client.post(f"/admin/events/{event.id}/report", data=data).status_code == 303
    page = sud_client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Éléments issus des tables de discussion" in page
    assert 'class="report-sections report-tables"' in page
    assert page.index("Liaison ambulatoire-hôpital") < page.index("Insécurité alimentaire")


class Elements(HTMLParser):
    """Every element of an HTML fragment with its attributes, as a browser would read it."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


# Attack strings typed in a part's text: none may come out as markup of its own.
ATTACKS = [
    "<script>alert(1)</script>",
    "[clic](javascript:alert(1))",
    "[clic](JAVASCRIPT:alert(1))",
    "[clic](  javascript:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](vbscript:msgbox)",
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    '<img src=x onerror="alert(1)">',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<iframe src=https://evil.example></iframe>",
    '[x](https://example.org "t" onmouseover="alert(1)")',
    "<svg onload=alert(1)>",
    "**gras** <b onmouseover=alert(1)>x</b>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_formatted_text_never_carries_html_of_its_own(sud_client, make_event, client, attack):
    event = meeting(make_event)
    data = form(action="publish", **{"sections-0-text_fr": f"Avant.\n\n{attack}\n\nAprès."})
    assert sud_client.post(f"/admin/events/{event.id}/report", data=data).status_code == 303
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    parts = [p.split("</div>", 1)[0] for p in html.split('class="report-text"')[1:]]
    (part,) = [p for p in parts if "Avant." in p]
    tags = Elements()
    tags.feed(part[1:])
    for tag, attributes in tags.found:
        assert tag in {"p", "br", "strong", "em", "ul", "ol", "li", "a"}, (attack, part)
        for name, value in attributes:
            assert (tag, name) in {("a", "href"), ("a", "rel")}, (attack, part)
            if name == "href":
                assert value.startswith(("https://", "http://", "mailto:")), (attack, part)
    assert "<p>Avant.</p>" in part and "<p>Après.</p>" in part


def test_the_safe_subset_is_kept(sud_client, make_event, client):
    event = meeting(make_event)
    text = (
        "Un **constat** et une *nuance*.\n\n"
        "- Renforcer la [coordination](https://example.org/coordination)\n"
        "- Clarifier les rôles\n\n"
        "1. premier\n2. second"
    )
    data = form(action="publish", **{"sections-0-text_fr": text})
    assert sud_client.post(f"/admin/events/{event.id}/report", data=data).status_code == 303
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<strong>constat</strong>" in html and "<em>nuance</em>" in html
    assert '<a href="https://example.org/coordination" rel="noopener nofollow">' in html
    assert "<li>Clarifier les rôles</li>" in html
    assert "<ol>" in html and "<li>second</li>" in html
    api = client.get(f"/api/v1/events/{event.id}").get_json()
    section = api["report"]["sections"][1]
    assert section["text"] == text and "<strong>constat</strong>" in section["html"]


def test_a_refused_save_writes_no_report_row(sud_client, make_event):
    event = meeting(make_event)
    sud_client.post(f"/admin/events/{event.id}/report", data=form(participants_count=""))
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


@pytest.mark.parametrize(
    "quote",
    [
        "Merci à P pour l'accueil, et à 3 aussi",  # too short to be a name: kept
        "Le relais social manque encore.",
    ],
)
def test_a_quote_naming_nobody_is_kept(sud_client, make_event, quote):
    event = meeting(make_event)
    response = sud_client.post(
        f"/admin/events/{event.id}/report", data=form(**{"quotes-0-text": quote})
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    "quote",
    [
        "Comme l'a dit Dupont, on se parle enfin.",
        "Écrivez à anne.dupont@example.org pour la suite.",
        "DUPONT a raison.",
    ],
)
def test_a_quote_naming_a_registrant_or_an_address_is_refused(sud_client, make_event, quote):
    from webapp.registrations.models import Registration

    event = meeting(make_event)
    db.session.add(
        Registration(
            event_id=event.id,
            status="confirmed",
            first_name="Anne",
            last_name="Dupont",
            email="anne.dupont@example.org",
            sector="cpas",
        )
    )
    db.session.commit()
    response = sud_client.post(
        f"/admin/events/{event.id}/report", data=form(**{"quotes-0-text": quote})
    )
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert "Une citation ne nomme personne" in html.split('id="quotes-0-text-error">', 1)[1]
    assert_kept(html, "quotes-0-text")
    assert report_of(event) is None
