"""The signed-in account's own page: change the password (the other sessions end, this one
stays signed in)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from webapp.admin.blueprint import bp
from webapp.auth import accounts
from webapp.auth.forms import PasswordChangeForm, show_refusal
from webapp.extensions import limiter
from webapp.unit_of_work import unit_of_work


def _account_key():
    """Refused attempts are counted per account: a session left open is no way to guess."""
    return f"password-change:{getattr(current_user, 'id', None)}"


@bp.route("/account", methods=["GET", "POST"])
@limiter.limit(
    "5/15 minutes",
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
        except accounts.AccountRefused as refused:
            show_refusal(form, refused.reason)
        else:
            # The session version moved on: this session signs in again under the new one.
            login_user(changed)
            flash(_("Votre mot de passe est changé. Vos autres sessions sont fermées."), "info")
            return redirect(url_for(".account"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/account.html", form=form), status
