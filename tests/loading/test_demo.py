"""flask demo-data: idempotent, and it holds what issue 2 lists."""

import calendar
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from webapp.agenda.models import (
    Bassin,
    Commune,
    Event,
    EventOccurrence,
    OccurrenceOverride,
    Organisation,
    Series,
    Venue,
)
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.timezones import local_today, to_local, utcnow

MODELS = (
    Bassin,
    Commune,
    Event,
    EventOccurrence,
    OccurrenceOverride,
    Organisation,
    Series,
    Venue,
    Registration,
)


def counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_DIR": str(tmp_path / "uploads")}  # the ADC's slides are stored there


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def audit_actions():
    return db.session.execute(
        select(AuditEntry.actor_kind, AuditEntry.action, func.count()).group_by(
            AuditEntry.actor_kind, AuditEntry.action
        )
    ).all()


def test_twice_gives_the_same_counts(app, demo):
    before = counts()
    # One line per event (and per written report), by the system, but the event of the
    # partner's proposal, created through the proposal's link; the second run changes
    # nothing, so writes none.
    first = audit_actions()
    assert sorted(line for line in first if line[1].startswith("event.")) == [
        ("proposal-link", "event.created", 1),
        ("system", "event.created", before["Event"] - 1),
    ]
    state = [
        (e.id, e.sequence, e.updated_at, e.start_at)
        for e in db.session.scalars(select(Event).order_by(Event.id))
    ]
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert counts() == before
    assert [
        (e.id, e.sequence, e.updated_at, e.start_at)
        for e in db.session.scalars(select(Event).order_by(Event.id))
    ] == state
    assert audit_actions() == first
    # --if-empty leaves a filled database alone.
    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert "left as it is" in result.output
    assert counts() == before


def test_five_bassins_with_communes(demo):
    bassins = {b.slug: b for b in db.session.scalars(select(Bassin))}
    assert set(bassins) == {"centre-ouest", "nord", "nord-est", "sud", "sud-est"}
    assert all(b.communes for b in bassins.values())
    assert {c.municipality_slug for c in bassins["sud-est"].communes} == {
        "auderghem",
        "etterbeek",
        "woluwe-saint-lambert",
        "woluwe-saint-pierre",
    }


def test_liaison_series_per_bassin_with_past_reports_and_upcoming(demo):
    now = utcnow()
    for bassin in ("centre-ouest", "nord", "nord-est", "sud", "sud-est"):
        series = db.session.scalar(
            select(Series).where(Series.slug == f"{bassin}-liaison-ambulatoire-hopital")
        )
        assert series is not None, bassin
        assert [b.slug for b in series.bassins] == [bassin]
        assert series.theme == "liaison-ambulatoire-hopital"
        past = [e for e in series.events if e.end_at <= now]
        upcoming = [e for e in series.events if e.end_at > now]
        assert past and upcoming, bassin
        assert all(e.has_report and e.participants_count and e.participant_sectors for e in past)


def test_sud_est_concertations(demo):
    for slug in ("sud-est-sante-mentale", "sud-est-prevention-promotion-sante"):
        series = db.session.scalar(select(Series).where(Series.slug == slug))
        assert series is not None and series.events, slug
        assert [b.slug for b in series.bassins] == ["sud-est"]


def test_ateliers_grand_bain_training_webinar(demo):
    kinds = dict(
        db.session.execute(
            select(Event.kind, func.count()).where(Event.status != "draft").group_by(Event.kind)
        ).all()
    )
    assert kinds.get("atelier-du-changement", 0) >= 1
    assert kinds.get("formation", 0) >= 1
    assert kinds.get("webinaire", 0) >= 1
    webinar = db.session.scalar(select(Event).where(Event.kind == "webinaire"))
    assert webinar.online_url
    grand_bain = db.session.scalars(select(Event).where(Event.kind == "grand-bain")).all()
    assert len(grand_bain) == 1
    start = to_local(grand_bain[0].start_at)
    today = local_today()
    assert start.month == 10 and start.date() > today
    assert start.year in (today.year, today.year + 1)
    assert start.date() - today < timedelta(days=366)
    assert len(grand_bain[0].bassins) == 5


def test_one_cancelled_one_postponed(demo):
    statuses = dict(
        db.session.execute(select(Event.status, func.count()).group_by(Event.status)).all()
    )
    assert statuses.get("cancelled", 0) >= 1 and statuses.get("postponed", 0) >= 1
    cancelled = db.session.scalar(select(Event).where(Event.status == "cancelled"))
    assert cancelled.status_reason_fr


def test_monthly_prevention_rendez_vous_in_four_sud_est_communes_and_forest(demo):
    events = db.session.scalars(select(Event).where(Event.kind == "rdv-prevention")).all()
    by_bassin = {}
    for event in events:
        if event.rrule:
            by_bassin.setdefault(event.bassins[0].slug, set()).add(
                event.venue.commune.municipality_slug
            )
    assert by_bassin == {
        "sud-est": {"auderghem", "etterbeek", "woluwe-saint-lambert", "woluwe-saint-pierre"},
        "sud": {"forest"},
    }
    etterbeek = next(e for e in events if e.venue.commune.municipality_slug == "etterbeek")
    assert etterbeek.venue.name == "Maison de Quartier Chambéry"
    assert "FREQ=MONTHLY" in etterbeek.rrule and etterbeek.exdates
    # Third Mondays (computed here), one month skipped.
    dates = [
        to_local(o.recurrence_start).date()
        for o in db.session.scalars(
            select(EventOccurrence).where(EventOccurrence.event_id == etterbeek.id)
        )
    ]
    months = sorted({(d.year, d.month) for d in dates})
    assert len(months) >= 12
    for year, month in months:
        days = [
            w[calendar.MONDAY] for w in calendar.monthcalendar(year, month) if w[calendar.MONDAY]
        ]
        assert date(year, month, days[2]) in dates
    skipped = date.fromisoformat(str(etterbeek.exdates[0])[:10])
    assert skipped not in dates
    first, last = min(months), max(months)
    all_months = [
        (y, m)
        for y in range(first[0], last[0] + 1)
        for m in range(1, 13)
        if first <= (y, m) <= last
    ]
    assert set(all_months) - set(months) == {(skipped.year, skipped.month)}
    # Upcoming dates exist, so the agenda is alive.
    assert any(d > local_today() for d in dates)


def test_demo_agenda_pages_answer(client, demo):
    html = client.get("/").get_data(as_text=True)
    assert "Rendez-vous de la Prévention santé" in html
    assert client.get("/series/sud-liaison-ambulatoire-hopital").status_code == 200
    archive = client.get("/archive/?q=liaison").get_data(as_text=True)
    assert "Concertation liaison ambulatoire-hôpital #1" in archive
    draft = db.session.scalar(select(Event).where(Event.status == "draft"))
    if draft is not None:
        assert draft.title_fr not in html
        assert client.get(f"/events/{draft.id}").status_code == 404


def test_published_reports_with_sections_quotes_and_a_theme_synthesis(client, demo):
    from webapp.agenda.reports import Report, ThemeSynthesis

    reports = db.session.scalars(select(Report)).all()
    assert sorted(r.status for r in reports) == ["draft"] + ["published"] * 3
    assert all(r.sections and r.quotes for r in reports)
    adc = db.session.scalar(select(Event).where(Event.external_id == "demo-sud-adc-9"))
    html = client.get(f"/events/{adc.id}").get_data(as_text=True)
    assert "Retour sur la rencontre" in html and "Insécurité alimentaire" in html
    # The 8th Atelier's report is a draft with its slides: its public page keeps the summary
    # imported before, none of the draft.
    draft = next(r for r in reports if r.status == "draft")
    assert draft.event.external_id == "demo-sud-adc-8" and draft.presentation_file
    html = client.get(f"/events/{draft.event_id}").get_data(as_text=True)
    assert "isolement social" in html and "Insécurité alimentaire" not in html
    synthesis = db.session.scalar(select(ThemeSynthesis))
    page = client.get(f"/themes/liaison-ambulatoire-hopital/{synthesis.year}")
    assert page.status_code == 200
    assert "Liaison ambulatoire-hôpital" in page.get_data(as_text=True)
    assert "cinq bassins" in page.get_data(as_text=True)
