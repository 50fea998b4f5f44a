"""Staff sessions held on the server: one row per signed-in browser.

The signed cookie carries `<account id>:<secret>`; the table keeps the secret's hash, when
the session began, when it was last used and the browser's user agent (no address). Each
request finds its row (Flask-Login's user loader): signing out deletes it, so a cookie copied
before is worth nothing on every instance; a new password deletes all of the account's rows;
a row unused for `STAFF_SESSION_IDLE_HOURS` ends at its next use. Each function flushes; the
edge commits.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from webapp.auth.models import Account, StaffSession
from webapp.extensions import db

# The last use is written at most this often: a page and its few requests write it once.
TOUCH_EVERY = timedelta(minutes=1)
USER_AGENT_MAX = 200


def _hash(secret):
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def _idle_limit():
    return timedelta(hours=float(current_app.config["STAFF_SESSION_IDLE_HOURS"]))


def _readable(user_agent):
    """The user agent as a page may show it: printable, one line, bounded."""
    kept = "".join(c for c in (user_agent or "") if c.isprintable())
    return kept[:USER_AGENT_MAX]


def open_session(account, user_agent, now):
    """A new session for the account; its secret is set on the account (for the cookie)."""
    secret = secrets.token_urlsafe(32)
    db.session.execute(delete(StaffSession).where(StaffSession.last_seen_at < now - _idle_limit()))
    db.session.add(
        StaffSession(
            account_id=account.id,
            secret_hash=_hash(secret),
            created_at=now,
            last_seen_at=now,
            user_agent=_readable(user_agent),
        )
    )
    db.session.flush()
    account.session_secret = secret
    return secret


def _row(session_id):
    """The row a cookie's session id names, with its account id checked; None otherwise."""
    account_id, _, secret = str(session_id or "").partition(":")
    if not account_id.isascii() or not account_id.isdigit() or len(secret) != 43:
        return None
    row = db.session.scalar(select(StaffSession).where(StaffSession.secret_hash == _hash(secret)))
    if row is None or row.account_id != int(account_id):
        return None
    return row


def account_of(session_id, now, touch=True):
    """The active account of a live session, with its secret set; None when the session was
    ended, has been idle too long, or its account is inactive (an idle row is deleted)."""
    row = _row(session_id)
    if row is None:
        return None
    if row.last_seen_at < now - _idle_limit():
        db.session.delete(row)
        db.session.flush()
        return None
    # With what every staff page reads of it (its reach: bassins, organisation), in one query.
    account = db.session.get(
        Account,
        row.account_id,
        options=[joinedload(Account.bassins), joinedload(Account.organisation)],
    )
    if account is None or not account.active:
        return None
    if touch and now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.flush()
    account.session_secret = str(session_id).partition(":")[2]
    return account


def is_current(row, account):
    """Whether `row` is the session the account's request runs in."""
    return bool(account.session_secret) and row.secret_hash == _hash(account.session_secret)


def open_sessions(account_id):
    """The account's sessions, the most recently used first."""
    return db.session.scalars(
        select(StaffSession)
        .where(StaffSession.account_id == account_id)
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
    ).all()


def end_current(account):
    """Sign-out: the session of this request ends."""
    if account.session_secret:
        db.session.execute(
            delete(StaffSession).where(StaffSession.secret_hash == _hash(account.session_secret))
        )
        account.session_secret = None


def end_one(account_id, session_row_id):
    """End one of the account's sessions; False when it has no such session."""
    result = db.session.execute(
        delete(StaffSession).where(
            StaffSession.id == session_row_id, StaffSession.account_id == account_id
        )
    )
    return result.rowcount > 0


def end_all(account_id):
    """End every session of the account (a new password, an admin's decision); how many."""
    result = db.session.execute(delete(StaffSession).where(StaffSession.account_id == account_id))
    return result.rowcount
