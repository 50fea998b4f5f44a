"""Friendly error pages in the visitor's language (JSON for the API).

`Retry-After` goes only on the answers that ask to come back: a 503 (the database does not
answer: RETRY_AFTER_SECONDS) and a 429 (a limit: the seconds until its window ends).

The request's database session ends inside the app's handling (`_end_the_session`), not in
the app context's teardown where an error is beyond any handler (the server's bare 500): a
connection dropped after the request's last query gives the 503 page, or, when the request
had already committed its work, the answer of what was saved.
"""

import logging
import math
import sqlite3
import time
from contextlib import suppress

import psycopg
from flask import g, has_request_context, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from webapp.extensions import db, limiter

logger = logging.getLogger(__name__)
# How long a client should wait before asking again when the database does not answer.
RETRY_AFTER_SECONDS = 30


# The drivers' own errors, met where the page cache reads on a raw DBAPI connection.
DRIVER_OPERATIONAL_ERRORS = (sqlite3.OperationalError, psycopg.OperationalError)


def database_down(error):
    """The database did not answer (down, restarting, unreachable): not a bug of ours."""
    if isinstance(error, (OperationalError, *DRIVER_OPERATIONAL_ERRORS)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _wants_json():
    return request.path.startswith("/api/")


SAVED = "_request_committed"


@event.listens_for(Session, "after_commit")
def _note_commit(session):
    """The request has saved something: from now on its answer must say what was saved."""
    # A SAVEPOINT released is not a commit (after_commit is told of both).
    if has_request_context() and not session.in_nested_transaction():
        g.setdefault(SAVED, True)


def _request_ends_its_context():
    """Whether the app context (and its session) ends with this request: always when served;
    not for a test client used inside a test's own app context, whose session is the test's."""
    tokens = getattr(request_ctx._get_current_object(), "_cv_tokens", None)
    return not tokens or tokens[-1][1] is not None


def _limit_retry_after(error):
    """Seconds until the window of the limit that refused the request ends (its whole period
    when the limits' storage cannot tell)."""
    limit = getattr(error, "limit", None)  # a RateLimitExceeded names its limit
    period = limit.limit.get_expiry() if limit is not None else 60
    try:
        seconds = min(limiter.current_limit.reset_at - time.time(), period)
    except Exception:
        seconds = period
    return str(max(1, math.ceil(seconds)))


def init_app(app):
    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code == 500:
            return server_error(error)
        headers = {"Retry-After": _limit_retry_after(error)} if error.code == 429 else {}
        if _wants_json():
            return jsonify(error=error.name, status=error.code), error.code, headers
        template = "errors/404.html" if error.code == 404 else "errors/error.html"
        return render_template(template, error=error), error.code, headers

    def database_error(error):
        if not database_down(error):
            raise error
        with suppress(Exception):
            db.session.rollback()
        logger.warning("database unavailable: %s", type(getattr(error, "orig", error)).__name__)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        if _wants_json():
            return jsonify(error="Service Unavailable", status=503), 503, headers
        message = _("Le service est momentanément indisponible. Réessayez dans un instant.")
        return render_template("errors/503.html", message=message), 503, headers

    for error_class in (DBAPIError, *DRIVER_OPERATIONAL_ERRORS):
        app.register_error_handler(error_class, database_error)

    # Registered last, so it runs first of the app's after_request functions (the headers'
    # come after it, on whatever answer it returns).
    @app.after_request
    def _end_the_session(response):
        if not _request_ends_its_context():
            return response
        try:
            db.session.rollback()  # the teardown's remove() then has nothing left to fail on
        except Exception as error:
            if not database_down(error):
                raise
            if g.get(SAVED):
                logger.warning(
                    "database connection lost after the request committed; its answer stands"
                )
                return response
            return make_response(database_error(error))
        return response

    # Flask routes any unhandled exception here (in production; tests see the traceback),
    # including one raised after the view (an after_request function).
    @app.errorhandler(500)
    def server_error(error):
        original = getattr(error, "original_exception", None)
        if original is not None and database_down(original):
            return database_error(original)
        with suppress(Exception):
            db.session.rollback()
        if _wants_json():
            return jsonify(error="Internal Server Error", status=500), 500
        return render_template("errors/500.html", message=_("Erreur interne")), 500
