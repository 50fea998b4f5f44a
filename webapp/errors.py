"""Friendly error pages in the visitor's language (JSON for the API)."""

import logging
import sqlite3
from contextlib import suppress

import psycopg
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from webapp.extensions import db

logger = logging.getLogger(__name__)
# How long a client should wait before asking again when the database does not answer.
RETRY_AFTER_SECONDS = 30


# The drivers' own errors, met where the page cache reads on a raw DBAPI connection.
DRIVER_OPERATIONAL_ERRORS = (sqlite3.OperationalError, psycopg.OperationalError)


def _database_down(error):
    """The database did not answer (down, restarting, unreachable): not a bug of ours."""
    if isinstance(error, (OperationalError, *DRIVER_OPERATIONAL_ERRORS)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _wants_json():
    return request.path.startswith("/api/")


def init_app(app):
    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code == 500:
            return server_error(error)
        if _wants_json():
            return jsonify(error=error.name, status=error.code), error.code
        template = "errors/404.html" if error.code == 404 else "errors/error.html"
        return render_template(template, error=error), error.code

    def database_error(error):
        if not _database_down(error):
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

    # Flask routes any unhandled exception here (in production; tests see the traceback).
    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if _wants_json():
            return jsonify(error="Internal Server Error", status=500), 500
        return render_template("errors/500.html", message=_("Erreur interne")), 500
