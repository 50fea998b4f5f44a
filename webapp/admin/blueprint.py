"""The back office's blueprint: signed-in staff only, never cached."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _staff_only():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    return None


@bp.after_request
def _never_stored(response):
    # Staff pages show what only staff may see: no shared or browser cache keeps them.
    response.headers["Cache-Control"] = "private, no-store"
    return response
