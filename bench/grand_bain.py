"""The Grand Bain's booking rush: 300 visitors each book 3 visits in one POST within 10
seconds, all on the 20 most wanted slots, through two gunicorn instances sharing one
PostgreSQL and one Redis (rate limits on).

    .venv/bin/python bench/grand_bain.py [--database-url URL] [--redis-url URL] [--window 10]
        [--visitors 300] [--hot 20] [--instances 2] [--strict-timing]

It starts and stops what it needs on loopback ports: two `gunicorn -w 4
bench.bench_wsgi:app` (the app plus a trivial CSRF-exempt POST, the "bare POST" baseline)
with DATABASE_URL on PostgreSQL (its tables are DROPPED and rebuilt; default the
`grand_bain` database) and the cache and rate limits on one Redis db (default db 12, flushed
before and after). The edition has 50 services x 6 slots; the 20 most wanted (4 a day, two
at 9:00 and two at 14:00) have 10 places each, so most sets meet a full slot, or hold two
visits at the same hour, and are refused whole (409), as the booking rules want.

Each visitor arrives at a random moment of the window, picks 3 of the 20 wanted slots, loads
the booking page of those 3 slots from one instance (session cookie, CSRF token) and POSTs
it to the other; only the POST is timed. 303 (booked) and 409 (refused whole: a slot full,
two visits too close) are the right answers; anything else is an error. Then the same number
of bare POSTs is timed with the same concurrency, on both instances in turn, and the p95
ratio printed: the targets are a booking POST p95 under 1 s and within 5x the bare POST's
(a miss is printed; with --strict-timing it also fails the run). The machine's load average
is printed before and after: on a shared 2-core machine the waits are mostly queueing.

Then it checks in the database: no slot over capacity, booked_count equal to the slot's
confirmed bookings, every visitor of a 303 has exactly their 3 visits and every refused one
none, no person with two visits that overlap or sit closer than the edition's margin, and 0
HTTP errors. It prints bookings/s, p50/p95 and the counts, and exits 1 loudly when a count is
wrong. Without PostgreSQL or Redis it prints "grand bain skipped: ..." and exits 0.
"""

import contextlib
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.common import (  # noqa: E402
    TRIVIAL_POST_PATH,
    bench_app,
    csrf_token,
    fresh_schema,
    gunicorn,
    percentile,
    person_form,
    server_timing,
)
from bench.rush import flush_redis, unreachable  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/grand_bain"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
SERVICES = 50
SLOTS_PER_SERVICE = 6
PLACES = 3
VISITS = 3
MARGIN = 30
HOT_PLACES = 10
# The targets of the booking POST (issue 24): p95 under 1 s, within 5x a bare POST's p95.
P95_LIMIT_MS = 1000
P95_RATIO_LIMIT = 5


def parse_args(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--visitors", type=int, default=300)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per instance")
    parser.add_argument("--instances", type=int, default=2, help="gunicorn instances")
    parser.add_argument("--hot", type=int, default=20, help="the most wanted slots")
    parser.add_argument("--clients", type=int, default=60, help="visitors in flight at most")
    parser.add_argument("--strict-timing", action="store_true", help="a missed target fails")
    parser.add_argument("--seed", type=int, default=13)
    args, _ignored = parser.parse_known_args(argv)  # run_all.py passes everyone's options
    return args


def load_edition(app, hot=20):
    """An edition open for booking, 50 accepted offers of 6 slots (3 days x morning and
    afternoon); returns (year, the `hot` most wanted slot ids: `hot // 5` a day, half at
    9:00 and half at 14:00, with HOT_PLACES places)."""
    from sqlalchemy import select

    from webapp.agenda.models import Bassin, Commune
    from webapp.agenda.territory import load_territory
    from webapp.extensions import db
    from webapp.grandbain.models import Edition, Offer, Slot
    from webapp.timezones import app_zone, local_today, utcnow

    with app.app_context():
        load_territory()
        monday = local_today() + timedelta(days=28 + (7 - local_today().weekday()) % 7)
        now = utcnow()
        edition = Edition(
            year=monday.year,
            week_start=monday,
            week_end=monday + timedelta(days=4),
            call_opens_at=now - timedelta(days=30),
            call_closes_at=now - timedelta(days=1),
            booking_opens_at=now - timedelta(hours=1),
            booking_closes_at=now + timedelta(days=20),
            max_slots_per_offer=SLOTS_PER_SERVICE,
            max_visits_per_visitor=VISITS,
            margin_minutes=MARGIN,
            bassins=db.session.scalars(select(Bassin)).all(),
        )
        db.session.add(edition)
        communes = db.session.scalars(select(Commune).order_by(Commune.id)).all()
        by_day = {}
        for n in range(SERVICES):
            slots = []
            for k in range(SLOTS_PER_SERVICE):
                day = (n + k // 2) % 5
                start = clock(9, 0) if k % 2 == 0 else clock(14, 0)
                at = datetime.combine(monday + timedelta(days=day), start, tzinfo=app_zone())
                slots.append(
                    (day, Slot(start_at=at, end_at=at + timedelta(minutes=90), capacity=PLACES))
                )
            offer = Offer(
                edition=edition,
                name=f"Service {n + 1}",
                sector="maison-medicale",
                address=f"Rue du Bench {n + 1}",
                commune=communes[n % len(communes)],
                discover_fr="L'accueil et une réunion d'équipe.",
                languages="fr",
                contact_name="Contact",
                contact_email=f"host.{n}@example.org",
                status="accepted",
                slots=[slot for _day, slot in slots],
            )
            db.session.add(offer)
            db.session.flush()
            for day, slot in slots:
                by_day.setdefault((day, slot.start_at.hour), []).append(slot)
        wanted = []
        for n in range(hot):
            day, half = n % 5, n // 5 % 2
            group = by_day[sorted(k for k in by_day if k[0] == day)[half]]
            slot = group[n // 10 % len(group)]
            slot.capacity = HOT_PLACES
            wanted.append(slot.id)
        db.session.commit()
        return edition.year, wanted


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    post_ms: list = field(default_factory=list)
    spans: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    booked: dict = field(default_factory=dict)  # email -> slot ids (303)
    refused: dict = field(default_factory=dict)  # email -> slot ids (409)
    errors: list = field(default_factory=list)
    # What each request cost the worker process (Server-Timing): CPU ms and SQL statements.
    page_cpu: list = field(default_factory=list)
    post_cpu: dict = field(default_factory=dict)  # status -> [ms]
    post_queries: dict = field(default_factory=dict)  # status -> [count]

    def error(self, text):
        with self.lock:
            self.errors.append(text)


def visitor(n, servers, year, slots, record):
    """One person: the form from one instance, the POST to the other (as behind a balancer)."""
    form_server, server = servers[n % len(servers)], servers[(n + 1) % len(servers)]
    path = f"/grand-bain/{year}/book"
    headers = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}
    data = person_form(n, "")
    email = data["email"]
    with requests.Session() as session:
        try:
            page = session.get(
                form_server.url + path,
                params=[("slot", s) for s in slots],
                headers=headers,
                timeout=30,
            )
            if page.status_code != 200:
                record.error(f"visitor {n}: booking page answered {page.status_code}")
                return
            data["csrf_token"] = csrf_token(page.text)
            form = list(data.items()) + [("slot", s) for s in slots]
            started = time.perf_counter()
            response = session.post(
                server.url + path, data=form, headers=headers, allow_redirects=False, timeout=30
            )
            ended = time.perf_counter()
        except (requests.RequestException, RuntimeError) as error:
            record.error(f"visitor {n}: {type(error).__name__}: {error}")
            return
    page_cost, post_cost = (
        server_timing(r.headers.get("Server-Timing", "")) for r in (page, response)
    )
    with record.lock:
        if "cpu" in page_cost:
            record.page_cpu.append(page_cost["cpu"])
        if "cpu" in post_cost:
            record.post_cpu.setdefault(response.status_code, []).append(post_cost["cpu"])
            record.post_queries.setdefault(response.status_code, []).append(post_cost["queries"])
        record.post_ms.append((ended - started) * 1000)
        record.spans.append((started, ended))
        record.statuses.append(response.status_code)
        if response.status_code == 303:
            record.booked[email] = set(slots)
        elif response.status_code == 409:
            record.refused[email] = set(slots)
    if response.status_code not in (303, 409):
        record.error(f"visitor {n}: POST answered {response.status_code}")


def rush(servers, year, wanted, options):
    record = Record()
    chance = random.Random(options.seed)
    arrivals = sorted(chance.uniform(0, options.window) for _ in range(options.visitors))
    choices = [sorted(chance.sample(wanted, VISITS)) for _ in range(options.visitors)]
    began = time.perf_counter()

    def arrive(n):
        delay = began + arrivals[n] - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        visitor(n, servers, year, choices[n], record)

    with ThreadPoolExecutor(max_workers=options.clients) as pool:
        list(pool.map(arrive, range(options.visitors)))
    spans = record.spans
    wall = max(e for _, e in spans) - min(s for s, _ in spans) if spans else 0.0
    return record, wall


def bare_posts(servers, count, clients):
    """`count` trivial POSTs of the same app with the same concurrency, on the instances in
    turn: (ms list, wall, the app's CPU ms of each)."""
    times, statuses, cpu = [], [], []
    lock = threading.Lock()

    def post(n):
        server = servers[n % len(servers)]
        with requests.Session() as session:
            started = time.perf_counter()
            response = session.post(server.url + TRIVIAL_POST_PATH, data={"a": "b"}, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
        cost = server_timing(response.headers.get("Server-Timing", ""))
        with lock:
            times.append(elapsed)
            statuses.append(response.status_code)
            if "cpu" in cost:
                cpu.append(cost["cpu"])

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(post, range(count)))
    wall = time.perf_counter() - began
    if set(statuses) != {200}:
        raise RuntimeError(f"bare POST answered {sorted(set(statuses))}")
    return times, wall, cpu


def database_problems(app, record):
    """What the rush left wrong in the database, in words (empty when all is right)."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.grandbain.models import Booking, Slot, Visitor

    found = []
    with app.app_context():
        slots = db.session.scalars(select(Slot)).all()
        confirmed = dict(
            db.session.execute(
                select(Booking.slot_id, func.count())
                .where(Booking.status == "confirmed")
                .group_by(Booking.slot_id)
            ).all()
        )
        over = [s.id for s in slots if s.booked_count > s.capacity]
        if over:
            found.append(f"{len(over)} slots over capacity")
        drift = [s.id for s in slots if s.booked_count != confirmed.get(s.id, 0)]
        if drift:
            found.append(f"{len(drift)} slots whose booked_count differs from their bookings")
        visitors = db.session.scalars(select(Visitor)).all()
        overlaps = 0
        margin = timedelta(minutes=MARGIN)
        for person in visitors:
            visits = sorted(
                (b.slot.start_at, b.slot.end_at) for b in person.bookings if b.status == "confirmed"
            )
            overlaps += sum(
                1
                for (_s, end), (start, _e) in zip(visits, visits[1:], strict=False)
                if start < end + margin
            )
            expected = record.booked.get(person.email)
            got = {b.slot_id for b in person.bookings if b.status == "confirmed"}
            if expected is not None and got != expected:
                found.append(f"{person.email}: booked {sorted(got)}, answered {sorted(expected)}")
            if person.email in record.refused and got:
                found.append(f"{person.email}: refused with 409 but holds {len(got)} visits")
        if overlaps:
            found.append(f"{overlaps} pairs of visits of one person overlap or sit too close")
        counts = {
            "slots": len(slots),
            "places": sum(s.capacity for s in slots),
            "booked": sum(s.booked_count for s in slots),
            "full slots": sum(s.booked_count == s.capacity for s in slots),
            "visitors": len(
                [v for v in visitors if any(b.status == "confirmed" for b in v.bookings)]
            ),
            "overlaps": overlaps,
            "over capacity": len(over),
        }
    if record.errors:
        found.append(f"{len(record.errors)} HTTP errors, first: {record.errors[0]}")
    return found, counts


def line(name, values, seconds, unit_count=None):
    count = unit_count if unit_count is not None else len(values)
    rate = count / seconds if seconds else 0.0
    p50, p95 = (percentile(values, f) or 0.0 for f in (0.5, 0.95))
    return f"{name:<26} {len(values):>6} {rate:>10.1f} {p50:>8.1f} {p95:>8.1f}"


def print_costs(record, bare_cpu):
    """What each request cost the app (CPU of its worker process, SQL statements), apart from
    the time it waited for a CPU: on a saturated machine the p95 is mostly that wait."""

    def cost(values):
        p50, p95 = (percentile(values, f) or 0.0 for f in (0.5, 0.95))
        return f"{p50:.1f} / {p95:.1f} ms"

    posts = [ms for values in record.post_cpu.values() for ms in values]
    print(f"  app CPU per request (median / p95): booking page GET {cost(record.page_cpu)}")
    for status, values in sorted(record.post_cpu.items()):
        queries = percentile(record.post_queries[status], 0.5) or 0
        print(f"    booking POST {status}: {cost(values)}, {queries:.0f} SQL statements (median)")
    bare = percentile(bare_cpu, 0.5) or 0.0
    all_posts = percentile(posts, 0.5) or 0.0
    visitor = sum(record.page_cpu) + sum(posts)
    print(
        f"    bare POST {cost(bare_cpu)}; a booking POST's median is "
        f"{all_posts / bare if bare else float('inf'):.1f}x the bare POST's; the rush's "
        f"requests cost the app {visitor / 1000:.1f} CPU s in all"
    )


def main(argv=None):
    options = parse_args(argv)
    if not options.database_url.startswith("postgresql"):
        print(f"grand bain skipped: it needs PostgreSQL, not {options.database_url.split(':')[0]}")
        return 0
    why = unreachable(options.database_url, options.redis_url)
    if why:
        print(f"grand bain skipped: {why}")
        return 0
    app = bench_app(options.database_url)
    fresh_schema(app)
    year, wanted = load_edition(app, options.hot)
    env = {
        "CACHE_URL": options.redis_url,
        "RATELIMIT_STORAGE_URI": options.redis_url,
        "RATELIMIT_ENABLED": "1",
        "TRUSTED_PROXIES": "1",
    }
    flush_redis(options.redis_url)
    load_before = os.getloadavg()
    try:
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(
                    gunicorn(
                        "bench.bench_wsgi:app",
                        options.database_url,
                        workers=options.workers,
                        env=env,
                    )
                )
                for _ in range(options.instances)
            ]
            record, wall = rush(servers, year, wanted, options)
            bare_ms, bare_wall, bare_cpu = bare_posts(servers, options.visitors, options.clients)
            load_after = os.getloadavg()
    finally:
        flush_redis(options.redis_url)
    found, counts = database_problems(app, record)
    booked_visits = VISITS * record.statuses.count(303)
    print(
        f"\nGrand Bain: {options.visitors} visitors x {VISITS} visits in one POST within "
        f"{options.window:g} s, on the {options.hot} most wanted of {SERVICES} services x "
        f"{SLOTS_PER_SERVICE} slots ({HOT_PLACES} places each), {options.instances} instances x "
        f"gunicorn -w {options.workers}, PostgreSQL + Redis, rate limits on"
    )
    cores = os.cpu_count()
    print(
        f"  load average (1, 5, 15 min) on {cores} cores: before "
        f"{' '.join(f'{v:.2f}' for v in load_before)}, after "
        f"{' '.join(f'{v:.2f}' for v in load_after)}"
    )
    print(f"{'':<26} {'count':>6} {'per s':>10} {'p50 ms':>8} {'p95 ms':>8}")
    print(line("booking POST (3 visits)", record.post_ms, wall))
    print(line("  = bookings", record.post_ms, wall, booked_visits))
    print(line("bare POST (same app)", bare_ms, bare_wall))
    print(
        f"  answers: {record.statuses.count(303)} booked (303), {record.statuses.count(409)} "
        f"refused whole, a slot full or two visits too close (409); HTTP errors: "
        f"{len(record.errors)}"
    )
    print(
        f"  database: {counts['booked']} of {counts['places']} places taken in "
        f"{counts['slots']} slots ({counts['full slots']} full, {counts['over capacity']} over "
        f"capacity); {counts['visitors']} visitors; {counts['overlaps']} overlapping visits"
    )
    print_costs(record, bare_cpu)
    p95 = percentile(record.post_ms, 0.95) or 0.0
    bare_p95 = percentile(bare_ms, 0.95) or 0.0
    ratio = p95 / bare_p95 if bare_p95 else float("inf")
    fast = p95 < P95_LIMIT_MS and ratio <= P95_RATIO_LIMIT
    print(
        f"  booking POST p95 {p95:.0f} ms (target < {P95_LIMIT_MS} ms), "
        f"{ratio:.1f}x the bare POST's p95 {bare_p95:.0f} ms (target <= {P95_RATIO_LIMIT}x): "
        f"{'met' if fast else 'MISSED'}"
    )
    if not fast and options.strict_timing:
        found.append(f"timing target missed: p95 {p95:.0f} ms, {ratio:.1f}x the bare POST")
    if found:
        print("\n!!! GRAND BAIN BENCH FAILED !!!", file=sys.stderr)
        for problem in found[:20]:
            print(f"!!! {problem}", file=sys.stderr)
        return 1
    print("  grand bain ok: every count as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
