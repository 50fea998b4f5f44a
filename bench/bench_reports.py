"""The theme synthesis page (/themes/<theme>/<year>, seed 000) against the agenda page.

    .venv/bin/python bench/bench_reports.py [--database-url URL] [--events N] [--meetings N]

Loads the demo agenda and N generated events (bench_agenda.load), then, for the liaison
theme, `--meetings` past meetings per bassin in one year, each with a published report
(three parts of five bullets, three quotes, sector figures), and the year's published
synthesis. Starts `gunicorn -w 2` and prints the median server time of the agenda page `/`,
the theme page and one meeting's page: once as visitors get them (page cache on), once with
every request rendered (cache off: the first visitor after a change, "cold").
Aim (issue 23): the theme page cold within 3x the agenda page as visitors get it (cached),
and within 3x the agenda page cold.
"""

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench.bench_agenda import load  # noqa: E402
from bench.common import (  # noqa: E402
    TRIVIAL_PATH,
    bench_app,
    bench_parser,
    database,
    fresh_schema,
    gunicorn,
    measure,
    print_table,
)

THEME = "liaison-ambulatoire-hopital"
AIM = 3


def part(title, n):
    bullets = "\n".join(
        f"- **Point {k} de la rencontre {n}** : des retours à domicile préparés trop tard, "
        f"un [relais](https://example.org/relais-{k}) à trouver."
        for k in range(1, 6)
    )
    return title, f"Ce que la table a dit.\n\n{bullets}"


def load_theme(app, meetings_per_bassin):
    """Past meetings of the theme with published reports, and the published synthesis;
    the year."""
    from tests.factories import event_factory
    from webapp.agenda import report_operations as ops
    from webapp.agenda.models import Series
    from webapp.agenda.report_operations import Quote, Section, ThemeRow
    from webapp.agenda.reports import Report
    from webapp.audit import IMPORT
    from webapp.extensions import db
    from webapp.unit_of_work import unit_of_work

    now = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    year = (now - timedelta(days=2)).year
    first_day = datetime(year, 1, 2, 8, tzinfo=UTC)
    span = max((now - timedelta(days=2) - first_day).days, 1)
    with app.app_context():
        series = db.session.scalars(select(Series).where(Series.theme == THEME)).all()
        for one in series:
            bassin = one.bassins[0].slug
            for n in range(meetings_per_bassin):
                start = first_day + timedelta(days=span * n // meetings_per_bassin)
                event = event_factory(
                    title=f"Concertation liaison bench #{n}",
                    start=start,
                    bassins=(bassin,),
                    series_slug=one.slug,
                )
                sections = [
                    Section(*part("Veille des besoins de la population", n)),
                    Section(*part("Constats et ajustements de l'offre", n)),
                    Section(*part("Actions à mener collectivement et perspectives", n)),
                ]
                quotes = [
                    Quote(f"Une parole de participant·e numéro {k}.", "hopital") for k in range(3)
                ]
                with unit_of_work("bench"):
                    ops.save_draft(
                        event.id,
                        {
                            "participants_count": 12,
                            "participant_sectors": {"hopital": 5, "social": 4, "sante-mentale": 3},
                            "sections": sections,
                            "quotes": quotes,
                        },
                        IMPORT,
                    )
                    ops.publish(event.id, IMPORT)
        with unit_of_work("bench"):
            found = ops._synthesis(THEME, year)
            data = {
                "text_fr": "Les concertations thématiques des bassins suivent les actualités.",
                "needs_fr": "\n".join(f"- **Besoin {k}** : un constat partagé." for k in range(8)),
                "actions_fr": "\n".join(f"- **Piste {k}** : une action commune." for k in range(6)),
                "perspectives_fr": "Les concertations se poursuivent dans les 5 bassins.",
                "themes": [ThemeRow(f"Thématique {k}", ("sud", "nord")) for k in range(7)],
            }
            ops.save_synthesis(THEME, year, data, IMPORT)
            if found is None or not found.is_published:
                ops.publish_synthesis(THEME, year, IMPORT)
        event_id = db.session.scalar(select(Report.event_id).order_by(Report.id.desc()).limit(1))
        db.session.remove()
    return year, event_id


def main(argv=None):
    parser = bench_parser(__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5_000, help="generated events")
    parser.add_argument("--meetings", type=int, default=8, help="theme meetings per bassin")
    args = parser.parse_args(argv)
    with database(args.database_url) as url:
        started = time.perf_counter()
        app = bench_app(url)
        fresh_schema(app)
        load(app, args.events)
        year, event_id = load_theme(app, args.meetings)
        loaded = time.perf_counter() - started
        backend = url.split(":", 1)[0]
        print(
            f"bench_reports: {args.events} events + demo data + {args.meetings} reported "
            f"meetings per bassin into {backend} in {loaded:.1f}s"
        )
        pages = [
            ("trivial view (same app)", TRIVIAL_PATH),
            ("agenda /", "/"),
            (f"theme page {year}", f"/themes/{THEME}/{year}"),
            ("a meeting's report", f"/events/{event_id}"),
        ]
        with gunicorn("bench.bench_wsgi:app", url, workers=args.workers) as server:
            cached = [measure(server, path, args.requests, label=label) for label, path in pages]
        print(f"gunicorn -w {args.workers}, {args.requests} sequential requests, page cache on:")
        print_table(cached, baseline=cached[0])
        off = {"PAGE_CACHE_SIZE": "0"}
        with gunicorn("bench.bench_wsgi:app", url, workers=args.workers, env=off) as server:
            cold = [measure(server, path, args.requests, label=label) for label, path in pages]
        print("page cache off (every request rendered, cold):")
        print_table(cold, baseline=cold[0])
        agenda_cached, agenda_cold, theme_cold = cached[1], cold[1], cold[2]
        to_cached = theme_cold.server_median / agenda_cached.server_median
        to_cold = theme_cold.server_median / agenda_cold.server_median
        print(
            f"theme page cold {theme_cold.server_median:.1f} ms = {to_cached:.1f}x the agenda page "
            f"cached ({agenda_cached.server_median:.1f} ms), {to_cold:.2f}x the agenda page cold "
            f"({agenda_cold.server_median:.1f} ms); aim: at most {AIM}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
