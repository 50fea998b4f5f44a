"""`flask --app wsgi worker ...` on a fast clock, for tests that run worker processes.

    python -m tests.worker.clocked_worker START SPEED ANCHOR_FILE [worker options]

The process's clock (time-machine) stands at START until ANCHOR_FILE holds an instant of
the machine's monotonic clock (which every process shares); from that instant it runs SPEED
times faster. Workers started this way agree on the time, however long each took to start.
SPEED 0 leaves the clock alone. SPEED `step`: the clock stands still at the instant
ANCHOR_FILE holds (an ISO datetime; START while it is empty) and moves only when the test
writes another: what happens in between takes no time, however slow the machine.
"""

import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path


def fast_clock(start, speed, anchor_file):
    import time_machine

    anchor = None

    def now():
        nonlocal anchor
        if anchor is None:
            written = Path(anchor_file).read_text().strip()
            if not written:
                return start
            anchor = float(written)
        return start + timedelta(seconds=max(time.monotonic() - anchor, 0) * speed)

    traveller = time_machine.travel(now(), tick=False).start()

    def drive():
        while True:
            traveller.move_to(now())
            time.sleep(0.005)

    threading.Thread(target=drive, daemon=True).start()


def stepped_clock(start, clock_file):
    import time_machine

    traveller = time_machine.travel(start, tick=False).start()

    def drive():
        shown = ""
        while True:
            written = Path(clock_file).read_text().strip()
            if written and written != shown:
                traveller.move_to(datetime.fromisoformat(written))
                shown = written
            time.sleep(0.005)

    threading.Thread(target=drive, daemon=True).start()


def main():
    start, speed, anchor, *options = sys.argv[1:]
    if speed == "step":
        stepped_clock(datetime.fromisoformat(start), anchor)
    elif float(speed):
        fast_clock(datetime.fromisoformat(start), float(speed), anchor)
    from flask.cli import main as flask

    sys.argv = ["flask", "--app", "wsgi", "worker", *options]
    flask()


if __name__ == "__main__":
    main()
