"""Staff sign-in and the back office's dashboard (/login, /logout, /admin/)."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.addresses import typed_address_key
from webapp.agenda.models import Event
from webapp.agenda.states import EventStatus
from webapp.auth import accounts
from webapp.auth.forms import LoginForm
from webapp.auth.scopes import event_filter, registration_filter
from webapp.extensions import db, limiter, login_manager
from webapp.registrations.models import Registration
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import EVENT_STATUSES

bp = Blueprint("auth", __name__)

STAFF_ENDPOINTS = frozenset({"auth.login", "auth.logout", "auth.dashboard"})


@login_manager.user_loader
def _load(session_id):
    return accounts.load_account(session_id)


@bp.after_request
def _never_stored(response):
    # Staff pages show what only staff may see: no shared or browser cache keeps them.
    if request.endpoint in STAFF_ENDPOINTS:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _account_key():
    """One bucket per typed address (hashed: no address in the limiter's store)."""
    return "login:" + typed_address_key(request.form.get("email"))


def _safe_next(target):
    """Only a path of this site: never an open redirect to another one."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (target or "").startswith("/"):
        return None
    return target if not target.startswith("//") else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute;50/hour", methods=["POST"])
@limiter.limit(
    "5/15 minutes",
    methods=["POST"],
    key_func=_account_key,
    deduct_when=lambda r: r.status_code != 303,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for(".dashboard"))
    form = LoginForm()
    refused = False
    if form.validate_on_submit():
        with unit_of_work("login"):
            account = accounts.authenticate(form.email.data, form.password.data)
        if account is not None:
            session.clear()  # a new session at sign-in: nothing carried over from before
            login_user(account)
            return redirect(_safe_next(request.args.get("next")) or url_for(".dashboard"), 303)
        refused = True  # the same answer for an unknown address and a wrong password
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, refused=refused), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("agenda.index"), 303)


@bp.get("/admin/")
@login_required
def dashboard():
    """The coming events the account reaches, with places taken and waitlists."""
    scope = accounts.scope_of(current_user)
    now = utcnow()
    events = db.session.scalars(
        select(Event)
        .where(event_filter(scope), Event.end_at > now, Event.status != EventStatus.CANCELLED)
        .order_by(Event.start_at)
        .limit(50)
        .options(selectinload(Event.bassins), selectinload(Event.venue))
    ).all()
    counts = _registration_counts(scope, [e.id for e in events])
    return render_template(
        "auth/dashboard.html", events=events, counts=counts, statuses=EVENT_STATUSES
    )


def _registration_counts(scope, event_ids):
    """{event id: {status: count}} for those events, within the scope."""
    rows = db.session.execute(
        select(Registration.event_id, Registration.status, func.count())
        .where(Registration.event_id.in_(event_ids or [0]), registration_filter(scope))
        .where(Registration.walk_in.is_(False))  # people added at the door took no place
        .group_by(Registration.event_id, Registration.status)
    ).all()
    counts = {}
    for event_id, status, count in rows:
        counts.setdefault(event_id, {})[RegistrationStatus(status)] = count
    return counts


@login_manager.unauthorized_handler
def _sign_in_first():
    if request.path.startswith("/admin"):
        return redirect(url_for("auth.login", next=request.path))
    abort(401)
