"""Agenda speed: 20,000 events over 3 years, the public pages under gunicorn vs a trivial view.

    .venv/bin/python bench/bench_agenda.py [--database-url URL] [--events N] [--requests N]

Loads the demo agenda plus N generated events (SQLAlchemy core bulk inserts into venues,
series, events, event_bassins and the event_occurrences index) into a temporary SQLite file
(or the given database, whose tables are dropped and rebuilt), starts `gunicorn -w 2` on a
free port, and prints the median server time of `/`, `/bassins/sud/?kind=concertation`,
`/?q=concertation` (a text search) and `/events/<id>` beside a trivial Flask view of the same
app, with the ratios: once as visitors get them (page cache on, see webapp/pagecache.py), once
with every request rendered.
Aims: agenda pages within 5x, an event page within 3x of the trivial view.
"""

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.common import (  # noqa: E402
    BARE_PATH,
    TRIVIAL_PATH,
    bench_app,
    bench_parser,
    database,
    fresh_schema,
    gunicorn,
    measure,
    print_table,
)
from webapp.agenda.occurrences import occurrence_rows  # noqa: E402
from webapp.agenda.search import search_text  # noqa: E402

AIMS = {"agenda /": 5, "bassin sud, concertations": 5, "search ?q=": 5, "event page": 3}
KIND_WEIGHTS = {
    "concertation": 30,
    "atelier-du-changement": 10,
    "rdv-prevention": 15,
    "formation": 20,
    "rencontre": 10,
    "webinaire": 10,
    "grand-bain": 1,
    "autre": 4,
}
BATCH = 2000


def load(app, events, seed=2):
    """The demo agenda, then `events` generated ones spread over 3 years around today."""
    from webapp.agenda.models import Bassin, Commune, Event, Organisation, Series, Venue
    from webapp.extensions import db
    from webapp.loading.demo import load_demo_data
    from webapp.unit_of_work import unit_of_work

    rng = random.Random(seed)
    with app.app_context():
        with unit_of_work():
            load_demo_data()
        bassins = db.session.execute(select(Bassin.id, Bassin.slug)).all()
        communes = db.session.execute(select(Commune.id, Commune.bassin_id)).all()
        organisers = list(db.session.scalars(select(Organisation.id)))
        venues = _venues(db, Venue, communes, rng)
        series = _series(db, Series, bassins, rng)
        first_id = (db.session.scalar(select(func.max(Event.id))) or 0) + 1
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        rows = (
            _event_rows(i, first_id + i, now, rng, venues, series, organisers, bassins)
            for i in range(events)
        )
        _insert_batches(db, rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum would soon do on a live server: planner statistics.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("ANALYZE")
        return _sample_event(db, Event, now)


def _venues(db, model, communes, rng, count=300):
    from webapp.agenda.models import Commune

    rows = [
        {
            "name": f"Salle bench {n}",
            "address": f"Rue du Banc d'essai {n}",
            "postal_code": "1000",
            "commune_id": rng.choice(communes).id,
        }
        for n in range(count)
    ]
    db.session.execute(insert(model), rows)
    table = model.__table__
    communes = Commune.__table__
    return db.session.execute(
        select(
            table.c.id,
            table.c.name,
            table.c.address,
            communes.c.name_fr,
            communes.c.name_nl,
            communes.c.municipality_fr,
            communes.c.municipality_nl,
        )
        .join(communes, communes.c.id == table.c.commune_id)
        .where(table.c.name.like("Salle bench %"))
    ).all()


def _series(db, model, bassins, rng, count=120):
    from webapp.agenda.models import series_bassins

    rows = [
        {
            "slug": f"bench-series-{n}",
            "theme": f"bench-theme-{n % 12}",
            "kind": "concertation",
            "title_fr": f"Cycle de test {n}",
        }
        for n in range(count)
    ]
    db.session.execute(insert(model), rows)
    ids = list(db.session.scalars(select(model.id).where(model.slug.like("bench-series-%"))))
    db.session.execute(
        insert(series_bassins), [{"series_id": i, "bassin_id": rng.choice(bassins).id} for i in ids]
    )
    return ids


def _event_rows(n, event_id, now, rng, venues, series, organisers, bassins):
    """(event row, bassin rows, occurrence row) of one generated event."""
    start = now + timedelta(days=rng.uniform(-548, 548), hours=rng.choice((0, 1, 2, 3)))
    start = start.replace(hour=rng.choice((7, 8, 9, 12, 13, 17)), minute=0)
    end = start + timedelta(hours=rng.choice((1, 2, 3, 6)))
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    venue = rng.choice(venues) if rng.random() < 0.85 else None
    status = rng.choices(("published", "draft", "cancelled", "postponed"), weights=(90, 4, 4, 2))[0]
    regional = rng.random() < 0.05
    event_bassins = bassins if regional else [rng.choice(bassins)]
    event = {
        "id": event_id,
        "external_id": f"bench-{n}",
        "kind": kind,
        "audience": "professionals",
        "title_fr": f"Activité de test {n} – {kind}",
        "title_nl": f"Testactiviteit {n}" if n % 2 else None,
        "description_fr": "Une activité générée pour le banc d'essai de l'agenda. " * 4,
        "start_at": start,
        "end_at": end,
        "venue_id": venue.id if venue else None,
        "online_url": None if venue else "https://example.org/visio",
        "series_id": rng.choice(series) if kind == "concertation" else None,
        "organiser_id": rng.choice(organisers) if organisers else None,
        "registration_mode": "open",
        "capacity": rng.choice((None, 20, 30, 50)),
        "waitlist_enabled": True,
        "status": status,
        "sequence": 0,
        "created_at": now,
        "updated_at": now,
    }
    # The folded search text, as agenda.changes would keep it (the venue row carries its commune).
    event["search_text"] = search_text(
        SimpleNamespace(description_nl=None, **event), venue=venue, commune=venue
    )
    links = [{"event_id": event_id, "bassin_id": b.id} for b in event_bassins]
    # The app's own index row (and its copies of status, kind...), as the listener would write.
    (occurrence,) = occurrence_rows(SimpleNamespace(**event, rrule=None, rdates=None, overrides=[]))
    return event, links, occurrence


def _insert_batches(db, rows):
    from webapp.agenda.models import Event, EventOccurrence, event_bassins

    events, links, occurrences = [], [], []

    def flush():
        if events:
            db.session.execute(insert(Event.__table__), events)
            db.session.execute(insert(event_bassins), links)
            db.session.execute(insert(EventOccurrence.__table__), occurrences)
        events.clear(), links.clear(), occurrences.clear()

    for event, event_links, occurrence in rows:
        events.append(event)
        links.extend(event_links)
        occurrences.append(occurrence)
        if len(events) >= BATCH:
            flush()
    flush()


def _sample_event(db, model, now):
    """A published upcoming one-off generated event with a venue and a series."""
    return db.session.scalar(
        select(model.id)
        .where(
            model.external_id.like("bench-%"),
            model.status == "published",
            model.start_at > now + timedelta(days=30),
            model.venue_id.is_not(None),
            model.series_id.is_not(None),
        )
        .order_by(model.start_at)
        .limit(1)
    )


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="generated events")
    args = parser.parse_args(argv)
    with database(args.database_url) as url:
        started = time.perf_counter()
        app = bench_app(url)
        fresh_schema(app)
        event_id = load(app, args.events)
        loaded = time.perf_counter() - started
        backend = url.split(":", 1)[0]
        print(f"bench_agenda: {args.events} events + demo data into {backend} in {loaded:.1f}s")
        pages = [
            ("trivial view (same app)", TRIVIAL_PATH),
            ("agenda /", "/"),
            ("bassin sud, concertations", "/bassins/sud/?kind=concertation"),
            ("search ?q=", "/?q=concertation"),
            ("event page", f"/events/{event_id}"),
            ("bare Flask trivial view", BARE_PATH + "/"),
        ]
        # Steady state: pages kept per content generation and minute (webapp/pagecache.py).
        with gunicorn("bench.bench_wsgi:app", url, workers=args.workers) as server:
            stats = [measure(server, path, args.requests, label=label) for label, path in pages]
        print(
            f"gunicorn -w {args.workers}, {args.requests} sequential requests per page, "
            "page cache on (what visitors get between two changes, within a minute):"
        )
        print_table(stats, baseline=stats[0], aims=AIMS)
        print("(a cached page reads the content generation on a raw DBAPI connection, which")
        print(" the sql ms and queries columns do not see: one SELECT by primary key)")
        # Every request rendered: what the first visitor after a change or a new minute gets.
        off = {"PAGE_CACHE_SIZE": "0"}
        with gunicorn("bench.bench_wsgi:app", url, workers=args.workers, env=off) as server:
            stats = [measure(server, path, args.requests, label=label) for label, path in pages]
        print("page cache off (every request rendered):")
        print_table(stats, baseline=stats[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
