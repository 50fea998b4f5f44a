"""/admin/accounts, for admins: every staff account with its open sessions, and the button
that ends them all (a lost laptop, a departure)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.auth import accounts as staff
from webapp.auth.models import Account, StaffSession
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import ACCOUNT_ROLES


@bp.get("/accounts")
@access.roles("admin")
def accounts():
    open_sessions = (
        select(
            StaffSession.account_id,
            func.count().label("count"),
            func.max(StaffSession.last_seen_at).label("last_seen"),
        )
        .group_by(StaffSession.account_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Account, open_sessions.c.count, open_sessions.c.last_seen)
        .outerjoin(open_sessions, open_sessions.c.account_id == Account.id)
        .order_by(Account.email)
    ).all()
    return render_template("admin/accounts.html", rows=rows, role_labels=ACCOUNT_ROLES)


@bp.post("/accounts/<int:account_id>/sessions/end")
@access.roles("admin")
def end_account_sessions(account_id):
    with unit_of_work("end account sessions"):
        ended = staff.end_sessions(account_id, access.actor())
    if ended is None:
        abort(404)
    flash(_("Les sessions de ce compte sont fermées (%(count)d).", count=ended), "info")
    return redirect(url_for(".accounts"), 303)
