"""Friendly error pages in the visitor's language (JSON for the API)."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from webapp.extensions import db


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

    # Flask routes any unhandled exception here (in production; tests see the traceback).
    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if _wants_json():
            return jsonify(error="Internal Server Error", status=500), 500
        return render_template("errors/500.html", message=_("Erreur interne")), 500
