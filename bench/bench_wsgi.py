"""What the benchmarks serve under gunicorn: the app plus trivial baseline views, timed.

`gunicorn bench.bench_wsgi:app` (DATABASE_URL set) serves:
- the real app (wsgi:app's factory) with one extra trivial view at TRIVIAL_PATH, which goes
  through the same per-request machinery (locale, session, limiter) and returns a constant;
- a bare Flask app with the same trivial view at /__bench/bare (no extension at all);
all wrapped in ServerTiming, which reports the time spent in the app (and in SQL) per request.
"""

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bench.common import BARE_PATH, TRIVIAL_PATH, TRIVIAL_POST_PATH, ServerTiming
from webapp import create_app
from webapp.extensions import csrf, db

flask_app = create_app()


@flask_app.get(TRIVIAL_PATH)
def trivial():
    return "ok"


@flask_app.post(TRIVIAL_POST_PATH)
@csrf.exempt
def trivial_post():
    return "ok"


bare = Flask("bare")


@bare.get("/")
def bare_trivial():
    return "ok"


with flask_app.app_context():
    engine = db.engine

app = ServerTiming(DispatcherMiddleware(flask_app, {BARE_PATH: bare}), engine)
