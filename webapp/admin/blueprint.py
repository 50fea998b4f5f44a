"""The back office's blueprint: signed-in staff only, never cached."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from webapp.pagecache import never_stored

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _staff_only():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    return None


# Staff pages show what only staff may see: no shared or browser cache keeps them.
never_stored(bp)
