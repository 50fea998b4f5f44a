"""The Grand Bain's booking rush: 130 visitors each book 3 visits in one POST within 10
seconds, over 50 services x 6 slots, through gunicorn on PostgreSQL (rate limits on, Redis).

    .venv/bin/python bench/grand_bain.py [--database-url URL] [--redis-url URL] [--window 10]

It starts and stops what it needs on loopback ports: one `gunicorn -w 4
bench.bench_wsgi:app` (the app plus a trivial CSRF-exempt POST, the "bare POST" baseline)
with DATABASE_URL on PostgreSQL (its tables are DROPPED and rebuilt; default the
`grand_bain` database) and the cache and rate limits on one Redis db (default db 12, flushed
before and after). Every slot has 3 places, so some sets meet a full slot and are refused
whole (409), as the booking rule wants.

Each visitor arrives at a random moment of the window, picks one slot on each of 3
different days, loads the booking page of those 3 slots (session cookie, CSRF token) and
POSTs it; only the POST is timed. 303 (booked) and 409 (a slot of the set is full: nothing
booked) are the right answers; anything else is an error. Then the same number of bare
POSTs is timed with the same concurrency.

Then it checks in the database: no slot over capacity, booked_count equal to the slot's
confirmed bookings, every visitor of a 303 has exactly their 3 visits and every refused one
none, no person with two visits that overlap or sit closer than the edition's margin, and 0
HTTP errors. It prints bookings/s, p50/p95 and the counts, and exits 1 loudly when a count is
wrong. Without PostgreSQL or Redis it prints "grand bain skipped: ..." and exits 0.
"""

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
)
from bench.rush import flush_redis, unreachable  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/grand_bain"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
SERVICES = 50
SLOTS_PER_SERVICE = 6
PLACES = 3
VISITS = 3
MARGIN = 30


def parse_args(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--visitors", type=int, default=130)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=40, help="visitors in flight at most")
    parser.add_argument("--seed", type=int, default=13)
    args, _ignored = parser.parse_known_args(argv)  # run_all.py passes everyone's options
    return args


def load_edition(app):
    """An edition open for booking, 50 accepted offers of 6 slots (3 days x morning and
    afternoon); returns (year, {day: [slot ids]})."""
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
                by_day.setdefault(day, []).append(slot.id)
        db.session.commit()
        return edition.year, by_day


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    post_ms: list = field(default_factory=list)
    spans: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    booked: dict = field(default_factory=dict)  # email -> slot ids (303)
    refused: dict = field(default_factory=dict)  # email -> slot ids (409)
    errors: list = field(default_factory=list)

    def error(self, text):
        with self.lock:
            self.errors.append(text)


def visitor(n, server, year, slots, record):
    path = f"/grand-bain/{year}/book"
    headers = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}
    data = person_form(n, "")
    email = data["email"]
    with requests.Session() as session:
        try:
            page = session.get(
                server.url + path, params=[("slot", s) for s in slots], headers=headers, timeout=30
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
    with record.lock:
        record.post_ms.append((ended - started) * 1000)
        record.spans.append((started, ended))
        record.statuses.append(response.status_code)
        if response.status_code == 303:
            record.booked[email] = set(slots)
        elif response.status_code == 409:
            record.refused[email] = set(slots)
    if response.status_code not in (303, 409):
        record.error(f"visitor {n}: POST answered {response.status_code}")


def rush(server, year, by_day, options):
    record = Record()
    chance = random.Random(options.seed)
    arrivals = sorted(chance.uniform(0, options.window) for _ in range(options.visitors))
    choices = [
        [chance.choice(by_day[day]) for day in sorted(chance.sample(sorted(by_day), VISITS))]
        for _ in range(options.visitors)
    ]
    began = time.perf_counter()

    def arrive(n):
        delay = began + arrivals[n] - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        visitor(n, server, year, choices[n], record)

    with ThreadPoolExecutor(max_workers=options.clients) as pool:
        list(pool.map(arrive, range(options.visitors)))
    spans = record.spans
    wall = max(e for _, e in spans) - min(s for s, _ in spans) if spans else 0.0
    return record, wall


def bare_posts(server, count, clients):
    """`count` trivial POSTs of the same app with the same concurrency: (ms list, wall)."""
    times, statuses = [], []
    lock = threading.Lock()

    def post(_n):
        with requests.Session() as session:
            started = time.perf_counter()
            response = session.post(server.url + TRIVIAL_POST_PATH, data={"a": "b"}, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
        with lock:
            times.append(elapsed)
            statuses.append(response.status_code)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(post, range(count)))
    wall = time.perf_counter() - began
    if set(statuses) != {200}:
        raise RuntimeError(f"bare POST answered {sorted(set(statuses))}")
    return times, wall


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
    year, by_day = load_edition(app)
    env = {
        "CACHE_URL": options.redis_url,
        "RATELIMIT_STORAGE_URI": options.redis_url,
        "RATELIMIT_ENABLED": "1",
        "TRUSTED_PROXIES": "1",
    }
    flush_redis(options.redis_url)
    try:
        with gunicorn(
            "bench.bench_wsgi:app", options.database_url, workers=options.workers, env=env
        ) as server:
            record, wall = rush(server, year, by_day, options)
            bare_ms, bare_wall = bare_posts(server, options.visitors, options.clients)
    finally:
        flush_redis(options.redis_url)
    found, counts = database_problems(app, record)
    booked_visits = VISITS * record.statuses.count(303)
    print(
        f"\nGrand Bain: {options.visitors} visitors x {VISITS} visits in one POST within "
        f"{options.window:g} s, {SERVICES} services x {SLOTS_PER_SERVICE} slots of {PLACES} "
        f"places, gunicorn -w {options.workers}, PostgreSQL + Redis, rate limits on"
    )
    print(f"{'':<26} {'count':>6} {'per s':>10} {'p50 ms':>8} {'p95 ms':>8}")
    print(line("booking POST (3 visits)", record.post_ms, wall))
    print(line("  = bookings", record.post_ms, wall, booked_visits))
    print(line("bare POST (same app)", bare_ms, bare_wall))
    print(
        f"  answers: {record.statuses.count(303)} booked (303), {record.statuses.count(409)} "
        f"refused whole, a slot full (409); HTTP errors: {len(record.errors)}"
    )
    print(
        f"  database: {counts['booked']} of {counts['places']} places taken in "
        f"{counts['slots']} slots ({counts['full slots']} full, {counts['over capacity']} over "
        f"capacity); {counts['visitors']} visitors; {counts['overlaps']} overlapping visits"
    )
    if found:
        print("\n!!! GRAND BAIN BENCH FAILED !!!", file=sys.stderr)
        for problem in found[:20]:
            print(f"!!! {problem}", file=sys.stderr)
        return 1
    print("  grand bain ok: every count as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
