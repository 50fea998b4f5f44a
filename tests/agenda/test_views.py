"""The public agenda pages: filters, pagination, states, the archive, series and event pages."""

from datetime import timedelta

import pytest

from tests.clock import before_the_fixed_dates
from tests.factories import local, series, venue
from webapp.agenda.models import Organisation
from webapp.extensions import db
from webapp.timezones import utcnow

pytestmark = before_the_fixed_dates  # the fixture's events are in 2027


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def shown(html, *titles):
    return [t for t in titles if t in html]


@pytest.fixture
def world(make_event):
    """Six upcoming events, each singled out by one filter."""
    series("sante-mentale-sud-est", bassins=("sud-est",), theme="sante-mentale")
    series("sante-mentale-nord", bassins=("nord",), theme="sante-mentale")
    series("liaison-sud", bassins=("sud",), theme="liaison")
    db.session.commit()
    make_event(
        "Alpha liaison Forest",
        start=local(2027, 3, 10, 14),
        bassins=("sud",),
        commune="forest",
        series_slug="liaison-sud",
    )
    make_event(
        "Beta santé mentale Etterbeek",
        start=local(2027, 3, 20, 9),
        bassins=("sud-est",),
        commune="etterbeek",
        series_slug="sante-mentale-sud-est",
    )
    make_event(
        "Gamma santé mentale Laeken",
        start=local(2027, 4, 5, 9),
        bassins=("nord",),
        commune="bruxelles-ville-laeken",
        series_slug="sante-mentale-nord",
    )
    make_event(
        "Delta formation Pentagone",
        start=local(2027, 4, 15, 9),
        bassins=("centre-ouest",),
        commune="bruxelles-ville-pentagone",
        kind="formation",
    )
    make_event(
        "Epsilon habitants Schaerbeek",
        start=local(2027, 5, 1, 18),
        bassins=("nord-est",),
        commune="schaerbeek",
        kind="rdv-prevention",
        audience="public",
        description_fr="Un moment convivial autour du sommeil.",
    )
    make_event(
        "Zeta formation Forest",
        start=local(2027, 5, 20, 9),
        bassins=("sud",),
        commune="forest",
        kind="formation",
        audience="public",
    )


ALL = (
    "Alpha liaison Forest",
    "Beta santé mentale Etterbeek",
    "Gamma santé mentale Laeken",
    "Delta formation Pentagone",
    "Epsilon habitants Schaerbeek",
    "Zeta formation Forest",
)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ALL),
        ("bassin=sud", ("Alpha liaison Forest", "Zeta formation Forest")),
        ("bassin=nord-est", ("Epsilon habitants Schaerbeek",)),
        ("kind=formation", ("Delta formation Pentagone", "Zeta formation Forest")),
        ("theme=liaison-sud", ("Alpha liaison Forest",)),
        ("theme=sante-mentale-nord", ("Gamma santé mentale Laeken",)),
        # The shared theme of several series.
        ("theme=sante-mentale", ("Beta santé mentale Etterbeek", "Gamma santé mentale Laeken")),
        ("commune=forest", ("Alpha liaison Forest", "Zeta formation Forest")),
        ("commune=bruxelles-ville-laeken", ("Gamma santé mentale Laeken",)),
        # A municipality covers all its parts (Laeken in Nord, the Pentagone in Centre-Ouest).
        ("commune=bruxelles-ville", ("Gamma santé mentale Laeken", "Delta formation Pentagone")),
        ("audience=public", ("Epsilon habitants Schaerbeek", "Zeta formation Forest")),
        ("from=2027-04-05", ALL[2:]),
        ("to=2027-03-20", ALL[:2]),
        ("from=2027-03-15&to=2027-04-14", ALL[1:3]),
        ("q=sommeil", ("Epsilon habitants Schaerbeek",)),
        ("q=FORMATION", ("Delta formation Pentagone", "Zeta formation Forest")),
        ("q=Salle+etterbeek", ("Beta santé mentale Etterbeek",)),  # the venue's name
        ("q=100%25", ()),
        # Combinations.
        ("bassin=sud&kind=formation", ("Zeta formation Forest",)),
        ("kind=formation&audience=public&commune=forest", ("Zeta formation Forest",)),
        ("theme=sante-mentale&commune=bruxelles-ville", ("Gamma santé mentale Laeken",)),
        ("theme=sante-mentale&from=2027-03-21", ("Gamma santé mentale Laeken",)),
        ("commune=forest&from=2027-04-01&to=2027-12-31&q=zeta", ("Zeta formation Forest",)),
        ("bassin=sud&commune=etterbeek", ()),
        (
            "bassin=sud&kind=formation&theme=liaison-sud&commune=forest&audience=public"
            "&from=2027-01-01&to=2027-12-31&q=forest",
            (),
        ),
    ],
)
def test_index_filters(client, world, query, expected):
    html = page(client, f"/?{query}")
    assert shown(html, *ALL) == list(expected)
    assert 'role="alert"' not in html
    if not expected:
        assert "Aucune activité à venir ne correspond à ces critères." in html


@pytest.mark.parametrize(
    "bassin, query, expected",
    [
        ("sud", "", ("Alpha liaison Forest", "Zeta formation Forest")),
        ("sud", "kind=formation", ("Zeta formation Forest",)),
        ("sud", "theme=liaison", ("Alpha liaison Forest",)),
        ("sud", "commune=etterbeek", ()),
        ("nord", "commune=bruxelles-ville", ("Gamma santé mentale Laeken",)),
        ("centre-ouest", "commune=bruxelles-ville&q=delta", ("Delta formation Pentagone",)),
        ("sud-est", "theme=sante-mentale&audience=professionals", ALL[1:2]),
        ("nord-est", "from=2027-05-02", ()),
        ("nord-est", "to=2027-05-01", ("Epsilon habitants Schaerbeek",)),
    ],
)
def test_bassin_filters(client, world, bassin, query, expected):
    html = page(client, f"/bassins/{bassin}/?{query}")
    assert shown(html, *ALL) == list(expected)


def test_bassin_page_ignores_bassin_argument(client, world):
    html = page(client, "/bassins/sud/?bassin=nord")
    assert shown(html, *ALL) == ["Alpha liaison Forest", "Zeta formation Forest"]


def test_bassin_page_names_its_communes(client, territory):
    html = page(client, "/bassins/sud-est/")
    for name in ("Auderghem", "Etterbeek", "Woluwe-Saint-Lambert", "Woluwe-Saint-Pierre"):
        assert name in html


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("bassin=xx", "bassin"),
        ("kind=party", "kind"),
        ("audience=cats", "audience"),
        ("commune=paris", "commune"),
        ("theme=nope", "theme"),
        ("from=2026-13-45", "from"),
        ("to=yesterday", "to"),
        ("from=2027-05-01&to=2027-04-01", "to"),
    ],
)
def test_bad_filter_values_are_reported_and_ignored(client, world, query, parameter):
    html = page(client, f"/?{query}")
    assert 'role="alert"' in html
    assert f'data-filter="{parameter}"' in html
    # Ignored: the other filters still apply, the bad one does not empty the list.
    if parameter == "to":
        assert "Epsilon habitants Schaerbeek" in html
    else:
        assert shown(html, *ALL) == list(ALL)


def test_bad_filter_values_on_bassin_page(client, world):
    html = page(client, "/bassins/sud/?from=2026-13-45&kind=xx")
    assert 'data-filter="from"' in html and 'data-filter="kind"' in html
    assert shown(html, *ALL) == ["Alpha liaison Forest", "Zeta formation Forest"]


def test_very_long_query_is_cut_not_an_error(client, world):
    html = page(client, "/?q=" + "a" * 500)
    assert "Aucune activité à venir" in html
    html = page(client, "/?q=" + "formation" + " " * 300 + "x" * 500)
    assert shown(html, *ALL) == []


def test_empty_state(client, territory):
    html = page(client, "/")
    assert "Aucune activité à venir ne correspond à ces critères." in html
    assert "0 activité" in html
    html = page(client, "/archive/")
    assert "Aucune activité passée ne correspond à ces critères." in html


def test_empty_state_offers_to_clear_filters(client, world):
    html = page(client, "/?kind=webinaire")
    assert "Voir toutes les activités" in html


def test_drafts_never_shown(client, make_event):
    draft = make_event("Brouillon secret", status="draft", series_slug="cycle-brouillon")
    past_draft = make_event(
        "Brouillon passé",
        start=utcnow() - timedelta(days=30),
        status="draft",
        report_url="https://example.org/cr.pdf",
    )
    for url in ("/", "/bassins/sud/", "/archive/", "/?q=brouillon", "/series/cycle-brouillon"):
        html = page(client, url)
        assert "Brouillon" not in html, url
    assert client.get(f"/events/{draft.id}").status_code == 404
    assert client.get(f"/events/{past_draft.id}").status_code == 404


def test_cancelled_and_postponed_shown_with_badge(client, make_event):
    cancelled = make_event(
        "Réunion annulée", status="cancelled", status_reason_fr="Salle indisponible."
    )
    postponed = make_event("Réunion reportée", status="postponed")
    html = page(client, "/")
    assert "Réunion annulée" in html and "Réunion reportée" in html
    assert "state state-cancelled" in html and "state state-postponed" in html
    html = page(client, f"/events/{cancelled.id}")
    assert "Cette activité est annulée." in html and "Salle indisponible." in html
    assert "badge-cancelled" in html
    html = page(client, f"/events/{postponed.id}")
    assert "Cette activité est reportée." in html and "badge-postponed" in html


def test_pagination(client, app, make_event):
    app.config["AGENDA_PAGE_SIZE"] = 3
    start = utcnow() + timedelta(days=2)
    for number in range(7):
        make_event(f"Rencontre numéro {number:02d}", start=start + timedelta(days=number))
    html = page(client, "/")
    assert shown(html, *(f"numéro {n:02d}" for n in range(7))) == [
        "numéro 00",
        "numéro 01",
        "numéro 02",
    ]
    assert "7 activités" in html and "Page 1 sur 3" in html and 'rel="next"' in html
    assert 'rel="prev"' not in html
    html = page(client, "/?page=2")
    assert shown(html, *(f"numéro {n:02d}" for n in range(7))) == [
        "numéro 03",
        "numéro 04",
        "numéro 05",
    ]
    assert 'rel="prev"' in html and 'rel="next"' in html
    html = page(client, "/?page=3")
    assert shown(html, *(f"numéro {n:02d}" for n in range(7))) == ["numéro 06"]
    assert "7 activités" in html and 'rel="next"' not in html
    # Beyond the end: an empty page, still 200 and a way back.
    html = page(client, "/?page=9")
    assert shown(html, *(f"numéro {n:02d}" for n in range(7))) == []
    assert "7 activités" in html
    for bad in ("abc", "-1", "0", "1.5"):
        html = page(client, f"/?page={bad}")
        assert shown(html, *(f"numéro {n:02d}" for n in range(7))) == [
            "numéro 00",
            "numéro 01",
            "numéro 02",
        ]
        assert 'data-filter="page"' in html, bad


def test_pagination_keeps_filters(client, app, make_event):
    app.config["AGENDA_PAGE_SIZE"] = 2
    for number in range(3):
        make_event(f"Formation {number}", kind="formation")
    make_event("Concertation hors filtre")
    html = page(client, "/?kind=formation")
    assert "3 activités" in html
    assert "kind=formation" in html.split('rel="next"')[1].split(">")[0] or (
        "kind=formation" in html.split('rel="next" href="')[1].split('"')[0]
    )


def test_archive_shows_past_events_with_reports(client, make_event):
    now = utcnow()
    make_event(
        "Concertation passée avec compte rendu",
        start=now - timedelta(days=40),
        participants_count=23,
        participant_sectors={"social": 12, "sante": 11},
        report_url="https://example.org/cr-liaison.pdf",
        presentation_url="https://example.org/slides.pdf",
        report_summary_fr="Nous avons parlé des sorties d'hôpital.",
    )
    make_event("Concertation plus ancienne", start=now - timedelta(days=80))
    make_event("Concertation à venir", start=now + timedelta(days=5))
    html = page(client, "/archive/")
    assert "Concertation à venir" not in html
    assert shown(html, "Concertation passée avec compte rendu", "Concertation plus ancienne") == [
        "Concertation passée avec compte rendu",
        "Concertation plus ancienne",
    ]
    # Most recent first.
    assert html.index("passée avec compte rendu") < html.index("plus ancienne")
    html = page(client, "/")
    assert "Concertation passée" not in html and "Concertation à venir" in html
    html = page(client, "/bassins/sud/archive/")
    assert "Concertation passée avec compte rendu" in html


def test_past_event_page_shows_its_report(client, make_event):
    event = make_event(
        "Concertation passée avec compte rendu",
        start=utcnow() - timedelta(days=40),
        participants_count=23,
        participant_sectors={"social": 12, "sante": 11},
        report_url="https://example.org/cr-liaison.pdf",
        presentation_url="https://example.org/slides.pdf",
        report_summary_fr="Nous avons parlé des sorties d'hôpital.",
    )
    html = page(client, f"/events/{event.id}")
    assert "Compte rendu" in html
    assert "23 participant·es" in html
    assert "https://example.org/cr-liaison.pdf" in html
    assert "https://example.org/slides.pdf" in html
    assert "sorties d&#39;hôpital" in html or "sorties d'hôpital" in html
    assert ": 12" in html and ": 11" in html


@pytest.mark.parametrize(
    "url",
    [
        "/events/999999",
        "/events/abc",
        "/bassins/atlantide/",
        "/bassins/atlantide/archive/",
        "/series/inconnue",
    ],
)
def test_unknown_things_are_404(client, territory, url):
    assert client.get(url).status_code == 404


def test_series_page_orders_past_and_upcoming(client, make_event):
    now = utcnow()
    for days, title in ((-100, "Séance A"), (-10, "Séance B"), (20, "Séance C"), (60, "Séance D")):
        make_event(title, start=now + timedelta(days=days), series_slug="liaison-sud")
    # Created out of order.
    make_event("Séance 0", start=now - timedelta(days=200), series_slug="liaison-sud")
    make_event("Séance E", start=now + timedelta(days=30), series_slug="liaison-sud")
    make_event(
        "Séance brouillon",
        start=now + timedelta(days=40),
        series_slug="liaison-sud",
        status="draft",
    )
    # The page's body (its head's JSON-LD lists every meeting too).
    html = page(client, "/series/liaison-sud").split("</head>", 1)[1]
    upcoming, past = html.split('id="past-heading"')
    assert shown(upcoming, "Séance C", "Séance E", "Séance D") == [
        "Séance C",
        "Séance E",
        "Séance D",
    ]
    assert upcoming.index("Séance C") < upcoming.index("Séance E") < upcoming.index("Séance D")
    assert "Séance A" not in upcoming and "Séance B" not in upcoming
    # Past: most recent first.
    assert past.index("Séance B") < past.index("Séance A") < past.index("Séance 0")
    assert "Séance brouillon" not in html


def test_event_page_content(client, make_event):
    organiser = Organisation(name="Plateforme de concertation Sud", email="info@example.org")
    place = venue("Maison des Savoirs", "forest", "Rue de la Glacière 12")
    place.postal_code = "1190"
    place.access_notes_fr = "Rez-de-chaussée accessible en fauteuil, tram 82."
    db.session.add(organiser)
    # 14:00 in Brussels in July is 12:00 UTC.
    event = make_event(
        "Concertation liaison",
        start=local(2027, 7, 6, 14),
        hours=2,
        venue_name="Maison des Savoirs",
        commune=None,
        online_url="https://meet.example.org/liaison",
        organiser=organiser,
        contact_email="contact@example.org",
        capacity=30,
        confirmed_count=12,
        description_fr="Premier paragraphe.\n\nSecond paragraphe.",
    )
    event.venue = place
    db.session.commit()
    html = page(client, f"/events/{event.id}")
    assert "Concertation liaison" in html
    assert "14:00" in html and "16:00" in html and "12:00" not in html
    assert "heure de Bruxelles" in html
    assert "2027-07-06T14:00+02:00" in html
    assert "Maison des Savoirs" in html
    assert "Rue de la Glacière 12" in html and "1190" in html and "Forest" in html
    assert "Rez-de-chaussée accessible en fauteuil, tram 82." in html
    # An on-site event's stray link is nobody's to see (agenda/meeting_links.py).
    assert "meet.example.org" not in html
    assert "Plateforme de concertation Sud" in html and "contact@example.org" in html
    assert "18 places restantes sur 30" in html
    assert "<p>Premier paragraphe.</p>" in html
    # In winter, Brussels is UTC+1.
    winter = make_event("Concertation d'hiver", start=local(2027, 1, 12, 9, 30))
    html = page(client, f"/events/{winter.id}")
    assert "09:30" in html and "2027-01-12T09:30+01:00" in html


def test_event_page_full_and_online_only(client, make_event):
    event = make_event(
        "Webinaire complet",
        kind="webinaire",
        commune=None,
        online_url="https://meet.example.org/w",
        mode="online",
        online_capacity=10,
        online_confirmed_count=10,
    )
    html = page(client, f"/events/{event.id}")
    assert "complet" in html
    # The link goes to confirmed online participants only, never on the public page.
    assert "meet.example.org" not in html
    assert "le lien de la réunion est envoyé" in html
    assert "Lieu à préciser" not in html
    html = page(client, "/")
    assert "Webinaire complet" in html and "En ligne" in html and "Complet" in html


def test_index_card_shows_places_coarsely(client, make_event):
    make_event("Formation limitée", capacity=20, confirmed_count=5, kind="formation")
    make_event("Formation presque pleine", capacity=20, confirmed_count=16, kind="formation")
    html = page(client, "/")
    assert "Places disponibles" in html  # 15 left: no number, most registrations change nothing
    assert "Plus que 4 places" in html
    assert "15 places" not in html


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("page=99999999999999999999", "page"),  # overflowed OFFSET: a 500 before
        ("page=9223372036854775807", "page"),
        ("from=0001-01-01", "from"),  # overflowed the UTC conversion: a 500 before
        ("to=9999-12-31", "to"),
        ("from=9999-12-31", "from"),
    ],
)
def test_extreme_values_are_reported_not_500(client, world, query, parameter):
    html = page(client, f"/?{query}")
    assert f'data-filter="{parameter}"' in html
    assert shown(html, *ALL) == list(ALL)
    page(client, f"/archive/?{query}")


def test_nul_characters_are_not_500(client, world):
    # PostgreSQL refuses NUL in text parameters: a 500 before.
    html = page(client, "/?q=form%00ation")
    assert 'role="alert"' not in html
    for url in ("/bassins/a%00b/", "/series/a%00b"):
        assert client.get(url).status_code == 404, url
    html = page(client, "/?commune=a%00b&theme=%00")
    assert 'data-filter="commune"' in html


def test_archive_filters_combine(client, make_event):
    now = utcnow()
    make_event("Passée Sud formation", start=now - timedelta(days=10), kind="formation")
    make_event("Passée Sud concertation", start=now - timedelta(days=20))
    make_event(
        "Passée Nord formation",
        start=now - timedelta(days=30),
        kind="formation",
        bassins=("nord",),
        commune="jette",
    )
    titles = ("Passée Sud formation", "Passée Sud concertation", "Passée Nord formation")
    assert shown(page(client, "/archive/?kind=formation"), *titles) == [titles[0], titles[2]]
    assert shown(page(client, "/bassins/sud/archive/?kind=formation"), *titles) == [titles[0]]
    assert shown(page(client, "/archive/?commune=jette&q=nord"), *titles) == [titles[2]]
    since = (now - timedelta(days=25)).date().isoformat()
    assert shown(page(client, f"/archive/?from={since}"), *titles) == list(titles[:2])
    html = page(client, "/bassins/sud/archive/?from=2026-13-45&page=-1")
    assert 'data-filter="from"' in html and 'data-filter="page"' in html
    assert shown(html, *titles) == list(titles[:2])
