"""Shared helpers of the benchmarks: a gunicorn on a free port, timed requests, medians.

Server time is what the WSGI app spends on a request (measured by `ServerTiming` inside the
worker and returned in a `Server-Timing: app;dur=<ms>` header), so figures do not depend on
the client; the round trip seen by the client is kept beside it.

Typical use in a bench/bench_*.py script:

    with database(args.database_url) as url:
        ...load rows with url...
        with gunicorn("bench.bench_wsgi:app", url) as server:
            stats = measure(server, "/some/page", requests=100)
    print_table([stats, ...], baseline=...)
"""

import argparse
import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
TRIVIAL_PATH = "/__bench/trivial"
TRIVIAL_POST_PATH = "/__bench/trivial-post"
BARE_PATH = "/__bench/bare"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- inside the server -------------------------------------------------------------------


class ServerTiming:
    """WSGI middleware: times the wrapped app (body included) into a Server-Timing header.

    With an engine, also the time spent in SQL and the number of statements
    (`app;dur=12.3, sql;dur=4.5, queries;dur=9`; one request at a time per worker process),
    and the CPU the worker process spent on the request (`cpu;dur=3.2`: what the app costs
    the machine, apart from the time it waited for the CPU on a loaded one).
    """

    def __init__(self, app, engine=None):
        self.app = app
        self.sql = {"ms": 0.0, "count": 0}
        if engine is not None:
            self._listen(engine)

    def _listen(self, engine):
        from sqlalchemy import event

        starts = []

        @event.listens_for(engine, "before_cursor_execute")
        def before(*args):
            starts.append(time.perf_counter())

        @event.listens_for(engine, "after_cursor_execute")
        def after(*args):
            self.sql["ms"] += (time.perf_counter() - starts.pop()) * 1000
            self.sql["count"] += 1

    def __call__(self, environ, start_response):
        self.sql.update(ms=0.0, count=0)
        started, cpu_started = time.perf_counter(), time.process_time()
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(headers)
            return lambda data: None

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - cpu_started) * 1000
        timing = f"app;dur={elapsed:.3f}, sql;dur={self.sql['ms']:.3f}, "
        timing += f"queries;dur={self.sql['count']}, cpu;dur={cpu:.3f}"
        start_response(captured["status"], captured["headers"] + [("Server-Timing", timing)])
        return [body]


# --- databases ---------------------------------------------------------------------------


def bench_parser(description, several_databases=False):
    """The command-line options every benchmark takes.

    `several_databases`: --database-url may be repeated (the runs follow one another), and
    `sqlite` names a temporary SQLite file.
    """
    parser = argparse.ArgumentParser(description=description)
    if several_databases:
        parser.add_argument(
            "--database-url",
            action="append",
            help="run against this database (its tables are DROPPED and rebuilt); repeat it "
            "to run on several in turn; `sqlite`: a temporary SQLite file (the default)",
        )
    else:
        parser.add_argument(
            "--database-url",
            default=os.environ.get("BENCH_DATABASE_URL"),
            help="run against this database (its tables are DROPPED and rebuilt); "
            "default: a temporary SQLite file",
        )
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    return parser


@contextlib.contextmanager
def database(url=None):
    """Yield a database URL: the given one, or a temporary SQLite file removed afterwards."""
    if url and url != "sqlite":
        yield url
        return
    folder = tempfile.mkdtemp(prefix="bench-")
    try:
        yield f"sqlite:///{folder}/bench.sqlite3"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_app(database_url):
    """The app on the given database, configured as in production but with a fixed key."""
    from config import Config
    from webapp import create_app

    config = type("BenchConfig", (Config,), {})
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SECRET_KEY = "bench"
    config.RATELIMIT_ENABLED = False
    return create_app(config)


def fresh_schema(app):
    """Drop and create every table of the app's database (the models' schema)."""
    from webapp.extensions import db

    with app.app_context():
        db.drop_all()
        db.create_all()


def csrf_token(html):
    """The CSRF token of the registration form in a page (fails loudly when there is none)."""
    found = CSRF_RE.search(html)
    if found is None:
        raise RuntimeError("no csrf_token in the registration form")
    return found.group(1)


def person_form(n, token):
    """What simulated person number `n` types in the registration form (a unique email)."""
    return {
        "csrf_token": token,
        "first_name": "Anne",
        "last_name": f"Peeters {n}",
        "email": f"person.{n}@example.org",
        "organisation": "CPAS",
        "sector": "cpas",
        "job_title": "Assistante sociale",
        "consent": "y",
    }


# --- gunicorn ----------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen


@contextlib.contextmanager
def gunicorn(app_spec, database_url, workers=2, env=None, ready_path="/healthz", config=None):
    """Start `gunicorn [-c <config>] -w <workers> -b 127.0.0.1:0 <app_spec>`; yield the Server.

    Port 0 lets the system pick a free port; it is read from gunicorn's log line.
    """
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    environment.pop("APP_ENV", None)
    command = [str(GUNICORN), "-w", str(workers), "-b", "127.0.0.1:0", app_spec]
    if config is not None:
        command[1:1] = ["-c", str(config)]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            url = _wait_for_listening(process, log)
            server = Server(url, process)
            _wait_until_ready(server, ready_path, workers)
            yield server
        finally:
            _stop(process)


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_listening(process, log, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log.seek(0)
        text = log.read()
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{text}")
        time.sleep(0.05)
    raise RuntimeError("gunicorn did not start listening in time")


def _wait_until_ready(server, path, workers, timeout=90):
    """Until every worker answers (each one imports the app on its own; on a busy shared
    machine that can take a minute)."""
    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline:
        try:
            fetch(server, path)
            answered += 1
            if answered >= workers * 3:
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    raise RuntimeError(f"{server.url}{path} did not answer in time")


# --- timing ------------------------------------------------------------------------------


@dataclass
class Timing:
    server_ms: float | None
    total_ms: float
    status: int
    size: int
    sql_ms: float | None = None
    queries: int | None = None


def server_timing(header):
    """The metrics of a Server-Timing header: {"app": 12.3, "sql": 4.5, "queries": 9, ...}."""
    return {name: float(value) for name, value in re.findall(r"(\w+);dur=([\d.]+)", header)}


def fetch(server, path):
    """One GET; the server time comes from the Server-Timing header when the app sends it."""
    started = time.perf_counter()
    with urllib.request.urlopen(server.url + path, timeout=30) as response:
        body = response.read()
        status = response.status
        header = response.headers.get("Server-Timing", "")
    total = (time.perf_counter() - started) * 1000
    metrics = server_timing(header)
    queries = metrics.get("queries")
    return Timing(
        metrics.get("app"),
        total,
        status,
        len(body),
        metrics.get("sql"),
        int(queries) if queries is not None else None,
    )


@dataclass
class Stats:
    label: str
    path: str
    server: list
    total: list
    size: int
    sql: list = field(default_factory=list)
    queries: int | None = None

    @property
    def server_median(self):
        return statistics.median(self.server) if self.server else None

    @property
    def sql_median(self):
        return statistics.median(self.sql) if self.sql else None

    @property
    def total_median(self):
        return statistics.median(self.total)


def percentile(values, fraction):
    """The value below which that fraction of the values lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(server, path, requests=100, warmup=10, label=None, expect=200):
    """Time `requests` sequential GETs of a page after a few warm-up ones."""
    for _ in range(warmup):
        fetch(server, path)
    timings = [fetch(server, path) for _ in range(requests)]
    wrong = [t.status for t in timings if t.status != expect]
    if wrong:
        raise RuntimeError(f"{path}: got status {wrong[0]}, expected {expect}")
    return Stats(
        label or path,
        path,
        [t.server_ms for t in timings if t.server_ms is not None],
        [t.total_ms for t in timings],
        timings[-1].size,
        [t.sql_ms for t in timings if t.sql_ms is not None],
        timings[-1].queries,
    )


def print_table(rows, baseline=None, aims=None, out=sys.stdout):
    """Medians (server, of which SQL, and round trip), p90, queries, size, ratio to baseline."""
    aims = aims or {}
    print(
        f"{'page':<32} {'server ms':>9} {'p90':>7} {'sql ms':>7} {'queries':>7} "
        f"{'round trip':>10} {'KiB':>5} {'ratio':>7}  aim",
        file=out,
    )
    for row in rows:
        ratio = ""
        aim = aims.get(row.label, "")
        if baseline is not None and row is not baseline and baseline.server_median:
            value = row.server_median / baseline.server_median
            ratio = f"{value:.1f}x"
            if aim:
                aim = f"<= {aim}x {'ok' if value <= aim else 'MISSED'}"
        sql = f"{row.sql_median:.2f}" if row.sql_median is not None else "-"
        queries = row.queries if row.queries is not None else "-"
        print(
            f"{row.label[:32]:<32} {row.server_median:>9.2f} {percentile(row.server, 0.9):>7.2f} "
            f"{sql:>7} {queries:>7} {row.total_median:>10.2f} {row.size / 1024:>5.1f} "
            f"{ratio:>7}  {aim}",
            file=out,
        )
