"""The back office's home (/admin/): what waits for the account, within its scope."""

from flask import render_template

from webapp.admin import dashboard
from webapp.admin.access import scope
from webapp.admin.blueprint import bp
from webapp.timezones import utcnow
from webapp.vocabulary import EVENT_STATUSES


@bp.get("/", endpoint="dashboard")
def dashboard_page():
    """The coming events the account reaches, what waits for it, and the year's counts."""
    return render_template(
        "admin/dashboard.html",
        board=dashboard.board(scope(), utcnow()),
        statuses=EVENT_STATUSES,
    )
