"""Forgotten password: /password/forgot (an address, one answer whoever it is) and
/password/reset/<token> (the emailed link: a new password, once, within the hour)."""

import logging

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp import limits
from webapp.addresses import typed_address_key
from webapp.auth import resets, throttle
from webapp.auth.accounts import AccountRefused
from webapp.auth.forms import ForgotPasswordForm, NewPasswordForm, show_refusal
from webapp.auth.views import bp
from webapp.extensions import limiter
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import current_language

logger = logging.getLogger(__name__)

# Reset mails to one address: from one client, and from all of them. Past either the form
# answers the same and sends nothing; the owner asking from elsewhere still gets a mail (and
# every link sent within the hour works until the password changes).
MAILS_PER_ADDRESS_AND_CLIENT = limits.RESET_MAILS_PER_ADDRESS_AND_CLIENT
MAILS_PER_ADDRESS = limits.RESET_MAILS_PER_ADDRESS


def _may_send(typed):
    """Whether a reset mail may go to this typed address now (counting it if so)."""
    address = ("password-forgot", typed_address_key(typed))
    pair = (*address, limits.client_address())
    if throttle.spent(MAILS_PER_ADDRESS_AND_CLIENT, *pair) or throttle.spent(
        MAILS_PER_ADDRESS, *address
    ):
        logger.info("password reset not sent: the address's budget is spent")
        return False
    throttle.spend(MAILS_PER_ADDRESS_AND_CLIENT, *pair)
    throttle.spend(MAILS_PER_ADDRESS, *address)
    return True


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(limits.PASSWORD_FORGOT, methods=["POST"])
def password_forgot():
    """Ask for a reset link; the answer never tells whether the address has an account, nor
    whether a mail went (past the address's budget, none does)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if _may_send(form.email.data):
            with unit_of_work("password-forgot"):
                resets.ask_reset(form.email.data, current_language())
        return render_template("auth/password_forgot.html", form=None, sent=True)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password_forgot.html", form=form, sent=False), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(limits.PASSWORD_RESET, methods=["POST"])
def password_reset(token):
    """The emailed link: a new password typed twice; then sign in with it."""
    try:
        resets.account_for(token)
    except resets.LinkRefused as refused:
        return _no_referrer(_link_refused(refused.reason))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work("password-reset"):
                resets.reset_password(token, form.new_password.data)
        except resets.LinkRefused as refused:  # used meanwhile, in another tab
            return _no_referrer(_link_refused(refused.reason))
        except AccountRefused as refused:
            show_refusal(form, refused.reason)
        else:
            flash(_("Votre mot de passe est changé. Connectez-vous avec le nouveau."), "info")
            return _no_referrer(redirect(url_for(".login"), 303))
    status = 422 if request.method == "POST" else 200
    page = render_template("auth/password_reset.html", form=form)
    return _no_referrer((page, status))


def _link_refused(reason):
    status = 400 if reason == "invalid" else 410
    return render_template("auth/password_link_refused.html", reason=reason), status


def _no_referrer(answer):
    """The token is in the URL: no page it leads to may learn it from a Referer."""
    response = make_response(answer)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
