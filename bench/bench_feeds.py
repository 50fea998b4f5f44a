"""Feeds speed: 5,000 events of one bassin (recurring ones included) as .ics under gunicorn.

    .venv/bin/python bench/bench_feeds.py [--database-url URL] [--events N] [--seconds S]

Fills a temporary SQLite file (or the given database, whose tables are dropped and rebuilt)
with N events in Bassin Nord-Est over the feed's window (a tenth of them monthly rendez-vous
with a skipped month, some with one moved date), then prints:
- cold feed generation time per 1,000 events (query + build + bytes, in process, median of 5;
  and the first request of each gunicorn worker);
- requests per second under `gunicorn -w 2` for the warm feed, for 304 answers, and for the
  same bytes served as a static file by the same gunicorn (the practical limit), with ratios.
Aims: warm feed >= 70% of the static-file rate; cold generation < 150 ms per 1,000 events.
"""

import os
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from bench.common import (  # noqa: E402
    ServerTiming,
    bench_app,
    bench_parser,
    database,
    fresh_schema,
    gunicorn,
)

BASSIN = "nord-est"
FEED = f"/bassins/{BASSIN}/agenda.ics"
STATIC_PATH = "/__bench/static-feed.ics"
AIM_WARM_RATIO = 0.70
AIM_COLD_MS = 150


def make_wsgi():
    """What gunicorn serves: the app, plus the feed's bytes as a static file (send_file)."""
    from flask import send_file

    from webapp import create_app
    from webapp.extensions import db

    app = create_app()
    static_file = os.environ["BENCH_STATIC_FILE"]

    @app.get(STATIC_PATH)
    def static_feed():
        return send_file(static_file, mimetype="text/calendar", conditional=True, max_age=300)

    with app.app_context():
        engine = db.engine
    return ServerTiming(app, engine)


def load(app, count, seed=4):
    """`count` events in one bassin, spread from 5 months ago to 18 months ahead."""
    import random

    from webapp.agenda.models import (
        Bassin,
        Commune,
        Event,
        EventOccurrence,
        OccurrenceOverride,
        Venue,
        event_bassins,
    )
    from webapp.agenda.occurrences import occurrence_rows, occurrences
    from webapp.agenda.territory import load_territory
    from webapp.extensions import db

    rng = random.Random(seed)
    with app.app_context():
        load_territory()
        db.session.commit()
        bassin_id = db.session.scalar(select(Bassin.id).where(Bassin.slug == BASSIN))
        communes = list(
            db.session.scalars(select(Commune.id).where(Commune.bassin_id == bassin_id))
        )
        db.session.execute(
            insert(Venue),
            [
                {
                    "name": f"Salle {n}",
                    "address": f"Rue de l'Essai {n}",
                    "postal_code": "1030",
                    "commune_id": rng.choice(communes),
                }
                for n in range(100)
            ],
        )
        venues = list(db.session.scalars(select(Venue.id)))
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        events, links, overrides, rows = [], [], [], []
        for n in range(count):
            event_id = n + 1
            start = now + timedelta(days=rng.uniform(-150, 540))
            start = start.replace(hour=rng.choice((8, 9, 12, 13)))
            recurring = n % 10 == 0
            event = {
                "id": event_id,
                "kind": "rdv-prevention" if recurring else "concertation",
                "audience": "professionals",
                "title_fr": f"Concertation {n}, « santé » ; réseau",
                "title_nl": f"Overleg {n}",
                "description_fr": "Ordre du jour : accueil, échanges, suite.\n\n" * 3,
                "start_at": start,
                "end_at": start + timedelta(hours=3),
                "venue_id": rng.choice(venues),
                "registration_mode": "open",
                "waitlist_enabled": True,
                "status": "cancelled" if n % 50 == 7 else "published",
                "rrule": "FREQ=MONTHLY;BYDAY=3MO;COUNT=12" if recurring else None,
                "exdates": None,
                "sequence": 0,
                "created_at": now,
                "updated_at": now,
                "contact_email": "coordination@bassin-nord-est.be",
                "series_id": None,
            }
            shape = SimpleNamespace(**event, overrides=[])
            if recurring:
                dates = occurrences(shape)
                event["exdates"] = [dates[5].start.date().isoformat()]
                shape.exdates = event["exdates"]
                moved = dates[2].recurrence_start
                override = {
                    "event_id": event_id,
                    "recurrence_start": moved,
                    "start_at": moved + timedelta(hours=1),
                    "end_at": moved + timedelta(hours=4),
                    "venue_id": rng.choice(venues),
                    "cancelled": False,
                }
                overrides.append(override)
                shape.overrides = [SimpleNamespace(**override)]
            events.append(event)
            links.append({"event_id": event_id, "bassin_id": bassin_id})
            rows.extend(occurrence_rows(shape))
        db.session.execute(insert(Event.__table__), events)
        db.session.execute(insert(event_bassins), links)
        db.session.execute(insert(OccurrenceOverride.__table__), overrides)
        db.session.execute(insert(EventOccurrence.__table__), rows)
        db.session.commit()


def cold_generation(app, runs=5):
    """Median ms of query + build + bytes of the bassin feed, and the event count and bytes."""
    from webapp.feeds.ical import calendar_text
    from webapp.feeds.views import feed_events, feed_filters

    times = []
    with app.test_request_context(FEED):
        for _ in range(runs):
            started = time.perf_counter()
            events = feed_events(feed_filters({}, bassin=BASSIN))
            body = calendar_text(events, name="Bench", method="PUBLISH")
            times.append((time.perf_counter() - started) * 1000)
            from webapp.extensions import db

            db.session.expunge_all()
    return statistics.median(times), len(events), body


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:  # 304 arrives as an HTTPError
        return error.code, b"", error.headers


def _client_loop(job):
    """One client process: GET in a loop until the deadline; (requests done, bad status)."""
    import http.client
    from urllib.parse import urlsplit

    url, headers, expect, deadline = job
    parts = urlsplit(url)
    done = 0
    while time.time() < deadline:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request("GET", parts.path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != expect:
            return done, response.status
        done += 1
    return done, None


def rate(url, seconds, clients, headers=None, expect=200):
    """Requests per second with `clients` client processes in a loop for `seconds`."""
    from multiprocessing import get_context

    with get_context("spawn").Pool(clients) as pool:
        # Processes start first; the clock runs from a common deadline.
        pool.map(time.sleep, [0.01] * clients)
        started = time.time()
        deadline = started + seconds
        results = pool.map(_client_loop, [(url, headers, expect, deadline)] * clients)
        elapsed = time.time() - started
    bad = [status for _done, status in results if status is not None]
    if bad:
        raise RuntimeError(f"{url}: status {bad[0]}, expected {expect}")
    return sum(done for done, _status in results) / elapsed


def server_ms(headers):
    value = headers.get("Server-Timing", "")
    return float(value.split("app;dur=")[1].split(",")[0]) if "app;dur=" in value else None


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="events in the bassin")
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per rate")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    args = parser.parse_args(argv)
    with database(args.database_url) as url, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app = bench_app(url)
        fresh_schema(app)
        load(app, args.events)
        print(
            f"bench_feeds: {args.events} events in {BASSIN} into {url.split(':')[0]} "
            f"in {time.perf_counter() - started:.1f}s"
        )
        cold_ms, listed, body = cold_generation(app)
        per_thousand = cold_ms / listed * 1000
        static_file = Path(folder) / "feed.ics"
        static_file.write_bytes(body)
        env = {"BENCH_STATIC_FILE": str(static_file), "RATELIMIT_ENABLED": "0"}
        with gunicorn(
            "bench.bench_feeds:make_wsgi()", url, workers=args.workers, env=env
        ) as server:
            status, feed, headers = fetch(server.url + FEED)
            first_ms = server_ms(headers)
            for _ in range(args.workers * 3):  # every worker has its copy
                fetch(server.url + FEED)
            assert status == 200 and b"BEGIN:VEVENT" in feed
            etag = headers["ETag"]
            static = rate(server.url + STATIC_PATH, args.seconds, args.clients)
            warm = rate(server.url + FEED, args.seconds, args.clients)
            not_modified = rate(
                server.url + FEED, args.seconds, args.clients, {"If-None-Match": etag}, 304
            )
            warm_ms = [server_ms(fetch(server.url + FEED)[2]) for _ in range(50)]
        print(f"feed: {listed} events (a tenth recurring), {len(feed) / 1024:.0f} KiB")
        print(
            f"cold generation (in process, median of 5): {cold_ms:.0f} ms, "
            f"{per_thousand:.0f} ms per 1,000 events  aim < {AIM_COLD_MS}: "
            f"{'ok' if per_thousand < AIM_COLD_MS else 'MISSED'}"
        )
        print(f"cold first request under gunicorn (server time): {first_ms:.0f} ms")
        print(f"warm feed server time (median of 50): {statistics.median(warm_ms):.2f} ms")
        print(f"gunicorn -w {args.workers}, {args.clients} clients, {args.seconds:.0f}s each:")
        print(f"{'what':<34} {'req/s':>8} {'vs static':>10}")
        for label, value in (
            ("static file, same bytes", static),
            ("warm feed (200)", warm),
            ("304 Not Modified", not_modified),
        ):
            print(f"{label:<34} {value:>8.0f} {value / static:>9.0%}")
        ratio = warm / static
        print(
            f"aim: warm feed >= {AIM_WARM_RATIO:.0%} of the static rate: "
            f"{'ok' if ratio >= AIM_WARM_RATIO else 'MISSED'} ({ratio:.0%})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
