"""Feeds speed: 5,000 events of one bassin (recurring ones included) as .ics under gunicorn.

    .venv/bin/python bench/bench_feeds.py [--database-url URL] [--events N] [--seconds S]

Fills a temporary SQLite file (or the given database, whose tables are dropped and rebuilt)
with N events in Bassin Nord-Est over the feed's window (a tenth of them monthly rendez-vous
with a skipped month, some with one moved date), then prints:
- cold feed generation time per 1,000 events (query + build + bytes, in process, median of 5;
  and the first request of each gunicorn worker);
- requests per second as clients see them (several client processes sending HTTP requests to
  127.0.0.1, a new connection each) against `gunicorn -w 2`: the warm feed, its 304 answers,
  and a cached event page (a page-cache hit), beside a bare WSGI app serving the same feed
  bytes under the same gunicorn settings, measured in the same run.
Aims: warm feed >= 70% of the bare app's rate; a 304 about the cost of a cached page hit
(>= 80% of its rate); cold generation < 150 ms per 1,000 events.
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
EVENT_PAGE = "/events/2"
AIM_WARM_RATIO = 0.70
AIM_304_RATIO = 0.80
AIM_COLD_MS = 150
# Each client stops at its deadline or after this many requests, whichever comes first.
MAX_REQUESTS_PER_CLIENT = 200_000


def make_wsgi():
    """What gunicorn serves: the app, timed (Server-Timing)."""
    from webapp import create_app
    from webapp.extensions import db

    app = create_app()
    with app.app_context():
        engine = db.engine
    return ServerTiming(app, engine)


def bare_wsgi():
    """The practical limit: a minimal WSGI callable answering every request with the bytes."""
    body = Path(os.environ["BENCH_STATIC_FILE"]).read_bytes()
    headers = [
        ("Content-Type", "text/calendar; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("ETag", '"bare"'),
    ]

    def application(environ, start_response):
        start_response("200 OK", headers)
        return [body]

    return application


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
    assert parts.hostname == "127.0.0.1"  # only ever the local server
    done = 0
    while time.time() < deadline and done < MAX_REQUESTS_PER_CLIENT:
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


def _verdict(ratio, aim):
    return f"{'ok' if ratio >= aim else 'MISSED'} ({ratio:.0%}, aim >= {aim:.0%})"


def measure_app(server, args):
    """The feed (first, warm, 304) and a cached page, as clients see them."""
    status, feed, headers = fetch(server.url + FEED)
    first_ms = server_ms(headers)
    assert status == 200 and b"BEGIN:VEVENT" in feed
    for _ in range(args.workers * 3):  # every worker has its copy of the feed and the page
        fetch(server.url + FEED)
        fetch(server.url + EVENT_PAGE)
    etag = headers["ETag"]
    return SimpleNamespace(
        feed=feed,
        first_ms=first_ms,
        warm=rate(server.url + FEED, args.seconds, args.clients),
        not_modified=rate(
            server.url + FEED, args.seconds, args.clients, {"If-None-Match": etag}, 304
        ),
        page=rate(server.url + EVENT_PAGE, args.seconds, args.clients),
        warm_ms=[server_ms(fetch(server.url + FEED)[2]) for _ in range(50)],
        not_modified_ms=[
            server_ms(fetch(server.url + FEED, {"If-None-Match": etag})[2]) for _ in range(50)
        ],
    )


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="events in the bassin")
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per rate")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
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
        spec = "bench.bench_feeds:make_wsgi()"
        with gunicorn(spec, url, workers=args.workers, env=env) as server:
            measured = measure_app(server, args)
        bare_spec = "bench.bench_feeds:bare_wsgi()"
        with gunicorn(bare_spec, url, workers=args.workers, env=env) as server:
            bare = rate(server.url + FEED, args.seconds, args.clients)
        print(f"feed: {listed} events (a tenth recurring), {len(measured.feed) / 1024:.0f} KiB")
        print(
            f"cold generation (in process, median of 5): {cold_ms:.0f} ms, "
            f"{per_thousand:.0f} ms per 1,000 events  aim < {AIM_COLD_MS}: "
            f"{'ok' if per_thousand < AIM_COLD_MS else 'MISSED'}"
        )
        print(f"cold first request under gunicorn (server time): {measured.first_ms:.0f} ms")
        print(
            f"server time, median of 50: warm feed {statistics.median(measured.warm_ms):.2f} ms, "
            f"304 {statistics.median(measured.not_modified_ms):.2f} ms"
        )
        print(
            f"as clients see it: gunicorn -w {args.workers}, {args.clients} client processes "
            f"on 127.0.0.1, {args.seconds:.0f}s each:"
        )
        print(f"{'what':<40} {'req/s':>8} {'vs bare':>8}")
        for label, value in (
            ("bare WSGI app, same feed bytes", bare),
            ("warm feed (200, body cached)", measured.warm),
            ("feed 304 Not Modified", measured.not_modified),
            (f"cached page hit ({EVENT_PAGE})", measured.page),
        ):
            print(f"{label:<40} {value:>8.0f} {value / bare:>7.0%}")
        print(f"aim: warm feed vs bare app: {_verdict(measured.warm / bare, AIM_WARM_RATIO)}")
        print(
            "aim: 304 vs cached page hit: "
            f"{_verdict(measured.not_modified / measured.page, AIM_304_RATIO)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
