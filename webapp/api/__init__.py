"""The open JSON API (/api/v1/) and the embeddable agenda (/embed/)."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from webapp.api import embed, grandbain, views  # noqa: E402,F401
