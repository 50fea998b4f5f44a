"""webapp.agenda.queries: parsing the filters and the filtered, paginated agenda."""

from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from tests.clock import before_the_fixed_dates
from tests.factories import local
from webapp.agenda.queries import (
    MAX_QUERY_LENGTH,
    AgendaFilters,
    agenda_events_statement,
    agenda_page,
    parse_filters,
)
from webapp.extensions import db
from webapp.timezones import utcnow


def parse(**args):
    return parse_filters(MultiDict(args))


def titles(page):
    return [o.event.title_fr for o in page.items]


def test_parse_known_values(territory, make_event):
    make_event(series_slug="liaison-sud")
    parsed = parse(
        bassin="sud",
        kind="formation",
        theme="liaison-sud",
        commune="bruxelles-ville",
        audience="public",
        **{"from": "2027-01-01", "to": "2027-02-01"},
        q="  santé   mentale ",
    )
    assert parsed.problems == {}
    assert parsed.filters == AgendaFilters(
        bassin="sud",
        kind="formation",
        theme="liaison-sud",
        commune="bruxelles-ville",
        audience="public",
        date_from=date(2027, 1, 1),
        date_to=date(2027, 2, 1),
        q="santé mentale",
    )
    assert parsed.filters.as_args()["from"] == "2027-01-01"
    assert not parsed.filters.is_empty
    assert parse().filters.is_empty and parse().problems == {}


def test_parse_drops_and_reports_unknown_values(territory):
    parsed = parse(
        bassin="xx",
        kind="xx",
        theme="xx",
        commune="xx",
        audience="xx",
        **{"from": "2026-13-45", "to": "demain"},
    )
    assert set(parsed.problems) == {"bassin", "kind", "theme", "commune", "audience", "from", "to"}
    assert parsed.filters.is_empty


def test_to_before_from_is_dropped(territory):
    parsed = parse(**{"from": "2027-05-01", "to": "2027-04-30"})
    assert parsed.filters.date_from == date(2027, 5, 1) and parsed.filters.date_to is None
    assert set(parsed.problems) == {"to"}
    # The same day is a valid range.
    assert parse(**{"from": "2027-05-01", "to": "2027-05-01"}).problems == {}


def test_long_query_is_cut(territory):
    parsed = parse(q="x" * 500)
    assert parsed.filters.q == "x" * MAX_QUERY_LENGTH


def test_bassin_page_keeps_its_bassin(territory):
    parsed = parse_filters(MultiDict({"bassin": "nord"}), bassin="sud")
    assert parsed.filters.bassin == "sud" and parsed.problems == {}


@before_the_fixed_dates
def test_dates_are_brussels_days(make_event):
    # 00:30 in Brussels on 11 March is 23:30 UTC on 10 March.
    make_event("Tôt le matin", start=local(2027, 3, 11, 0, 30), hours=1)
    # 23:30 in Brussels on 10 March is still 10 March in UTC too; ends after midnight.
    make_event("Tard le soir", start=local(2027, 3, 10, 22), hours=1)
    assert titles(agenda_page(AgendaFilters(date_from=date(2027, 3, 11)))) == ["Tôt le matin"]
    assert titles(agenda_page(AgendaFilters(date_to=date(2027, 3, 10)))) == ["Tard le soir"]
    assert titles(
        agenda_page(AgendaFilters(date_from=date(2027, 3, 10), date_to=date(2027, 3, 10)))
    ) == ["Tard le soir"]
    # A multi-day event overlaps a day in its middle.
    make_event("Semaine", start=local(2027, 6, 7, 9), hours=4 * 24 + 8)
    assert titles(
        agenda_page(AgendaFilters(date_from=date(2027, 6, 9), date_to=date(2027, 6, 9)))
    ) == ["Semaine"]


def test_upcoming_includes_events_in_progress(make_event):
    now = utcnow().replace(microsecond=0)
    make_event("En cours", start=now - timedelta(hours=1), hours=3)
    make_event("Finie", start=now - timedelta(hours=3), hours=1)
    assert titles(agenda_page(AgendaFilters())) == ["En cours"]
    assert titles(agenda_page(AgendaFilters(past=True))) == ["Finie"]


def test_from_in_the_past_reaches_past_events(make_event):
    now = utcnow()
    make_event("Passée", start=now - timedelta(days=20))
    make_event("À venir", start=now + timedelta(days=20))
    since = (now - timedelta(days=30)).date()
    assert titles(agenda_page(AgendaFilters(date_from=since))) == ["Passée", "À venir"]


def test_query_wildcards_are_literal(make_event):
    make_event("Taux 100% atteint")
    make_event("Taux 1000 atteint")
    make_event("Sous_titre")
    make_event("Soustitre")
    assert titles(agenda_page(AgendaFilters(q="100%"))) == ["Taux 100% atteint"]
    assert titles(agenda_page(AgendaFilters(q="s_t"))) == ["Sous_titre"]


def test_query_searches_dutch_and_series(make_event):
    make_event("Réunion", title_nl="Vergadering over slaap")
    series_event = make_event("Séance", series_slug="grand-cycle-exceptionnel")
    assert titles(agenda_page(AgendaFilters(q="SLAAP"))) == ["Réunion"]
    assert titles(agenda_page(AgendaFilters(q="exceptionnel"))) == ["Séance"]
    assert series_event.id


def test_query_ignores_accents_and_case(make_event):
    make_event("Liaison ambulatoire-hôpital")
    make_event("Rendez-vous de la Prévention santé")
    assert titles(agenda_page(AgendaFilters(q="hopital"))) == ["Liaison ambulatoire-hôpital"]
    assert titles(agenda_page(AgendaFilters(q="PREVENTION"))) == [
        "Rendez-vous de la Prévention santé"
    ]
    assert titles(agenda_page(AgendaFilters(q="Hôpital"))) == ["Liaison ambulatoire-hôpital"]


def test_query_finds_the_commune_in_both_languages(make_event):
    make_event("À Forest", commune="forest")
    make_event("À Etterbeek", commune="etterbeek")
    assert titles(agenda_page(AgendaFilters(q="Vorst"))) == ["À Forest"]
    assert titles(agenda_page(AgendaFilters(q="forest"))) == ["À Forest"]


def test_query_finds_venue_address_and_organiser(make_event):
    from webapp.agenda.models import Organisation

    make_event("Chez le CPAS", organiser=Organisation(name="CPAS d'Uccle"))
    make_event("Ailleurs")
    assert titles(agenda_page(AgendaFilters(q="cpas d'uccle"))) == ["Chez le CPAS"]
    assert "Chez le CPAS" in titles(agenda_page(AgendaFilters(q="rue du test")))


def test_query_words_match_in_any_order(make_event):
    make_event("Santé mentale et logement", commune="forest")
    make_event("Santé mentale", commune="etterbeek")
    assert titles(agenda_page(AgendaFilters(q="logement sante"))) == ["Santé mentale et logement"]
    assert titles(agenda_page(AgendaFilters(q="mentale vorst"))) == ["Santé mentale et logement"]


def test_search_follows_edits_of_venue_series_and_commune(make_event):
    event = make_event("Séance", series_slug="cycle-sommeil", commune="forest")
    event.venue.name = "Centre Éole"
    event.series.title_nl = "Slaapcyclus"
    event.venue.commune.name_nl = "Vorst-Zuid"
    db.session.commit()
    for query in ("eole", "slaapcyclus", "vorst-zuid"):
        assert titles(agenda_page(AgendaFilters(q=query))) == ["Séance"], query


def test_search_follows_a_venue_set_by_id(make_event):
    from tests.factories import venue

    other = venue("Espace Chambéry", "etterbeek", "Rue de Chambéry 24")
    event = make_event("Déménagée", commune="forest")
    db.session.flush()
    event.venue_id = other.id
    db.session.commit()
    assert titles(agenda_page(AgendaFilters(q="chambery"))) == ["Déménagée"]
    assert titles(agenda_page(AgendaFilters(q="vorst"))) == []


def test_regional_event_in_every_bassin(make_event):
    make_event("Régionale", bassins=("centre-ouest", "nord", "nord-est", "sud", "sud-est"))
    for slug in ("centre-ouest", "nord", "nord-est", "sud", "sud-est"):
        assert titles(agenda_page(AgendaFilters(bassin=slug))) == ["Régionale"]


@before_the_fixed_dates
def test_commune_filter_uses_the_occurrence_venue(make_event):
    """An occurrence moved elsewhere is found in its new commune, not the old one."""
    from tests.factories import venue
    from webapp.agenda.models import OccurrenceOverride

    event = make_event(
        "Tournant",
        start=local(2027, 1, 18, 14),
        commune="etterbeek",
        rrule="FREQ=MONTHLY;BYDAY=3MO;COUNT=3",
    )
    elsewhere = venue("Maison médicale", "auderghem", "Rue des Champs 12")
    db.session.flush()
    event.overrides.append(
        OccurrenceOverride(
            recurrence_start=local(2027, 2, 15, 14),
            start_at=local(2027, 2, 15, 10),
            end_at=local(2027, 2, 15, 12),
            venue_id=elsewhere.id,
        )
    )
    db.session.commit()
    in_auderghem = agenda_page(AgendaFilters(commune="auderghem"))
    assert [o.start_at for o in in_auderghem.items] == [local(2027, 2, 15, 10)]
    in_etterbeek = agenda_page(AgendaFilters(commune="etterbeek"))
    assert [o.start_at for o in in_etterbeek.items] == [
        local(2027, 1, 18, 14),
        local(2027, 3, 15, 14),
    ]


@pytest.mark.parametrize("number, page, expected", [(7, 1, 3), (7, 3, 1), (7, 4, 0), (6, 2, 3)])
def test_page_totals(make_event, number, page, expected):
    for n in range(number):
        make_event(f"E{n}", start=utcnow() + timedelta(days=n + 1), commit=False)
    db.session.commit()
    result = agenda_page(AgendaFilters(), page=page, per_page=3)
    assert len(result.items) == expected
    assert result.total == number
    assert result.pages == (number + 2) // 3
    assert result.has_next == (page < result.pages)
    assert result.has_prev == (page > 1)


def test_events_statement_is_distinct(make_event):
    make_event("Hebdo", rrule="FREQ=WEEKLY;COUNT=5")
    make_event("Unique")
    events = db.session.scalars(agenda_events_statement(AgendaFilters())).all()
    assert sorted(e.title_fr for e in events) == ["Hebdo", "Unique"]


@before_the_fixed_dates
def test_page_groups_a_repeating_event_s_dates_under_its_first_month(make_event):
    """One entry per event on a page, under the month of its first date; the items (the API's)
    stay one per date."""
    make_event("Rendez-vous", start=local(2027, 1, 18, 14), rrule="FREQ=MONTHLY;COUNT=3")
    make_event("Concertation", start=local(2027, 2, 2, 13))
    page = agenda_page(AgendaFilters(), per_page=10)
    assert len(page.items) == 4
    months = page.months()
    assert [m.month for m in months] == [date(2027, 1, 1), date(2027, 2, 1)]
    (rendezvous,) = months[0].entries
    assert rendezvous.occurrence.event.title_fr == "Rendez-vous"
    assert [o.local_start.date() for o in rendezvous.others] == [
        date(2027, 2, 18),
        date(2027, 3, 18),
    ]
    assert [e.occurrence.event.title_fr for e in months[1].entries] == ["Concertation"]


def test_a_series_of_one_bassin_is_named_with_it_once(territory, app):
    """On the all-bassins filters a series of one bassin says which; a title that already
    names it is not followed by the same name twice (and Sud-Est's title is not Sud's)."""
    from tests.factories import series
    from webapp.agenda.forms import filter_choices

    series("liaison-sud", "Liaison ambulatoire-hôpital – Bassin Sud", bassins=("sud",))
    series("sante-mentale-sud", "Santé mentale – Bassin Sud-Est", bassins=("sud",))
    series("ateliers", "Ateliers du Changement", bassins=("nord",))
    series("regional", "Grand Bain", bassins=("sud", "nord"))
    db.session.commit()
    with app.test_request_context("/"):
        themes = dict(filter_choices()["themes"])
    assert themes["liaison-sud"] == "Liaison ambulatoire-hôpital – Bassin Sud"
    assert themes["sante-mentale-sud"] == "Santé mentale – Bassin Sud-Est (Bassin Sud)"
    assert themes["ateliers"] == "Ateliers du Changement (Bassin Nord)"
    assert themes["regional"] == "Grand Bain"
