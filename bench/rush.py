"""The rush: 500 people register within 10 seconds for 30 places through two gunicorn
instances sharing one PostgreSQL and one Redis, while 50 calendar clients poll the feeds.

    .venv/bin/python bench/rush.py [--database-url URL] [--redis-url URL] [--window 10]

It starts and stops everything it needs on loopback ports: two `gunicorn -w 4 wsgi:app`
(the production entry point) on two free ports, both with DATABASE_URL on the same
PostgreSQL (its tables are DROPPED and rebuilt; default the `rush` database) and CACHE_URL
and RATELIMIT_STORAGE_URI on the same Redis db (default db 14, flushed before and after).

Each simulated person arrives at a random moment of the window, loads the form from one
instance (session cookie and CSRF token) and POSTs it to the other one (the session is
signed with the key both share, as behind a load balancer without sticky sessions); only
the POST is timed, and 303 is the one right answer. Meanwhile 50 pollers ask for
/agenda.ics and /bassins/sud/agenda.ics on both instances in turn with the ETag they last
got (If-None-Match): 200 the first time and after a change, 304 otherwise.

Rate limits stay ON, counted in the shared Redis: that is what production runs, and the
limiter's Redis round trips are part of the cost of a registration. The instances trust
one proxy (TRUSTED_PROXIES=1) and each person sends its own X-Forwarded-For address, as
nginx would: 500 people behind one address would rightly be stopped at 20 a minute.

Then it checks in the database: 30 confirmed, 470 waitlisted, the places went to the first
30 arrivals (by registration id, the order the event lock let them in) and the waitlist
positions are 1..470 in that order with no gap, no email twice, events.confirmed_count is
30, every 303 named one of the registrations; and 0 HTTP errors (no 5xx, no refused or
dropped connection, no 429). It prints the figures and exits 1 with a loud message when a
count is wrong. Without PostgreSQL or Redis it prints "rush skipped: ..." and exits 0.
"""

import argparse
import contextlib
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.common import (  # noqa: E402
    bench_app,
    csrf_token,
    fresh_schema,
    gunicorn,
    percentile,
    person_form,
)

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rush"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
PLACES = 30
BASSIN = "sud"
FEEDS = ("/agenda.ics", f"/bassins/{BASSIN}/agenda.ics")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL database whose tables are DROPPED and rebuilt ({DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help=f"Redis db for the cache and the rate limits, flushed ({DEFAULT_REDIS_URL})",
    )
    parser.add_argument("--people", type=int, default=500, help="people who register")
    parser.add_argument("--window", type=float, default=10.0, help="seconds they arrive in")
    parser.add_argument("--pollers", type=int, default=50, help="feed clients polling")
    parser.add_argument(
        "--poll-interval", type=float, default=0.2, help="seconds a poller waits between polls"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per instance")
    parser.add_argument(
        "--clients", type=int, default=100, help="people in flight at once at most (threads)"
    )
    parser.add_argument("--seed", type=int, default=15, help="seed of the arrival moments")
    # run_all.py hands its options to every benchmark: take and ignore the others' ones.
    args, _ignored = parser.parse_known_args(argv)
    return args


# --- services ----------------------------------------------------------------------------


def unreachable(database_url, redis_url):
    """Why PostgreSQL or Redis cannot be used, or None when both answer."""
    import redis
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return (
            f"PostgreSQL at {engine.url.render_as_string()} does not answer ({_first_line(error)})"
        )
    finally:
        engine.dispose()
    try:
        redis.Redis.from_url(redis_url, socket_timeout=2).ping()
    except Exception as error:
        return f"Redis at {redis_url} does not answer ({_first_line(error)})"
    return None


def _first_line(error):
    return (str(error).splitlines() or [type(error).__name__])[0]


def flush_redis(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


def load_event(app, places=PLACES):
    """One published event in the sud bassin, open for registration, with a waitlist."""
    from webapp.agenda.models import Bassin, Event
    from webapp.agenda.territory import load_territory
    from webapp.extensions import db
    from webapp.timezones import utcnow

    with app.app_context():
        load_territory()
        bassin = db.session.query(Bassin).filter_by(slug=BASSIN).one()
        start = utcnow().replace(microsecond=0) + timedelta(days=20)
        event = Event(
            kind="concertation",
            title_fr="Concertation de la ruée",
            start_at=start,
            end_at=start + timedelta(hours=3),
            capacity=places,
            waitlist_enabled=True,
            bassins=[bassin],
        )
        db.session.add(event)
        db.session.commit()
        return event.id


# --- the clients -------------------------------------------------------------------------


@dataclass
class Record:
    """What the clients saw, appended from many threads under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    post_ms: list = field(default_factory=list)
    post_spans: list = field(default_factory=list)  # (started, ended) perf_counter
    post_statuses: list = field(default_factory=list)
    tokens: list = field(default_factory=list)  # from the 303 Location
    poll_ms: list = field(default_factory=list)
    poll_statuses: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # what went wrong, in words

    def error(self, text):
        with self.lock:
            self.errors.append(text)


def person(n, servers, event_id, address, record):
    """Load the form from one instance and POST it to the other; time the POST."""
    path = f"/events/{event_id}/register"
    headers = {"X-Forwarded-For": address}
    form_server, post_server = servers[n % 2], servers[(n + 1) % 2]
    with requests.Session() as session:
        try:
            form = session.get(form_server.url + path, headers=headers, timeout=30)
            if form.status_code != 200:
                record.error(f"person {n}: form answered {form.status_code}")
                return
            data = person_form(n, csrf_token(form.text))
            started = time.perf_counter()
            response = session.post(
                post_server.url + path,
                data=data,
                headers=headers,
                allow_redirects=False,
                timeout=30,
            )
            ended = time.perf_counter()
        except (requests.RequestException, RuntimeError) as error:
            record.error(f"person {n}: {type(error).__name__}: {error}")
            return
    location = response.headers.get("Location", "")
    with record.lock:
        record.post_ms.append((ended - started) * 1000)
        record.post_spans.append((started, ended))
        record.post_statuses.append(response.status_code)
        if response.status_code == 303:
            record.tokens.append(location.rstrip("/").rsplit("/", 1)[-1])
    if response.status_code != 303:
        record.error(f"person {n}: POST answered {response.status_code}")


def poller(n, servers, stop, interval, record):
    """Poll both feeds on both instances in turn with If-None-Match until `stop` is set."""
    etags = {}
    turn = n
    with requests.Session() as session:
        while not stop.is_set():
            path = FEEDS[turn % len(FEEDS)]
            server = servers[(turn // len(FEEDS)) % len(servers)]
            turn += 1
            headers = {"If-None-Match": etags[path]} if path in etags else {}
            started = time.perf_counter()
            try:
                response = session.get(server.url + path, headers=headers, timeout=30)
            except requests.RequestException as error:
                record.error(f"poller {n}: {type(error).__name__}: {error}")
                stop.wait(interval)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with record.lock:
                record.poll_ms.append(elapsed)
                record.poll_statuses.append(response.status_code)
            if response.status_code == 200:
                etags[path] = response.headers.get("ETag", "")
            elif response.status_code != 304:
                record.error(f"poller {n}: {path} answered {response.status_code}")
            stop.wait(interval)


def rush(servers, event_id, options):
    """Run the people and the pollers; returns the Record and the POSTs' wall seconds."""
    record = Record()
    chance = random.Random(options.seed)
    arrivals = sorted(chance.uniform(0, options.window) for _ in range(options.people))
    stop = threading.Event()
    pollers = [
        threading.Thread(
            target=poller, args=(n, servers, stop, options.poll_interval, record), daemon=True
        )
        for n in range(options.pollers)
    ]
    for thread in pollers:
        thread.start()
    try:
        began = time.perf_counter()

        def arrive(n):
            delay = began + arrivals[n] - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            # One address each, as nginx would forward it (10.x.y.z).
            address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
            person(n, servers, event_id, address, record)

        with ThreadPoolExecutor(max_workers=options.clients) as people:
            list(people.map(arrive, range(options.people)))
    finally:
        stop.set()
        for thread in pollers:
            thread.join(timeout=35)
    spans = record.post_spans
    wall = max(end for _, end in spans) - min(start for start, _ in spans) if spans else 0.0
    return record, wall


# --- the checks --------------------------------------------------------------------------


def database_counts(app, event_id):
    """The facts the rush must leave in the database."""
    from sqlalchemy import func, select

    from webapp.agenda.models import Event
    from webapp.extensions import db
    from webapp.registrations import rules
    from webapp.registrations.models import Registration

    with app.app_context():
        rows = db.session.scalars(
            select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
        ).all()
        confirmed = [r for r in rows if r.status == "confirmed"]
        waitlisted = [r for r in rows if r.status == "waitlisted"]
        positions = [rules.waitlist_position(r) for r in waitlisted]
        event = db.session.get(Event, event_id)
        emails = db.session.scalar(
            select(func.count(func.distinct(Registration.email))).where(
                Registration.event_id == event_id
            )
        )
        created = [r.created_at for r in rows]
        return {
            "registrations": len(rows),
            "confirmed": len(confirmed),
            "waitlisted": len(waitlisted),
            "other": len(rows) - len(confirmed) - len(waitlisted),
            "distinct emails": emails,
            "confirmed_count": event.confirmed_count,
            # The places went to the first arrivals: every confirmed id before every waiting one.
            "places to the first": bool(confirmed)
            and (not waitlisted or max(r.id for r in confirmed) < min(r.id for r in waitlisted)),
            "waitlist positions": positions == list(range(1, len(waitlisted) + 1)),
            "arrival order": created == sorted(created),
            "tokens": {r.token for r in rows},
        }


def problems(counts, record, people, places):
    """What is wrong, in words (empty when the rush went right)."""
    waiting = max(people - places, 0)
    found = []
    expected = {
        "registrations": people,
        "confirmed": min(people, places),
        "waitlisted": waiting,
        "other": 0,
        "distinct emails": people,
        "confirmed_count": min(people, places),
    }
    for name, value in expected.items():
        if counts[name] != value:
            found.append(f"{name}: {counts[name]}, expected {value}")
    for name in ("places to the first", "waitlist positions", "arrival order"):
        if not counts[name]:
            found.append(f"{name}: wrong")
    if set(record.tokens) != counts["tokens"] or len(record.tokens) != people:
        found.append(
            f"the 303 answers named {len(set(record.tokens))} registrations, "
            f"the database holds {len(counts['tokens'])}"
        )
    if record.errors:
        found.append(f"{len(record.errors)} HTTP errors, first: {record.errors[0]}")
    return found


def line(name, values, seconds):
    rate = len(values) / seconds if seconds else 0.0
    p50, p95, p99 = (percentile(values, f) or 0.0 for f in (0.5, 0.95, 0.99))
    return f"{name:<22} {len(values):>6} {rate:>9.1f} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}"


def report(options, record, wall, poll_wall, counts):
    statuses = sorted(set(record.post_statuses))
    not_modified = record.poll_statuses.count(304)
    share = not_modified / len(record.poll_statuses) if record.poll_statuses else 0.0
    print(
        f"\nRush: {options.people} people in {options.window:g} s for {PLACES} places, "
        f"2 instances x gunicorn -w {options.workers}, {options.pollers} feed pollers, "
        "PostgreSQL + Redis, rate limits on"
    )
    print(f"{'':<22} {'count':>6} {'per s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    print(line("registration POST", record.post_ms, wall))
    print(line("feed poll", record.poll_ms, poll_wall))
    print(f"  POSTs answered {statuses} over {wall:.1f} s; feed polls: {share:.0%} were 304")
    print(
        f"  database: {counts['confirmed']} confirmed, {counts['waitlisted']} waitlisted "
        f"(positions 1..{counts['waitlisted']} in arrival order: "
        f"{'yes' if counts['waitlist positions'] and counts['places to the first'] else 'NO'}), "
        f"{counts['other']} other, {counts['distinct emails']} distinct emails, "
        f"confirmed_count {counts['confirmed_count']}; HTTP errors: {len(record.errors)}"
    )


def main(argv=None):
    options = parse_args(argv)
    if not options.database_url.startswith("postgresql"):
        print(f"rush skipped: it needs PostgreSQL, not {options.database_url.split(':')[0]}")
        return 0
    why = unreachable(options.database_url, options.redis_url)
    if why:
        print(f"rush skipped: {why}")
        return 0
    app = bench_app(options.database_url)
    fresh_schema(app)
    event_id = load_event(app)
    env = {
        "CACHE_URL": options.redis_url,
        "RATELIMIT_STORAGE_URI": options.redis_url,
        "RATELIMIT_ENABLED": "1",
        "TRUSTED_PROXIES": "1",
    }
    flush_redis(options.redis_url)
    try:
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(
                    gunicorn("wsgi:app", options.database_url, workers=options.workers, env=env)
                )
                for _ in range(2)
            ]
            started = time.perf_counter()
            record, wall = rush(servers, event_id, options)
            poll_wall = time.perf_counter() - started
    finally:
        flush_redis(options.redis_url)
    counts = database_counts(app, event_id)
    report(options, record, wall, poll_wall, counts)
    found = problems(counts, record, options.people, PLACES)
    if found:
        print("\n!!! RUSH FAILED !!!", file=sys.stderr)
        for problem in found:
            print(f"!!! {problem}", file=sys.stderr)
        for error in record.errors[1:10]:
            print(f"    {error}", file=sys.stderr)
        return 1
    print("  rush ok: every count as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
