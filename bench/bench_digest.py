"""The digest job: 5,000 subscribers and 500 coming events; the mails queued, and a second
run in the same period that queues none.

    .venv/bin/python bench/bench_digest.py [--database-url URL] [--subscribers N] [--events N]

Builds the bassins and N events spread over the next 60 days (through the ORM, so the agenda
index is made as in production; a fifth in series, some with places), then N subscribers
with random choices (bassins, kinds, themes; weekly or monthly; French or Dutch), confirmed
in the previous period, on a temporary SQLite file (or the given database, whose tables are
DROPPED and rebuilt). Times `send_digests` once (every due digest rendered and queued in the
outbox), then again at once. Aim: the first run under 30 s, the second queues nothing.
"""

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.common import bench_app, bench_parser, database, fresh_schema  # noqa: E402

AIM_SECONDS = 30
KINDS = ["concertation", "formation", "rencontre", "rdv-prevention", "webinaire"]
BASSINS = ["centre-ouest", "nord", "nord-est", "sud", "sud-est"]


def load(app, events, subscribers, now, seed=27):
    """The bassins, `events` coming events and `subscribers` confirmed subscriptions."""
    from webapp.agenda.models import Bassin, Event, Series, Venue
    from webapp.agenda.territory import load_territory
    from webapp.digest.models import DigestSubscription
    from webapp.digest.periods import period_key
    from webapp.extensions import db
    from webapp.tokens import new_token
    from webapp.unit_of_work import unit_of_work

    rng = random.Random(seed)
    with app.app_context():
        with unit_of_work("bench"):
            load_territory()
        bassins = {b.slug: b for b in db.session.scalars(select(Bassin))}
        with unit_of_work("bench"):
            venues = [
                Venue(name=f"Salle {n}", address=f"Rue du Banc {n}", postal_code="1000")
                for n in range(40)
            ]
            series = [
                Series(slug=f"serie-{n}", theme=f"theme-{n % 5}", title_fr=f"Cycle {n}")
                for n in range(30)
            ]
            db.session.add_all(venues + series)
            for n in range(events):
                start = now + timedelta(days=rng.uniform(1, 60), hours=rng.randint(0, 8))
                chosen = rng.sample(BASSINS, rng.choice((1, 1, 1, 2, 5)))
                db.session.add(
                    Event(
                        title_fr=f"Activité de test {n}",
                        title_nl=f"Testactiviteit {n}",
                        kind=rng.choice(KINDS),
                        start_at=start,
                        end_at=start + timedelta(hours=2),
                        venue=rng.choice(venues),
                        series=rng.choice(series) if rng.random() < 0.2 else None,
                        capacity=rng.choice((None, None, 20, 40)),
                        bassins=[bassins[s] for s in chosen],
                        created_at=now - timedelta(days=rng.uniform(0, 20)),
                    )
                )
        themes = [f"serie-{n}" for n in range(30)] + [f"theme-{n}" for n in range(5)]
        rows = []
        for n in range(subscribers):
            frequency = "weekly" if rng.random() < 0.7 else "monthly"
            rows.append(
                {
                    "email": f"abonne{n}@example.org",
                    "language": rng.choice(("fr", "nl")),
                    "frequency": frequency,
                    "bassins": rng.sample(BASSINS, rng.choice((0, 1, 1, 2))),
                    "kinds": rng.sample(KINDS, rng.choice((0, 0, 1, 2))),
                    "themes": rng.sample(themes, rng.choice((0, 0, 0, 1))),
                    "token": new_token(),
                    "created_at": now - timedelta(days=40),
                    "confirmed_at": now - timedelta(days=40),
                    "last_period": period_key(frequency, now - timedelta(days=35)),
                    "last_sent_at": now - timedelta(days=10),
                }
            )
        with unit_of_work("bench"):
            db.session.execute(insert(DigestSubscription), rows)
        return db.session.scalar(select(func.count()).select_from(Event))


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--events", type=int, default=500)
    args = parser.parse_args(argv)
    now = datetime.now(UTC).replace(microsecond=0)
    with database(args.database_url) as url:
        app = bench_app(url)
        app.config["BASE_URL"] = "https://agenda.example"
        fresh_schema(app)
        started = time.perf_counter()
        events = load(app, args.events, args.subscribers, now)
        print(
            f"loaded {events} events and {args.subscribers} subscribers "
            f"in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})"
        )
        from webapp.digest.jobs import send_digests
        from webapp.extensions import db
        from webapp.mail.models import OutboxMessage

        with app.app_context():
            started = time.perf_counter()
            first = send_digests(now)
            first_seconds = time.perf_counter() - started
            started = time.perf_counter()
            second = send_digests(now + timedelta(minutes=5))
            second_seconds = time.perf_counter() - started
            queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
            size = db.session.scalar(select(func.avg(func.length(OutboxMessage.body_html))))
        print(
            f"first run:  {first} digests queued in {first_seconds:.1f} s "
            f"({first_seconds / max(first, 1) * 1000:.1f} ms each; aim < {AIM_SECONDS} s)"
        )
        print(f"second run: {second} queued in {second_seconds:.2f} s (aim: 0)")
        print(
            f"outbox: {queued} messages, HTML part {size or 0:.0f} characters on average; "
            f"{args.subscribers - first} subscriber(s) had nothing matching"
        )
        ok = first_seconds < AIM_SECONDS and second == 0 and queued == first
        print("aims met" if ok else "AIMS MISSED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
