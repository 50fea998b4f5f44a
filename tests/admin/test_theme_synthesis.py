"""The theme synthesis as seed 000 (issue 23 point 4): composed by an admin from the items
of the meetings' reports (picked, then edited), figures computed, the table of themes ×
bassins, perspectives, a link to each meeting's report and one per bassin; a draft until
published; bad input is a message beside its field with the rest kept."""

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from tests.factories import morning_in, series
from webapp.agenda import report_operations as ops
from webapp.agenda.report_operations import Section
from webapp.agenda.reports import ThemeSynthesis
from webapp.audit import IMPORT, AuditEntry
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work

THEME = "liaison-ambulatoire-hopital"
BASSINS = {"sud": "Sud", "nord": "Nord", "nord-est": "Nord-Est"}
NEEDS = (
    "- **RGPD** : le partage d'information est freiné.\n"
    "- **Sorties précipitées** : retours à domicile mal préparés."
)
ACTIONS = "- **Co-construire des trajets de sortie** avec un service hospitalier."


@pytest.fixture
def theme_year(make_event):
    """Three meetings of the theme on one day (one per bassin), two with published reports."""
    day = morning_in(days=-2)
    meetings = []
    for hour, (slug, name) in enumerate(BASSINS.items()):
        series(f"{slug}-liaison", f"Liaison ambulatoire-hôpital – Bassin {name}", (slug,), THEME)
        db.session.commit()
        meetings.append(
            make_event(
                f"Concertation liaison {name} #4",
                start=day + timedelta(hours=hour),
                hours=1,
                bassins=(slug,),
                series_slug=f"{slug}-liaison",
            )
        )
    sectors = [{"hopital": 5, "social": 3}, {"sante-mentale": 4, "hopital": 1}]
    for event, groups, text in zip(meetings, sectors, (NEEDS, ACTIONS), strict=False):
        with unit_of_work("test"):
            ops.save_draft(
                event.id,
                {
                    "participants_count": sum(groups.values()),
                    "participant_sectors": groups,
                    "sections": [Section("Veille des besoins de la population", text)],
                },
                IMPORT,
            )
            ops.publish(event.id, IMPORT)
    db.session.expire_all()
    return day.year, meetings


def url(year):
    return f"/admin/themes/{THEME}/{year}"


def test_the_draft_starts_with_the_standing_sentences_and_lists_the_items(admin_client, theme_year):
    year, meetings = theme_year
    html = unescape(admin_client.get(url(year)).get_data(as_text=True))
    assert "Les concertations thématiques des bassins visent à suivre les actualités" in html
    assert "se poursuivent dans les 3 bassins" in html
    assert f"des concertations de {year + 1}" in html
    assert f'value="{meetings[0].id}-1-1"' in html and f'value="{meetings[0].id}-1-2"' in html
    assert f'value="{meetings[1].id}-1-1"' in html
    assert f'value="{meetings[2].id}-' not in html  # no report
    assert "2 rencontres ont eu lieu" not in html and "3 rencontres ont eu lieu" in html


def test_items_picked_join_a_part_and_nothing_else_is_lost(admin_client, theme_year):
    year, meetings = theme_year
    data = {
        "text_fr": "Une introduction retouchée.",
        "needs_fr": "- **Déjà là** : un point écrit.",
        "item": [f"{meetings[0].id}-1-1", f"{meetings[0].id}-1-2", "999-1-1"],
        "add_to": "needs",
        "themes-0-label_fr": "Préparation de la sortie",
        "themes-0-bassins": ["sud", "nord"],
    }
    response = admin_client.post(url(year), data=data)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    needs = html.split('name="needs_fr"', 1)[1].split("</textarea>", 1)[0]
    assert needs.endswith(
        "- **Déjà là** : un point écrit.\n"
        "- **RGPD** : le partage d'information est freiné.\n"
        "- **Sorties précipitées** : retours à domicile mal préparés."
    )
    assert "Une introduction retouchée." in html
    assert 'value="Préparation de la sortie"' in html
    assert db.session.scalar(select(func.count()).select_from(ThemeSynthesis)) == 0


def compose(year, **changes):
    data = {
        "text_fr": "Les concertations thématiques des bassins visent à suivre les actualités.",
        "needs_fr": NEEDS,
        "actions_fr": ACTIONS,
        "actions_nl": "- **Samen ontslagtrajecten uitwerken**.",
        "perspectives_fr": "Les concertations se poursuivent dans les 3 bassins.",
        "themes-0-position": "2",
        "themes-0-label_fr": "Soutien aux aidant·es proches",
        "themes-0-bassins": ["nord-est", "sud"],
        "themes-1-position": "1",
        "themes-1-label_fr": "Préparation de la sortie d'hôpital",
        "themes-1-label_nl": "Voorbereiding van het ontslag",
        "themes-1-bassins": ["sud", "nord", "nord-est"],
        "themes-2-label_fr": "",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_composed_saved_then_published_as_seed_000(admin_client, client, theme_year):
    year, meetings = theme_year
    assert admin_client.post(url(year), data=compose(year)).status_code == 303
    public = f"/themes/{THEME}/{year}"
    draft = client.get(public).get_data(as_text=True)
    assert "RGPD" not in draft and "pas encore publiée" in draft
    preview = admin_client.get(f"{url(year)}/preview").get_data(as_text=True)
    assert "<strong>RGPD</strong>" in preview and "Aperçu" in preview
    response = admin_client.post(url(year), data=compose(year, action="publish"))
    assert response.status_code == 303
    html = unescape(client.get(public).get_data(as_text=True))
    assert f"<h1>Liaison ambulatoire-hôpital — synthèse {year}</h1>" in html
    assert (
        f"organisées dans les 3 bassins d'aide et de soins en Région bruxelloise en {year}" in html
    )
    assert "3 rencontres ont eu lieu autour de cette thématique" in html
    # Sectors of both reports, most represented first: hôpital 6, santé mentale 4, social 3.
    sectors = html.split('class="theme-sectors">', 1)[1].split("</span>", 1)[0]
    assert sectors.index("hôpital") < sectors.index("santé mentale") < sectors.index("social")
    for heading in (
        "Veille des besoins",
        "Pistes d'actions",
        "Thématiques identifiées",
        "Perspectives",
        "Dans chaque bassin",
    ):
        assert f">{heading}</h2>" in html
    assert "<li><strong>RGPD</strong> : le partage d'information est freiné.</li>" in html
    rows = html.split('class="theme-table"', 1)[1].split("</table>", 1)[0]
    assert rows.index("Préparation de la sortie") < rows.index("Soutien aux aidant·es")
    assert "<td>Tous</td>" in rows and "<td>NE, S</td>" in rows
    for event in meetings[:2]:
        assert f'/events/{event.id}#report-heading"' in html
    assert f'/events/{meetings[2].id}#report-heading"' not in html  # no report
    for slug in BASSINS:
        assert f'/series/{slug}-liaison"' in html
    assert (
        "Concertation liaison Sud #4" in html and "Veille des besoins de la population" not in html
    )
    # Dutch: what was written in Dutch, the rest in French marked so.
    nl = client.get(f"{public}?lang=nl").get_data(as_text=True)
    assert "Samen ontslagtrajecten uitwerken" in nl
    assert 'class="report-text" lang="fr"><ul>\n<li><strong>RGPD' in nl
    assert "<td>Voorbereiding van het ontslag</td>" in nl
    assert '<td lang="fr">Soutien aux aidant·es proches</td>' in nl
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("theme.%")).order_by(AuditEntry.id)
    ).all()
    assert actions == ["theme.synthesis_saved", "theme.synthesis_published"]
    # Taken back: a draft again.
    assert admin_client.post(url(year), data={"action": "unpublish"}).status_code == 303
    assert "RGPD" not in client.get(public).get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        (
            {"themes-0-label_fr": "", "themes-0-label_nl": "Mantelzorgers"},
            "themes-0-label_fr",
            "thématique en français",
        ),
        ({"themes-0-bassins": ["sud", "atlantide"]}, "themes-0-bassins", "bassins de la liste"),
        ({"themes-1-label_fr": "x" * 201}, "themes-1-label_fr", "caractères au plus"),
        ({"needs_fr": "bip\x07"}, "needs_fr", "caractère"),
        ({"perspectives_fr": "p" * 30001}, "perspectives_fr", "caractères au plus"),
        ({"themes-0-position": "premier"}, "themes-0-position", "nombre entier"),
    ],
)
def test_bad_input_is_beside_its_field_the_rest_kept_nothing_written(
    admin_client, theme_year, changes, field_id, message
):
    year, _ = theme_year
    response = admin_client.post(url(year), data=compose(year, **changes))
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    error = html.split(f'id="{field_id}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert "Samen ontslagtrajecten uitwerken" in html
    assert 'value="Préparation de la sortie d\'hôpital"' in html or field_id.startswith("themes-1")
    assert db.session.scalar(select(func.count()).select_from(ThemeSynthesis)) == 0


def test_only_admins_compose(sud_client, client, theme_year):
    year, _ = theme_year
    assert sud_client.get(url(year)).status_code == 403
    assert sud_client.post(url(year), data=compose(year)).status_code == 403
    assert sud_client.get(f"{url(year)}/preview").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ThemeSynthesis)) == 0


def test_attack_strings_in_a_part_are_text(admin_client, client, theme_year):
    year, _ = theme_year
    attack = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    data = compose(year, action="publish", needs_fr=f"- **Point** {attack}")
    assert admin_client.post(url(year), data=data).status_code == 303
    html = client.get(f"/themes/{THEME}/{year}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
