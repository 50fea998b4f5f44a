"""Feeds speed: 5,000 events of one bassin as .ics, from outside gunicorn, as deployed.

    .venv/bin/python bench/bench_feeds.py [--database-url URL ...] [--events N]
        [--seconds S] [--runs N] [--workers W] [--redis-url URL]

For each database in turn (--database-url repeated; `sqlite`, the default, is a temporary
SQLite file; a PostgreSQL database given has its tables DROPPED and rebuilt): fills it with N
events in Bassin Nord-Est over the feed's window (a tenth of them monthly rendez-vous with a
skipped month and one moved date), then starts, side by side and with the same settings
(`gunicorn -c deploy/gunicorn.conf.py -w W`, as deploy/agenda.service does, access log on):
- the app as deployed (`wsgi:app`), its CACHE_URL and rate limits on a Redis db of the bench
  (--redis-url, default db 13; its `feed:*` and `page:*` keys are deleted before and after);
- a bare WSGI app answering every request with the feed's bytes and the app's own headers.
and prints, measured by `wrk` (another process, W x 8 connections, 2 threads) for S seconds,
bare and app in alternation R times:
- requests per second of the bare app and of the warm feed, and their ratio (median of the R
  ratios); also the feed's 304 rate, for information;
- the cold build per 1,000 events, from outside: the content generation is moved (a new
  ETag, so no worker and no Redis holds a body for it) and the client times its first
  request, last byte included (median of 5); beside it, the build function in process
  (query + entries + bytes, median of 5).
Aims (issue 21): warm feed >= 0.70 of the bare app, cold build <= 100 ms per 1,000 events.
The machine's load average is printed before and after: other work on it moves the figures.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from bench.common import (  # noqa: E402
    ROOT,
    bench_app,
    bench_parser,
    database,
    fresh_schema,
    gunicorn,
)

BASSIN = "nord-est"
FEED = f"/bassins/{BASSIN}/agenda.ics"
AIM_WARM_RATIO = 0.70
AIM_COLD_MS = 100
CONNECTIONS_PER_WORKER = 8
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
DEPLOY_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
# Headers gunicorn writes itself (the bare app must not send them twice).
SERVER_HEADERS = {"date", "server", "connection", "transfer-encoding"}
COLD_RUNS = 5


# --- the bare app (in the bare gunicorn's workers) ---------------------------------------


def bare_wsgi():
    """The practical limit: a WSGI callable answering every request with the feed's bytes and
    the headers the app sent with them (BENCH_FEED_FILE, BENCH_FEED_HEADERS)."""
    body = Path(os.environ["BENCH_FEED_FILE"]).read_bytes()
    headers = [tuple(pair) for pair in json.loads(os.environ["BENCH_FEED_HEADERS"])]

    def application(environ, start_response):
        start_response("200 OK", headers)
        return [body]

    return application


# --- the data ----------------------------------------------------------------------------


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
                "rdates": None,
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
        if db.engine.dialect.name == "postgresql":  # the planner's statistics, as in production
            db.session.execute(text("ANALYZE"))
            db.session.commit()


def build_in_process(app, runs=COLD_RUNS):
    """Median ms of the feed's build function (query + entries + bytes): elapsed, and of this
    process's CPU (what the build itself costs, whatever else the machine runs)."""
    from webapp.extensions import db
    from webapp.feeds.ical import calendar_text
    from webapp.feeds.views import feed_events, feed_filters

    elapsed, cpu = [], []
    with app.test_request_context(FEED):
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            events = feed_events(feed_filters({}, bassin=BASSIN))
            calendar_text(events, name="Bench", method="PUBLISH")
            elapsed.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            db.session.rollback()
    return statistics.median(elapsed), statistics.median(cpu)


def move_generation(app):
    """A content change as any write makes it: every feed gets a new ETag (a cold build)."""
    from webapp.extensions import db

    with app.app_context():
        db.session.execute(
            text("UPDATE content_state SET generation = generation + 1 WHERE id = 1")
        )
        db.session.commit()


# --- Redis -------------------------------------------------------------------------------


def empty_redis(url):
    """Delete the bodies a previous run left in the bench's Redis db (nothing else)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    for pattern in ("feed:*", "page:*"):
        keys = list(client.scan_iter(match=pattern, count=500))
        if keys:
            client.delete(*keys)
    client.close()


# --- the client side ---------------------------------------------------------------------


def fetch(url, headers=None):
    """(status, body, headers, seconds to the last byte) of one GET."""
    request = urllib.request.Request(url, headers=headers or {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            return response.status, body, response.headers, time.perf_counter() - started
    except urllib.error.HTTPError as error:  # a 304 arrives as an HTTPError
        return error.code, b"", error.headers, time.perf_counter() - started


def wrk(url, seconds, connections, headers=None):
    """Requests per second that `wrk` sees (fails on errors or unexpected statuses)."""
    # Answers that take long on a loaded machine are waited for, not counted as errors.
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "30s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    problems = re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: [^\n]+)", output)
    if found is None or problems:
        raise RuntimeError(f"wrk {url}: {problems or output}")
    return float(found.group(1))


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def warm(url, workers):
    """Every worker has built or fetched its copy (requests land on any of them)."""
    for _ in range(workers * 4):
        status, _body, _headers, _seconds = fetch(url)
        assert status == 200, status


# --- one database ------------------------------------------------------------------------


def replayed_headers(headers):
    return [(name, value) for name, value in headers.items() if name.lower() not in SERVER_HEADERS]


def bench_database(url, args):
    with database(url) as url, tempfile.TemporaryDirectory() as folder:
        kind = url.split(":")[0].split("+")[0]
        started = time.perf_counter()
        app = bench_app(url)
        fresh_schema(app)
        load(app, args.events)
        print(
            f"\n== {kind}: {args.events} events in {BASSIN}, loaded in "
            f"{time.perf_counter() - started:.1f}s",
            flush=True,
        )
        empty_redis(args.redis_url)
        env = {
            "CACHE_URL": args.redis_url,
            "RATELIMIT_ENABLED": "1",
            "BASE_URL": "http://agenda.example",
            "LOG_LEVEL": "INFO",
        }
        with gunicorn("wsgi:app", url, args.workers, env, config=DEPLOY_CONFIG) as server:
            feed_url = server.url + FEED
            status, body, headers, _seconds = fetch(feed_url)
            assert status == 200 and b"BEGIN:VEVENT" in body, status
            events = len(set(re.findall(rb"\r\nUID:([^\r]+)", body)))
            feed_file = Path(folder) / "feed.ics"
            feed_file.write_bytes(body)
            bare_env = {
                "BENCH_FEED_FILE": str(feed_file),
                "BENCH_FEED_HEADERS": json.dumps(replayed_headers(headers)),
            }
            bare_spec = "bench.bench_feeds:bare_wsgi()"
            with gunicorn(
                bare_spec, url, args.workers, bare_env, ready_path=FEED, config=DEPLOY_CONFIG
            ) as bare_server:
                result = measure(app, feed_url, bare_server.url + FEED, headers, body, args)
        empty_redis(args.redis_url)
        in_process_ms, in_process_cpu_ms = build_in_process(app)
    result.update(
        kind=kind,
        events=events,
        size=len(body),
        in_process_ms=in_process_ms,
        in_process_per_thousand=in_process_ms / events * 1000,
        cpu_per_thousand=in_process_cpu_ms / events * 1000,
    )
    result["cold_per_thousand"] = result["cold_ms"] / events * 1000
    report(result, args)
    return result


def measure(app, feed_url, bare_url, headers, body, args):
    connections = args.workers * CONNECTIONS_PER_WORKER
    warm(feed_url, args.workers)
    warm(bare_url, args.workers)
    bare_status, bare_body, _h, _s = fetch(bare_url)
    assert bare_status == 200 and bare_body == body, "the bare app serves other bytes"
    # Cold builds first: after a wrk run, the workers still drain the requests it left queued.
    cold = []
    for _ in range(COLD_RUNS):
        move_generation(app)
        status, cold_body, cold_headers, seconds = fetch(feed_url)
        assert status == 200 and cold_headers["ETag"] != headers["ETag"], status
        assert len(cold_body) == len(body), "the cold build wrote other bytes"
        cold.append(seconds * 1000)
    warm(feed_url, args.workers)
    bare_rates, app_rates, ratios = [], [], []
    for _ in range(args.runs):
        bare = wrk(bare_url, args.seconds, connections)
        warm_rate = wrk(feed_url, args.seconds, connections)
        bare_rates.append(bare)
        app_rates.append(warm_rate)
        ratios.append(warm_rate / bare)
        print(
            f"  run: bare {bare:.0f}/s, warm feed {warm_rate:.0f}/s, ratio {warm_rate / bare:.2f}",
            flush=True,
        )
    etag = fetch(feed_url)[2]["ETag"]
    not_modified = wrk(feed_url, args.seconds, connections, {"If-None-Match": etag})
    return {
        "bare": statistics.median(bare_rates),
        "warm": statistics.median(app_rates),
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "not_modified": not_modified,
        "cold_ms": statistics.median(cold),
        "colds": cold,
        "connections": connections,
    }


def _verdict(ok):
    return "ok" if ok else "MISSED"


def report(r, args):
    print(f"feed: {r['events']} events, {r['size'] / 1e6:.1f} MB")
    print(
        f"wrk -t2 -c{r['connections']} -d{args.seconds:g}s, gunicorn -w {args.workers} "
        f"(deploy/gunicorn.conf.py), median of {args.runs} alternated runs:"
    )
    print(f"  bare WSGI app, same bytes and headers  {r['bare']:8.0f} req/s")
    print(f"  warm feed (200, cached body)           {r['warm']:8.0f} req/s")
    print(f"  feed 304 (If-None-Match)               {r['not_modified']:8.0f} req/s")
    ratios = ", ".join(f"{value:.2f}" for value in r["ratios"])
    print(
        f"  warm / bare: {r['ratio']:.2f} ({ratios})  aim >= {AIM_WARM_RATIO}: "
        f"{_verdict(r['ratio'] >= AIM_WARM_RATIO)}"
    )
    colds = ", ".join(f"{value:.0f}" for value in r["colds"])
    print(
        f"  cold build, first request after a content change (client, last byte): "
        f"{r['cold_ms']:.0f} ms ({colds}), {r['cold_per_thousand']:.0f} ms per 1,000 events  "
        f"aim <= {AIM_COLD_MS}: {_verdict(r['cold_per_thousand'] <= AIM_COLD_MS)}"
    )
    print(
        f"  build function in process (query + entries + bytes): {r['in_process_ms']:.0f} ms, "
        f"{r['in_process_per_thousand']:.0f} ms per 1,000 events; its CPU time "
        f"{r['cpu_per_thousand']:.0f} ms per 1,000",
        flush=True,
    )


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0], several_databases=True)
    parser.set_defaults(workers=4)
    parser.add_argument("--events", type=int, default=5000, help="events in the bassin")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of each wrk run")
    parser.add_argument("--runs", type=int, default=3, help="alternated bare/app wrk runs")
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help="the Redis db of CACHE_URL and the limits (its feed:* and page:* keys are deleted)",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench_feeds: wrk is needed (apt-get install -y wrk)", file=sys.stderr)
        return 1
    print(f"load average before: {load_average()} ({os.cpu_count()} CPUs)")
    results = [bench_database(url, args) for url in args.database_url or ["sqlite"]]
    print(f"\nload average after: {load_average()}")
    print(
        f"{'database':<12} {'bare/s':>8} {'warm/s':>8} {'ratio':>6} {'304/s':>8} "
        f"{'cold ms/1000':>12} {'in process':>10} {'its CPU':>8}"
    )
    for r in results:
        print(
            f"{r['kind']:<12} {r['bare']:8.0f} {r['warm']:8.0f} {r['ratio']:6.2f} "
            f"{r['not_modified']:8.0f} {r['cold_per_thousand']:12.0f} "
            f"{r['in_process_per_thousand']:10.0f} {r['cpu_per_thousand']:8.0f}"
        )
    missed = [
        r["kind"]
        for r in results
        if r["ratio"] < AIM_WARM_RATIO or r["cold_per_thousand"] > AIM_COLD_MS
    ]
    print(f"aims: {'MISSED on ' + ', '.join(missed) if missed else 'ok'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
