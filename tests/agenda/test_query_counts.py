"""The agenda and event pages issue a bounded number of SQL statements, whatever the data."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event

from tests.clock import before_the_fixed_dates
from tests.factories import local
from webapp.agenda.models import OccurrenceOverride
from webapp.extensions import db
from webapp.timezones import utcnow

# The pages' budgets (statements per request); a new N+1 shows as a difference between sizes.
AGENDA_BUDGET = 17
EVENT_BUDGET = 12


@pytest.fixture
def app_config():
    """The page cache off: what is counted is the rendering (a cached hit is one statement,
    tests/test_pagecache.py)."""
    return {"PAGE_CACHE_SIZE": 0}


@contextmanager
def counting():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def statements_for(client, url):
    client.get(url)  # warm: first-request work (caches, territory) is not what is measured
    with counting() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return list(statements)


def make_events(make_event, number, start_offset=0):
    """`number` events: plain ones in every bassin, with venues, series and organisers, and
    recurring ones (each giving several dates in the list)."""
    bassins = ("centre-ouest", "nord", "nord-est", "sud", "sud-est")
    communes = ("anderlecht", "jette", "evere", "forest", "etterbeek")
    now = utcnow()
    created = []
    for n in range(start_offset, start_offset + number):
        fields = {}
        if n % 5 == 0:
            fields["rrule"] = "FREQ=WEEKLY;COUNT=6"
        if n % 3 == 0:
            fields["capacity"] = 30
        created.append(
            make_event(
                f"Activité {n}",
                start=(now + timedelta(days=1 + n % 40, hours=n % 7)).replace(microsecond=0),
                bassins=(bassins[n % 5],) if n % 7 else bassins,
                commune=communes[n % 5],
                series_slug=f"cycle-{n % 4}",
                commit=False,
                **fields,
            )
        )
    db.session.commit()
    return created


# Each of them lists something with 5 events as with 60 (an empty page loads nothing more).
AGENDA_URLS = (
    "/",
    "/bassins/sud/",
    "/?kind=concertation&commune=forest&q=activit",
    "/?theme=cycle-1&from=2026-01-01",
    "/archive/",
)


def test_agenda_pages_constant_statement_count(client, make_event):
    make_event("Passée", start=utcnow() - timedelta(days=3), report_url="https://example.org/r")
    make_events(make_event, 5)
    small = {url: len(statements_for(client, url)) for url in AGENDA_URLS}
    make_events(make_event, 55, start_offset=5)
    for n in range(25):
        make_event(f"Passée {n}", start=utcnow() - timedelta(days=5 + n), commit=False)
    db.session.commit()
    large = {url: len(statements_for(client, url)) for url in AGENDA_URLS}
    assert large == small or all(
        # The count(*) query only runs when a page is full: at most one more.
        large[url] - small[url] in (0, 1)
        for url in AGENDA_URLS
    ), (small, large)
    assert max(large.values()) <= AGENDA_BUDGET, large


def test_agenda_page_with_many_events_is_bounded(client, make_event):
    make_events(make_event, 60)
    first = statements_for(client, "/")
    second = statements_for(client, "/?page=3")
    assert len(first) == len(second) <= AGENDA_BUDGET, (first, second)


@before_the_fixed_dates
def test_event_page_constant_statement_count(client, make_event):
    plain = make_event("Simple", capacity=20, series_slug="cycle-x")
    recurring = make_event(
        "Récurrent",
        start=local(2027, 1, 18, 14),
        rrule="FREQ=MONTHLY;BYDAY=3MO;COUNT=12",
        series_slug="cycle-x",
    )
    # One date elsewhere: the other venues of overridden dates (and their communes) are loaded.
    other = make_event("Ailleurs", commune="uccle")
    first = local(2027, 1, 18, 14)
    recurring.overrides.append(
        OccurrenceOverride(
            recurrence_start=first,
            start_at=first,
            end_at=first + timedelta(hours=2),
            venue_id=other.venue_id,
        )
    )
    db.session.commit()
    small_plain = len(statements_for(client, f"/events/{plain.id}"))
    small_recurring = len(statements_for(client, f"/events/{recurring.id}"))
    make_events(make_event, 60)
    # More dates, more overrides at more venues.
    third = make_event("Ailleurs encore", commune="ixelles")
    recurring.rrule = "FREQ=MONTHLY;BYDAY=3MO;COUNT=24"
    starts = [local(2027, m, d, 14) for m, d in ((2, 15), (3, 15), (4, 19))]
    for number, start in enumerate(starts):
        recurring.overrides.append(
            OccurrenceOverride(
                recurrence_start=start,
                start_at=start + timedelta(hours=1),
                end_at=start + timedelta(hours=3),
                venue_id=(other, third)[number % 2].venue_id,
            )
        )
    db.session.commit()
    large_plain = statements_for(client, f"/events/{plain.id}")
    large_recurring = statements_for(client, f"/events/{recurring.id}")
    assert len(large_plain) == small_plain <= EVENT_BUDGET, large_plain
    assert len(large_recurring) == small_recurring <= EVENT_BUDGET, large_recurring


def test_series_page_bounded(client, make_event):
    make_event("Première", series_slug="cycle-y")
    small = len(statements_for(client, "/series/cycle-y"))
    for n in range(30):
        make_event(
            f"Séance {n}",
            start=utcnow() + timedelta(days=n - 15),
            series_slug="cycle-y",
            commune=("forest", "uccle", "ixelles")[n % 3],
            commit=False,
        )
    db.session.commit()
    assert len(statements_for(client, "/series/cycle-y")) == small
