"""Attestation speed: the 200 attestations of one meeting, as 200 PDFs and as the team's one.

    .venv/bin/python bench/bench_attestations.py [--database-url URL] [--people 200]

An accredited concertation that took place yesterday, 200 people checked in present (French
and Dutch, accented names). Through the app (test client, limits off): each person's
`/registrations/<token>/attestation.pdf`, then `/admin/events/<id>/attestations.pdf`'s work
(issue.for_event + pdf.render), beside the personal page of the same people as a baseline.
Then 20 PDFs of names in other alphabets (DejaVu Sans embedded, when the machine has it).
Aims: 200 PDFs under 10 s, each under 100 KB.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_app, bench_parser, database, fresh_schema  # noqa: E402

FIRST = ["Zénobie", "Anne", "Jan", "Maëlle", "Koen", "Inès", "Sofie", "François", "Ngozi", "Eva"]
LAST = ["Vandersmissen", "Peeters", "De Smet", "Lefèvre", "Janssens", "Müller", "Çelik", "Dubois"]
OTHER_ALPHABETS = ["Łukasz Wiśniewski", "Αλέξης Παπαδόπουλος", "Ольга Іваненко", "Mădălina Ionescu"]
AIM_SECONDS = 10
AIM_BYTES = 100_000


def load(app, people):
    """The meeting (yesterday, 13:00-16:00 in Brussels) and its `people`, all present."""
    from sqlalchemy import select

    from webapp.agenda.models import Bassin, Event
    from webapp.agenda.territory import load_territory
    from webapp.extensions import db
    from webapp.registrations.models import CheckIn, Registration
    from webapp.timezones import local_day_start, local_today

    with app.app_context():
        load_territory()
        day = local_today() - timedelta(days=1)
        start = local_day_start(day) + timedelta(hours=13)
        event = Event(
            kind="formation",
            title_fr="Formation : repérer le syndrome de Diogène",
            title_nl="Opleiding: het Diogenessyndroom herkennen",
            start_at=start,
            end_at=start + timedelta(hours=3),
            accreditation="A-2027-0042",
            bassins=db.session.scalars(select(Bassin).where(Bassin.slug == "sud")).all(),
        )
        db.session.add(event)
        db.session.flush()
        for n in range(people):
            registration = Registration(
                event=event,
                status="confirmed",
                first_name=FIRST[n % len(FIRST)],
                last_name=f"{LAST[n % len(LAST)]} {n}",
                email=f"person{n}@example.org",
                organisation="CPAS d'Etterbeek" if n % 2 else "Maison médicale du Midi",
                sector="cpas",
                language="nl" if n % 3 == 0 else "fr",
                attended=True,
            )
            db.session.add(registration)
            db.session.flush()
            db.session.add(
                CheckIn(
                    event_id=event.id,
                    registration_id=registration.id,
                    on_date=day,
                    present=True,
                    tapped_at=start,
                )
            )
        db.session.commit()
        return event.id


def timed_gets(client, urls):
    """(total seconds, per-request seconds, bodies) of GETting each URL once."""
    durations, bodies = [], []
    started = time.perf_counter()
    for url in urls:
        before = time.perf_counter()
        response = client.get(url)
        durations.append(time.perf_counter() - before)
        assert response.status_code == 200, (url, response.status_code)
        bodies.append(response.data)
    return time.perf_counter() - started, durations, bodies


def main():
    parser = bench_parser(__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    options = parser.parse_args()
    with database(options.database_url) as url:
        app = bench_app(url)
        fresh_schema(app)
        event_id = load(app, options.people)
        from sqlalchemy import select

        from webapp.agenda.models import Event
        from webapp.attestations import issue, pdf
        from webapp.extensions import db
        from webapp.registrations.models import Registration

        with app.app_context():
            tokens = db.session.scalars(
                select(Registration.token).where(Registration.event_id == event_id)
            ).all()
        client = app.test_client()
        client.get(f"/registrations/{tokens[0]}/attestation.pdf")  # templates, fonts loaded
        page_total, page_each, _bodies = timed_gets(
            client,
            [f"/registrations/{t}/attestation.pdf".replace("/attestation.pdf", "") for t in tokens],
        )
        pdf_total, pdf_each, bodies = timed_gets(
            client, [f"/registrations/{t}/attestation.pdf" for t in tokens]
        )
        with app.test_request_context():
            event = db.session.get(Event, event_id)
            started = time.perf_counter()
            attestations = issue.for_event(event)
            team_pdf = pdf.render(attestations)
            team_seconds = time.perf_counter() - started
            others = [
                a.__class__(**{**a.__dict__, "name": OTHER_ALPHABETS[n % len(OTHER_ALPHABETS)]})
                for n, a in enumerate(attestations[:20])
            ]
            started = time.perf_counter()
            other_sizes = [len(pdf.render([a])) for a in others]
            other_seconds = time.perf_counter() - started
        sizes = [len(b) for b in bodies]
        ms = 1000
        load_average = os.getloadavg()[0]
        print(
            f"attestations of one meeting, {len(tokens)} people present ({url.split(':')[0]}; "
            f"load average {load_average:.1f} on {os.cpu_count()} cores)"
        )
        print(f"  {'what':38} {'total s':>8} {'p50 ms':>8} {'max ms':>8}")
        print(
            f"  {'personal page (baseline)':38} {page_total:8.2f} "
            f"{statistics.median(page_each) * ms:8.1f} {max(page_each) * ms:8.1f}"
        )
        print(
            f"  {'attestation.pdf, one per person':38} {pdf_total:8.2f} "
            f"{statistics.median(pdf_each) * ms:8.1f} {max(pdf_each) * ms:8.1f}"
        )
        print(f"  {'the team: all in one PDF':38} {team_seconds:8.2f}")
        print(
            f"  {'20 names in other alphabets (DejaVu)':38} {other_seconds:8.2f}"
            f"   (font on this machine: {pdf.unicode_fonts_available()})"
        )
        print(
            f"  sizes: per person {min(sizes) / 1000:.1f}-{max(sizes) / 1000:.1f} KB, "
            f"other alphabets up to {max(other_sizes) / 1000:.1f} KB, "
            f"team PDF {len(team_pdf) / 1000:.0f} KB for {len(attestations)} pages"
        )
        ratio = pdf_total / page_total if page_total else float("inf")
        print(f"  one PDF costs {ratio:.1f}x the personal page")
        ok = pdf_total < AIM_SECONDS and max(sizes + other_sizes) < AIM_BYTES
        print(
            f"  aim: {len(tokens)} PDFs under {AIM_SECONDS} s, each under "
            f"{AIM_BYTES // 1000} KB: {'met' if ok else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
