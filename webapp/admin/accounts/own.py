"""The signed-in account's own page: change the password (the other sessions end, this one
stays signed in), see the open sessions and end any of them."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from webapp import limits
from webapp.admin.blueprint import bp
from webapp.auth import accounts, sessions
from webapp.auth.forms import PasswordChangeForm, show_refusal
from webapp.extensions import limiter
from webapp.formfields import database_id
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


def _account_key():
    """Refused attempts are counted per account: a session left open is no way to guess."""
    return f"password-change:{getattr(current_user, 'id', None)}"


@bp.route("/account", methods=["GET", "POST"])
@limiter.limit(
    limits.PASSWORD_CHANGE,
    methods=["POST"],
    key_func=_account_key,
    deduct_when=lambda response: response.status_code != 303,
)
def account():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with unit_of_work("password-change"):
                changed = accounts.change_password(
                    current_user.id, form.current_password.data, form.new_password.data
                )
                sessions.open_session(changed, request.user_agent.string, utcnow())
        except accounts.AccountRefused as refused:
            show_refusal(form, refused.reason)
        else:
            # Every session ended with the old password: this browser goes on in a new one.
            login_user(changed)
            flash(_("Votre mot de passe est changé. Vos autres sessions sont fermées."), "info")
            return redirect(url_for(".account"), 303)
    status = 422 if request.method == "POST" else 200
    return _page(form, status)


def _page(form, status=200):
    rows = sessions.open_sessions(current_user.id)
    listed = [(row, sessions.is_current(row, current_user)) for row in rows]
    return render_template("admin/account.html", form=form, sessions=listed), status


@bp.post("/account/sessions/end")
def end_session():
    """End one of the account's own sessions (`session`: its id); this one signs out."""
    row_id = database_id(request.form.get("session"))
    if row_id is None:
        return redirect(url_for(".account"), 303)
    current = next(
        (row for row in sessions.open_sessions(current_user.id) if row.id == row_id), None
    )
    this_one = current is not None and sessions.is_current(current, current_user)
    with unit_of_work("end session"):
        ended = sessions.end_one(current_user.id, row_id)
    if this_one:
        logout_user()
        return redirect(url_for("auth.login"), 303)
    if ended:
        flash(_("La session est fermée."), "info")
    return redirect(url_for(".account"), 303)
