"""Run every bench/bench_*.py, then the two rushes, in turn and print their figures (`make bench`).

    .venv/bin/python bench/run_all.py [--only NAME] [options passed to each benchmark]

Any option other than --only (e.g. --database-url URL, --requests N) is handed to every
benchmark. rush.py (two gunicorn instances on PostgreSQL and Redis) runs last; it skips
itself, exit 0, when PostgreSQL or Redis is not there; so does grand_bain.py (300 visitors
booking 3 of the 20 most wanted visits through two gunicorn instances). Exits non-zero
when one of them fails, after running the others.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def benchmarks(only=None):
    """The benchmark scripts, in name order then the rush (optionally those whose name
    contains `only`)."""
    found = sorted(BENCH_DIR.glob("bench_*.py"))
    # bench_wsgi.py is what the benchmarks serve, not a benchmark.
    found = [path for path in found if path.name != "bench_wsgi.py"]
    found.append(BENCH_DIR / "rush.py")
    found.append(BENCH_DIR / "grand_bain.py")
    if only:
        found = [path for path in found if only in path.stem]
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the benchmarks whose file name contains this")
    args, passed_on = parser.parse_known_args(argv)
    scripts = benchmarks(args.only)
    if not scripts:
        print("no benchmark found in bench/", file=sys.stderr)
        return 1
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script), *passed_on], cwd=BENCH_DIR.parent)
        elapsed = time.perf_counter() - started
        status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"--- {script.name}: {status} in {elapsed:.0f}s", flush=True)
        if result.returncode != 0:
            failed.append(script.name)
    print()
    if failed:
        print(f"{len(failed)} of {len(scripts)} benchmarks failed: {', '.join(failed)}")
        return 1
    print(f"{len(scripts)} benchmarks ran: {', '.join(s.name for s in scripts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
