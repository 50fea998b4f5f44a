"""Reports of meetings: the operations (one audit line each, order kept, checks) and what
the public sees (published only: event page, series page, API, theme page)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.agenda import report_operations as ops
from webapp.agenda.report_operations import Quote, ReportRefused, Section
from webapp.agenda.reports import Report, ReportQuote, ReportSection
from webapp.audit import IMPORT, AuditEntry
from webapp.extensions import db
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

ACTOR = IMPORT


def audit_actions():
    return db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("report.%")).order_by(AuditEntry.id)
    ).all()


def past(make_event, title, days=20, **fields):
    return make_event(
        title, start=(utcnow() - timedelta(days=days)).replace(microsecond=0), **fields
    )


def content(**changes):
    data = {
        "participants_count": 14,
        "participant_sectors": {"hopital": 5, "social": 9},
        "figures_source": "attendance",
        "presentation_url": "https://example.org/support.pdf",
        "report_url": None,
        "sections": [
            Section("Veille des besoins", "Sorties d'hospitalisation précipitées.", "Noden", None),
            Section("Pistes d'actions", "Renforcer les trajets de sortie."),
        ],
        "quotes": [
            Quote("On se parle enfin entre hôpital et domicile.", "hopital"),
            Quote("Il manque un acteur social à la sortie."),
        ],
    }
    data.update(changes)
    return data


def write(operation, *args):
    with unit_of_work("test"):
        return operation(*args)


def test_save_publish_unpublish_each_write_one_audit_line(make_event):
    event = past(make_event, "Liaison #1")
    write(ops.save_draft, event.id, content(), ACTOR)
    assert audit_actions() == ["report.saved"]
    write(ops.save_draft, event.id, content(), ACTOR)  # nothing changed: no line
    write(ops.publish, event.id, ACTOR)
    write(ops.unpublish, event.id, ACTOR)
    write(ops.add_quote, event.id, "Une phrase de plus.", "social", ACTOR)
    assert audit_actions() == [
        "report.saved",
        "report.published",
        "report.unpublished",
        "report.quote_added",
    ]
    report = db.session.scalar(select(Report).where(Report.event_id == event.id))
    assert report.status == "draft"
    assert [q.text for q in report.quotes][-1] == "Une phrase de plus."
    assert [q.position for q in report.quotes] == [1, 2, 3]


def test_sections_and_quotes_keep_their_order_when_saved_again(make_event):
    event = past(make_event, "Liaison #2")
    write(ops.save_draft, event.id, content(), ACTOR)
    reordered = content(
        sections=[Section("Trois", "c"), Section("Un", "a"), Section("Deux", "b")],
        quotes=[Quote("z"), Quote("y", "bas-seuil")],
    )
    write(ops.save_draft, event.id, reordered, ACTOR)
    db.session.expire_all()
    report = db.session.scalar(select(Report).where(Report.event_id == event.id))
    assert [s.title_fr for s in report.sections] == ["Trois", "Un", "Deux"]
    assert [(q.text, q.sector_group) for q in report.quotes] == [("z", None), ("y", "bas-seuil")]
    assert db.session.scalar(select(func.count()).select_from(ReportSection)) == 3
    assert db.session.scalar(select(func.count()).select_from(ReportQuote)) == 2


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"participants_count": -1}, "bad-count"),
        ({"presentation_url": "javascript:alert(1)"}, "bad-link"),
        ({"report_url": "ftp://example.org/x"}, "bad-link"),
        ({"participant_sectors": {"pirates": 3}}, "unknown-sector-group"),
        ({"sections": [Section("Titre\x00", "texte")]}, "bad-text"),
        ({"sections": [Section("", "un texte sans titre")]}, "section-incomplete"),
        ({"quotes": [Quote("x" * 301)]}, "quote-too-long"),
        ({"quotes": [Quote("une\nligne")]}, "bad-text"),
    ],
)
def test_bad_content_is_refused_and_nothing_written(make_event, changes, reason):
    event = past(make_event, "Liaison #3")
    with pytest.raises(ReportRefused) as refused:
        write(ops.save_draft, event.id, content(**changes), ACTOR)
    assert refused.value.reason == reason
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0
    assert audit_actions() == []


def test_add_quote_checks_what_the_evaluations_send(make_event):
    event = past(make_event, "Liaison #4")
    for text, group in (("x" * 301, None), ("", None), ("ok", "inconnu"), ("a\x07b", None)):
        with pytest.raises(ReportRefused):
            write(ops.add_quote, event.id, text, group, ACTOR)
    write(ops.add_quote, event.id, "  Merci pour ces échanges.  ", None, ACTOR)
    report = db.session.scalar(select(Report).where(Report.event_id == event.id))
    assert report.status == "draft"
    assert [q.text for q in report.quotes] == ["Merci pour ces échanges."]


def test_publish_twice_or_unpublish_a_draft_is_refused(make_event):
    event = past(make_event, "Liaison #5")
    with pytest.raises(ReportRefused, match="no-report"):
        write(ops.publish, event.id, ACTOR)
    write(ops.save_draft, event.id, content(), ACTOR)
    with pytest.raises(ReportRefused, match="not-published"):
        write(ops.unpublish, event.id, ACTOR)
    write(ops.publish, event.id, ACTOR)
    with pytest.raises(ReportRefused, match="already-published"):
        write(ops.publish, event.id, ACTOR)


# Public pages.


@pytest.fixture
def liaison(make_event):
    """Two past meetings and one to come of a Sud series on the liaison theme, and one of Nord."""
    from tests.factories import series

    series("nord-liaison", "Liaison ambulatoire-hôpital", ("nord",), "liaison-ambulatoire-hopital")
    sud = series(
        "sud-liaison", "Liaison ambulatoire-hôpital", ("sud",), "liaison-ambulatoire-hopital"
    )
    db.session.commit()
    first = past(make_event, "Liaison Sud #1", days=60, series_slug="sud-liaison")
    second = past(make_event, "Liaison Sud #2", days=20, series_slug="sud-liaison")
    upcoming = make_event(
        "Liaison Sud #3",
        start=(utcnow() + timedelta(days=30)).replace(microsecond=0),
        series_slug="sud-liaison",
    )
    nord = past(
        make_event, "Liaison Nord #1", days=25, bassins=("nord",), series_slug="nord-liaison"
    )
    assert sud.theme == "liaison-ambulatoire-hopital"
    return first, second, upcoming, nord


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def public_places(client, event, theme_year):
    return {
        "event": html_of(client, f"/events/{event.id}"),
        "series": html_of(client, f"/series/{event.series.slug}"),
        "theme": html_of(client, f"/themes/liaison-ambulatoire-hopital/{theme_year}"),
        "api": client.get(f"/api/v1/events/{event.id}").get_json(),
    }


def test_a_draft_is_never_public_and_the_published_report_shows_everywhere(client, liaison):
    first, second, upcoming, _ = liaison
    write(ops.save_draft, second.id, content(), ACTOR)
    year = second.local_start.year
    seen = public_places(client, second, year)
    for name in ("event", "series", "theme"):
        assert "Veille des besoins" not in seen[name], name
        assert "On se parle enfin" not in seen[name], name
    assert seen["api"]["report"] is None

    write(ops.publish, second.id, ACTOR)
    seen = public_places(client, second, year)
    for name in ("event", "series"):
        html = seen[name]
        assert "Retour sur la rencontre" in html, name
        assert html.index("Veille des besoins") < html.index("Pistes d&#39;actions"), name
        assert "On se parle enfin entre hôpital et domicile." in html, name
        assert "14 participant·es" in html, name
        assert "Hôpital" in html, name
    # The theme's page links each meeting's report (seed 000), it does not repeat them.
    assert f'/events/{second.id}#report-heading"' in seen["theme"]
    assert "14 participant·es" in seen["theme"] and "social, hôpital" in seen["theme"]
    assert "On se parle enfin" not in seen["theme"]
    report = seen["api"]["report"]
    assert report["participants_count"] == 14
    assert report["participant_sectors"] == {"hopital": 5, "social": 9}
    assert [s["title"] for s in report["sections"]] == ["Veille des besoins", "Pistes d'actions"]
    assert report["quotes"][0] == {
        "text": "On se parle enfin entre hôpital et domicile.",
        "sector_group": "hopital",
    }
    assert report["save_the_date"]["id"] == upcoming.id

    write(ops.unpublish, second.id, ACTOR)
    seen = public_places(client, second, year)
    assert "Veille des besoins" not in seen["event"] + seen["series"] + seen["theme"]
    assert seen["api"]["report"] is None


def test_the_archive_card_says_a_report_is_there_once_it_is_published(client, liaison):
    _first, second, _upcoming, _nord = liaison

    def card_of(event):
        html = html_of(client, "/archive/")
        return html.split(f"/events/{event.id}", 1)[1].split("</article>", 1)[0]

    write(ops.save_draft, second.id, content(), ACTOR)
    assert "Compte rendu disponible" not in card_of(second)
    write(ops.publish, second.id, ACTOR)
    assert "Compte rendu disponible" in card_of(second)


def test_save_the_date_points_at_the_next_meeting_of_the_series(client, liaison):
    first, second, upcoming, _ = liaison
    write(ops.save_draft, first.id, content(), ACTOR)
    write(ops.publish, first.id, ACTOR)
    html = html_of(client, f"/events/{first.id}")
    start = html.index("report-save-the-date")
    # Absolute (BASE_URL): a printed report gives the address.
    assert f'href="http://agenda.test/events/{upcoming.id}"' in html[start : start + 400]
    assert "Save the date :" in html[start : start + 100]  # French: a space before the colon
    dutch = html_of(client, f"/events/{first.id}?lang=nl")
    assert "Save the date:</strong>" in dutch  # Dutch: none
    # A meeting without a next one in its series says nothing of it.
    write(ops.save_draft, upcoming.id, content(), ACTOR)
    write(ops.publish, upcoming.id, ACTOR)
    assert "report-save-the-date" not in html_of(client, f"/events/{upcoming.id}")


def test_an_imported_report_still_shows_until_a_written_one_is_published(client, make_event):
    event = past(
        make_event,
        "Concertation importée",
        participants_count=23,
        participant_sectors={"social": 12},
        report_summary_fr="Nous avons parlé des sorties d'hôpital.",
        report_url="https://example.org/cr.pdf",
    )
    html = html_of(client, f"/events/{event.id}")
    assert "Compte rendu" in html and "Nous avons parlé des sorties" in html
    assert "23 participant·es" in html
    api = client.get(f"/api/v1/events/{event.id}").get_json()
    assert api["report"]["summary"] == "Nous avons parlé des sorties d'hôpital."
    assert api["report"]["participants_count"] == 23
    write(ops.save_draft, event.id, content(participants_count=25), ACTOR)
    assert "Nous avons parlé des sorties" in html_of(client, f"/events/{event.id}")
    write(ops.publish, event.id, ACTOR)
    html = html_of(client, f"/events/{event.id}")
    assert "Retour sur la rencontre" in html and "25 participant·es" in html


def test_theme_page_gathers_every_bassin_and_the_synthesis(client, liaison):
    first, second, upcoming, nord = liaison
    for event in (second, nord):
        write(ops.save_draft, event.id, content(participants_count=10), ACTOR)
        write(ops.publish, event.id, ACTOR)
    year = nord.local_start.year
    write(
        ops.save_synthesis,
        "liaison-ambulatoire-hopital",
        year,
        {"text_fr": "Les bassins convergent."},
        ACTOR,
    )
    draft = html_of(client, f"/themes/liaison-ambulatoire-hopital/{year}")
    assert "Les bassins convergent." not in draft  # a draft is not public
    write(ops.publish_synthesis, "liaison-ambulatoire-hopital", year, ACTOR)
    html = html_of(client, f"/themes/liaison-ambulatoire-hopital/{year}")
    assert "Liaison Nord #1" in html and "Liaison Sud #2" in html
    assert "Les bassins convergent." in html
    assert "Bassin Nord" in html or "Nord" in html
    assert client.get("/themes/inconnu/2026").status_code == 404
    assert client.get("/themes/liaison-ambulatoire-hopital/1850").status_code == 404


def test_report_figures_in_dutch(client, liaison):
    _, second, _, _ = liaison
    write(ops.save_draft, second.id, content(), ACTOR)
    write(ops.publish, second.id, ACTOR)
    html = html_of(client, f"/events/{second.id}?lang=nl")
    assert "Noden" in html  # the section's Dutch title
    assert "Pistes d&#39;actions" in html  # no Dutch title: the French one, marked lang="fr"
    assert 'lang="fr">Pistes' in html
