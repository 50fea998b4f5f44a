"""Registration speed: 1,000 people register across 50 events through gunicorn; the outbox
then sends 1,000 messages to a local SMTP server.

    .venv/bin/python bench/bench_registrations.py [--database-url URL] [--workers 4] [--clients 16]

Each simulated person loads the form (session cookie and CSRF token), then POSTs it: only
the POST is timed. A trivial POST view of the same app, under the same gunicorn, is the
baseline. Prints registrations per second, p50/p95 latency, the ratios, and messages per
second for the outbox. Use a PostgreSQL URL (its tables are DROPPED) to measure what
production runs; the default is a temporary SQLite file.
"""

import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.common import (  # noqa: E402
    TRIVIAL_POST_PATH,
    bench_app,
    bench_parser,
    csrf_token,
    database,
    fresh_schema,
    gunicorn,
    percentile,
    person_form,
)

PEOPLE = 1000
EVENTS = 50


def load_events(app):
    from webapp.agenda.models import Bassin, Event
    from webapp.agenda.territory import load_territory
    from webapp.extensions import db
    from webapp.timezones import utcnow

    with app.app_context():
        load_territory()
        sud = db.session.query(Bassin).filter_by(slug="sud").one()
        start = utcnow().replace(microsecond=0) + timedelta(days=20)
        events = [
            Event(
                kind="concertation",
                title_fr=f"Concertation de charge #{n}",
                start_at=start + timedelta(days=n),
                end_at=start + timedelta(days=n, hours=3),
                capacity=15,
                bassins=[sud],
            )
            for n in range(EVENTS)
        ]
        db.session.add_all(events)
        db.session.commit()
        return [e.id for e in events]


def run_clients(clients, client):
    """Run `clients` threads of `client` at once; returns the wall time in seconds."""
    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def register_everyone(server, event_ids, clients):
    """PEOPLE registrations from `clients` threads; returns (latencies ms, wall seconds, codes)."""
    latencies, codes, lock = [], [], threading.Lock()
    queue = list(range(PEOPLE))

    def client():
        session = requests.Session()
        while True:
            with lock:
                if not queue:
                    return
                n = queue.pop()
            event_id = event_ids[n % len(event_ids)]
            form = session.get(f"{server.url}/events/{event_id}/register", timeout=30)
            data = person_form(n, csrf_token(form.text))
            started = time.perf_counter()
            response = session.post(
                f"{server.url}/events/{event_id}/register",
                data=data,
                allow_redirects=False,
                timeout=30,
            )
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                codes.append(response.status_code)

    return latencies, run_clients(clients, client), codes


def trivial_posts(server, clients, count=PEOPLE):
    latencies, lock = [], threading.Lock()
    remaining = [count]

    def client():
        session = requests.Session()
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            session.post(f"{server.url}{TRIVIAL_POST_PATH}", data={"a": "b"}, timeout=30)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    return latencies, run_clients(clients, client)


def outbox_rate(app, count=PEOPLE):
    """Send `count` queued messages to a local aiosmtpd server; messages per second."""
    from tests.smtp import SMTPServer
    from webapp.extensions import db, mail
    from webapp.mail.models import OutboxMessage
    from webapp.mail.outbox import deliver_all, queue_message

    smtp = SMTPServer().start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_SUPPRESS_SEND=False)
        mail.init_app(app)
        with app.app_context():
            db.session.query(OutboxMessage).delete()
            for n in range(count):
                queue_message(
                    f"person.{n}@example.org",
                    "Inscription confirmée",
                    "Bonjour,\n" * 20,
                    "<p>Bonjour</p>" * 20,
                )
            db.session.commit()
            started = time.perf_counter()
            sent, failed = deliver_all(limit=100)
            elapsed = time.perf_counter() - started
        return sent, failed, elapsed, len(smtp.inbox.messages)
    finally:
        smtp.stop()


def main():
    parser = bench_parser(__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent simulated people")
    parser.set_defaults(workers=4)
    options = parser.parse_args()
    with database(options.database_url) as url:
        app = bench_app(url)
        fresh_schema(app)
        event_ids = load_events(app)
        env = {"RATELIMIT_ENABLED": "false"}
        with gunicorn("bench.bench_wsgi:app", url, workers=options.workers, env=env) as server:
            trivial, trivial_wall = trivial_posts(server, options.clients)
            latencies, wall, codes = register_everyone(server, event_ids, options.clients)
        with app.app_context():
            from sqlalchemy import func, select

            from webapp.extensions import db
            from webapp.registrations.models import Registration

            counts = dict(
                db.session.execute(
                    select(Registration.status, func.count()).group_by(Registration.status)
                ).all()
            )
            per_event = db.session.execute(
                select(func.count())
                .where(Registration.status == "confirmed")
                .group_by(Registration.event_id)
            ).scalars()
            overbooked = sum(confirmed > 15 for confirmed in per_event)
        sent, failed, outbox_wall, received = outbox_rate(app)

    backend = url.split(":", 1)[0]
    print(
        f"\nRegistrations: {PEOPLE} people, {EVENTS} events of 15 places, "
        f"{options.clients} clients, gunicorn -w {options.workers}, {backend}"
    )
    print(f"  answers: {sorted(set(codes))}; in the database: {counts}; overbooked: {overbooked}")
    print(f"{'':<24} {'per second':>10} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values, seconds in (
        ("trivial POST", trivial, trivial_wall),
        ("registration POST", latencies, wall),
    ):
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(f"{name:<24} {len(values) / seconds:>10.1f} {p50:>8.1f} {p95:>8.1f}")
    ratio = percentile(latencies, 0.5) / percentile(trivial, 0.5)
    print(f"  ratio p50 registration / trivial: {ratio:.1f}x")
    print(
        f"Outbox: {sent} sent, {failed} failed, {received} received by the SMTP server, "
        f"{sent / outbox_wall:.0f} messages/s"
    )


if __name__ == "__main__":
    main()
