"""Staff sign-in (/login, /logout); the forgotten password's pages are in password_views.
The back office's dashboard (/admin/) is admin.home."""

import logging
import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from webapp import limits
from webapp.addresses import typed_address_key
from webapp.auth import accounts, sessions, throttle
from webapp.auth.forms import LoginForm
from webapp.extensions import db, limiter, login_manager
from webapp.pagecache import never_stored
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

logger = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

# Refused attempts on one account from every client: past this, each attempt on it waits
# SLOWDOWN_SECONDS before its password is checked (the right one still signs in).
ACCOUNT_FAILURES = limits.SIGN_IN_ACCOUNT_FAILURES
SLOWDOWN_SECONDS = 1.0

STAFF_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.logout",
        "auth.password_forgot",
        "auth.password_reset",
    }
)


@login_manager.user_loader
def _load(session_id):
    """The account of the request's server-side session (auth.sessions), its last use noted.

    Called at the first look at `current_user`, before a view's work; should a view look
    first with changes pending, the session is read and nothing is committed here."""
    if db.session.new or db.session.dirty or db.session.deleted:
        return sessions.account_of(session_id, utcnow(), touch=False)
    with unit_of_work("staff session"):
        return sessions.account_of(session_id, utcnow())


# Staff pages show what only staff may see: no shared or browser cache keeps them.
never_stored(bp, STAFF_ENDPOINTS)


def _account_and_client_key():
    """One bucket per typed address (hashed: no address in the limiter's store) and client:
    the failures of others never lock the account's owner out."""
    return f"login:{typed_address_key(request.form.get('email'))}:{limits.client_address()}"


def _safe_next(target):
    """Only a path of this site: never an open redirect to another one."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (target or "").startswith("/"):
        return None
    return target if not target.startswith("//") else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limits.SIGN_IN, methods=["POST"])
@limiter.limit(
    limits.SIGN_IN_ACCOUNT_AND_CLIENT,
    methods=["POST"],
    key_func=_account_and_client_key,
    deduct_when=lambda r: r.status_code != 303,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm()
    refused = False
    if form.validate_on_submit():
        failures = ("login-failures", typed_address_key(form.email.data))
        if throttle.spent(ACCOUNT_FAILURES, *failures):
            # Someone guesses this account's password from many places: slower, not locked.
            logger.info("login slowed: many refused attempts on one account")
            time.sleep(SLOWDOWN_SECONDS)
        with unit_of_work("login"):
            account = accounts.authenticate(form.email.data, form.password.data)
            if account is not None:
                sessions.open_session(account, request.user_agent.string, utcnow())
        if account is not None:
            language = session.get("lang")
            session.clear()  # a new session at sign-in: nothing carried over from before...
            if language:
                session["lang"] = language  # ...but the language the reader chose
            login_user(account)
            return redirect(_safe_next(request.args.get("next")) or url_for("admin.dashboard"), 303)
        throttle.spend(ACCOUNT_FAILURES, *failures)
        refused = True  # the same answer for an unknown address and a wrong password
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, refused=refused), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        with unit_of_work("logout"):
            sessions.end_current(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("agenda.index"), 303)


@login_manager.unauthorized_handler
def _sign_in_first():
    if request.path.startswith("/admin"):
        return redirect(url_for("auth.login", next=request.path))
    abort(401)


# The forgotten password's views register on `bp` (they import it from here).
from webapp.auth import password_views  # noqa: E402, F401
