"""Back-office speed: the participants page and its XLSX export for an event of 500
registrations, the statistics page for a year of 300 events (issue 12), and the event's page
and the dashboard with 300 events and 6,000 registrations, each at most 3x a bare staff page
of the same app (its layout, nothing in it) (issue 22), beside a bare page of the same app.

    .venv/bin/python bench/bench_back_office.py [--database-url URL] [--requests N]

In process, through Flask's test client signed in as an admin (the pages are private: no
proxy or cache in front of them), so the ratios compare the app's own work. Prints medians,
p90 and the ratio to the bare page; the event's page and the dashboard are timed in turn with
their bare page (a loaded machine slows them alike) and print their SQL statements per page.
A PostgreSQL URL measures what production runs (its tables are DROPPED); the default is a
temporary SQLite file.
"""

import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    bench_app,
    bench_parser,
    csrf_token,
    database,
    fresh_schema,
    percentile,
)

BIG_EVENT = 500
YEAR_EVENTS = 300
PEOPLE_PER_EVENT = 20
PASSWORD = "benchmark-bassin-2027"
SECTORS = ["hopital", "cpas", "medecine-generale", "maison-medicale", "sante-mentale"]


def load(app):
    """A year of events in the five bassins, each with registrations (attendance taken on
    past ones), and one coming event with BIG_EVENT registrations and two questions."""
    from webapp.agenda.models import Bassin, Event
    from webapp.agenda.territory import load_territory
    from webapp.auth.accounts import save_account
    from webapp.extensions import db
    from webapp.registrations.models import Question, Registration
    from webapp.timezones import local_day_start, local_today, utcnow
    from webapp.unit_of_work import unit_of_work

    rng = random.Random(7)
    with app.app_context():
        load_territory()
        bassins = db.session.query(Bassin).order_by(Bassin.slug).all()
        year = local_today().year
        start = local_day_start(local_today().replace(month=1, day=1)) + timedelta(hours=9)
        now = utcnow()
        for n in range(YEAR_EVENTS):
            begins = start + timedelta(days=n % 330, hours=n % 5)
            event = Event(
                kind=rng.choice(["concertation", "atelier-du-changement", "formation"]),
                title_fr=f"Rencontre de charge #{n}",
                start_at=begins,
                end_at=begins + timedelta(hours=3),
                capacity=40,
                bassins=[bassins[n % 5]],
            )
            db.session.add(event)
            for p in range(PEOPLE_PER_EVENT):
                db.session.add(
                    Registration(
                        event=event,
                        status="confirmed",
                        first_name="Prénom",
                        last_name=f"Nom{n}-{p}",
                        email=f"p{n}.{p}@example.org",
                        organisation="Service",
                        sector=rng.choice(SECTORS),
                        commune=rng.choice(["Forest", "Uccle", "Ixelles", "Schaerbeek"]),
                        attended=(rng.random() < 0.8) if begins < now else None,
                    )
                )
            event.confirmed_count = PEOPLE_PER_EVENT
        big_start = now + timedelta(days=20)
        big = Event(
            kind="concertation",
            title_fr="Grande concertation régionale",
            start_at=big_start,
            end_at=big_start + timedelta(hours=3),
            capacity=BIG_EVENT + 100,
            bassins=bassins,
        )
        db.session.add(big)
        db.session.flush()
        questions = [
            Question(event_id=big.id, position=1, kind="short_text", label_fr="Attentes"),
            Question(
                event_id=big.id,
                position=2,
                kind="choice",
                label_fr="Atelier",
                options=[{"value": "a", "fr": "Atelier A"}, {"value": "b", "fr": "Atelier B"}],
            ),
        ]
        db.session.add_all(questions)
        db.session.flush()
        for p in range(BIG_EVENT):
            db.session.add(
                Registration(
                    event=big,
                    status="confirmed",
                    first_name="Prénom",
                    last_name=f"Participant{p:03d}",
                    email=f"big.{p}@example.org",
                    organisation=f"Service {p % 40}",
                    sector=rng.choice(SECTORS),
                    answers={str(questions[0].id): "Échanger", str(questions[1].id): "a"},
                )
            )
        big.confirmed_count = BIG_EVENT
        with unit_of_work("bench accounts"):  # commits the rows above with the account
            save_account("bench@bassins-bruxelles.be", PASSWORD, "admin")
        return big.id, year


def settle(app):
    """On PostgreSQL, VACUUM ANALYZE the rows just loaded, as autovacuum soon does in
    production (6,500 inserted rows pass its insert threshold): otherwise it may start in the
    middle of the timings, and until it has run every index-only scan still reads the table."""
    from sqlalchemy import text

    from webapp.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def timed(client, path, requests, warm_up=2):
    """Milliseconds of `requests` GETs of `path` (after `warm_up` ones)."""
    for _ in range(warm_up):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        response.get_data()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    requests = min(args.requests, 30)
    with database(args.database_url) as url:
        app = bench_app(url)
        app.add_url_rule("/__bench/bare-staff", "bench_bare_staff", lambda: "ok")
        app.add_url_rule("/__bench/bare-layout", "bench_bare_layout", bare_layout)
        fresh_schema(app)
        print(f"loading {YEAR_EVENTS} events x {PEOPLE_PER_EVENT} people and one of {BIG_EVENT}…")
        big, year = load(app)
        settle(app)
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        signed = client.post(
            "/login",
            data={"email": "bench@bassins-bruxelles.be", "password": PASSWORD, "csrf_token": token},
        )
        assert signed.status_code == 303, signed.status_code
        columns = "&".join(f"column={c}" for c in ("last_name", "first_name", "organisation"))
        pages = [
            ("bare page (baseline)", "/__bench/bare-staff"),
            (f"participants ({BIG_EVENT})", f"/admin/events/{big}/participants"),
            (
                f"participants.xlsx ({BIG_EVENT})",
                f"/admin/events/{big}/participants.xlsx?{columns}",
            ),
            (f"stats, {YEAR_EVENTS} events", f"/admin/stats?year={year}"),
            (f"stats.csv, {YEAR_EVENTS} events", f"/admin/stats.csv?year={year}"),
        ]
        print(f"{'page':<32} {'median ms':>10} {'p90 ms':>8} {'ratio':>8}")
        baseline = None
        for label, path in pages:
            timings = timed(client, path, requests)
            median = statistics.median(timings)
            baseline = baseline or median
            print(
                f"{label:<32} {median:>10.2f} {percentile(timings, 0.9):>8.2f} "
                f"{median / baseline:>7.1f}x"
            )
        failed = hub_and_dashboard(app, client, big, requests)
        with app.app_context():
            from webapp.extensions import db

            db.engine.dispose()
    return 1 if failed else 0


def bare_layout():
    """A staff page with the back office's layout and nothing in it: the baseline of the
    event's page and the dashboard."""
    from flask import render_template

    return render_template("admin/base.html")


def hub_and_dashboard(app, client, big, requests):
    """The event's page (the big event, and a past one) and the dashboard (an admin: every
    bassin; a Sud coordinator), each against the bare layout page; True if one is over 3x."""
    from sqlalchemy import select

    from webapp.agenda.models import Event
    from webapp.auth.accounts import save_account
    from webapp.extensions import db
    from webapp.timezones import utcnow
    from webapp.unit_of_work import unit_of_work

    with app.app_context():
        past = db.session.scalar(
            select(Event.id).where(Event.end_at < utcnow()).order_by(Event.end_at.desc()).limit(1)
        )
        with unit_of_work("bench accounts"):
            save_account("sud@bassins-bruxelles.be", PASSWORD, "bassin", bassins=("sud",))
    sud = app.test_client()
    token = csrf_token(sud.get("/login").get_data(as_text=True))
    sud.post(
        "/login",
        data={"email": "sud@bassins-bruxelles.be", "password": PASSWORD, "csrf_token": token},
    )
    rows = [
        ("bare staff page (layout)", client, "/__bench/bare-layout"),
        (f"event page ({BIG_EVENT} people)", client, f"/admin/events/{big}"),
        ("event page (past meeting)", client, f"/admin/events/{past}"),
        ("dashboard (admin)", client, "/admin/"),
        ("dashboard (Sud)", sud, "/admin/"),
    ]
    timings = interleaved(rows, requests)
    with app.app_context():  # after the timings: listening costs a little on every statement
        statements = counting_statements(db.engine)
    print(
        f"\n{'page (vs the bare layout)':<32} {'median ms':>10} {'p90 ms':>8} {'ratio':>8} "
        f"{'queries':>8}"
    )
    baseline, failed = None, False
    for label, reader, path in rows:
        median = statistics.median(timings[label])
        baseline = baseline or median
        ratio = median / baseline
        verdict = "" if baseline == median else ("  ok (<= 3x)" if ratio <= 3 else "  OVER 3x")
        failed = failed or ratio > 3
        queries = statements(reader, path)
        print(
            f"{label:<32} {median:>10.2f} {percentile(timings[label], 0.9):>8.2f} "
            f"{ratio:>7.1f}x {queries:>8}{verdict}"
        )
    return failed


def interleaved(rows, requests):
    """{label: milliseconds of `requests` GETs}, the pages taken in turn (after two warm-up
    GETs each): on a shared, loaded machine a slow spell then weighs on every page alike,
    not on the one measured while it lasted."""
    for _label, reader, path in rows:
        timed(reader, path, 0)
    timings = {label: [] for label, _reader, _path in rows}
    for _ in range(requests):
        for label, reader, path in rows:
            timings[label] += timed(reader, path, 1, warm_up=0)
    return timings


def counting_statements(engine):
    """A function (client, path) -> how many SQL statements one GET of the page runs."""
    from sqlalchemy import event

    count = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def counted(*args):
        count[0] += 1

    def statements(client, path):
        count[0] = 0
        client.get(path).get_data()
        return count[0]

    return statements


if __name__ == "__main__":
    sys.exit(main())
