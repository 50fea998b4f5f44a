"""Staff accounts as operations: create or update, authenticate, and the scope of each.

Each function flushes; the edge (a view, `flask create-user`) commits. No password or
address is ever logged or put in the audit log (only the account's id and role).
"""

import logging

from sqlalchemy import func, select

from webapp import audit
from webapp.addresses import mail_address, normalise_email
from webapp.agenda.catalogue import organisation_named
from webapp.agenda.models import Bassin
from webapp.audit_actions import AuditAction
from webapp.auth import passwords, sessions
from webapp.auth.models import Account
from webapp.auth.scopes import Scope
from webapp.auth.states import AccountRole
from webapp.extensions import db
from webapp.timezones import utcnow

logger = logging.getLogger(__name__)


class AccountRefused(Exception):
    """The account cannot be made so; `reason` is a stable code."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def save_account(email, password, role, bassins=(), organisation=None, actor=audit.SYSTEM):
    """Create the account of `email`, or update its password, role and reach."""
    email = mail_address(email)
    role = AccountRole(role)
    problem = passwords.problem_with(password, email)
    if problem:
        raise AccountRefused(problem)
    found = db.session.scalars(select(Bassin).where(Bassin.slug.in_(bassins))).all()
    if len(found) != len(set(bassins)):
        raise AccountRefused("unknown-bassin")
    if role is AccountRole.BASSIN and not found:
        raise AccountRefused("bassin-needed")
    if role is AccountRole.SERVICE and not organisation:
        raise AccountRefused("organisation-needed")
    account = db.session.scalar(select(Account).where(Account.email == email))
    created = account is None
    if created:
        account = Account(email=email)
        db.session.add(account)
    else:
        account.session_version = (account.session_version or 1) + 1  # old links end
        sessions.end_all(account.id)  # and every session signed in with the old password
    account.password_hash = passwords.hash_password(password)
    account.role = role
    account.bassins = list(found)
    account.organisation = organisation_named(organisation) if organisation else None
    account.active = True
    db.session.flush()
    audit.record(
        actor,
        AuditAction.ACCOUNT_CREATED if created else AuditAction.ACCOUNT_UPDATED,
        "account",
        account.id,
        after={"role": role.value, "bassins": sorted(b.slug for b in found)},
    )
    return account


def authenticate(email, password):
    """The active account with that address and password, or None (same work either way)."""
    address = normalise_email(email)
    account = db.session.scalar(select(Account).where(func.lower(Account.email) == address))
    usable = account is not None and account.active
    if not passwords.matches(account.password_hash if usable else None, password):
        logger.info("login refused (account %s)", account.id if account else "unknown")
        return None
    account.last_login_at = utcnow()
    db.session.flush()
    return account


def scope_of(account):
    """What the account may reach (auth.scopes): everything, its bassins, its organisation."""
    role = AccountRole(account.role)
    if role is AccountRole.ADMIN:
        return Scope.all()
    if role is AccountRole.BASSIN:
        return Scope(
            bassins=frozenset(b.slug for b in account.bassins),
            bassin_ids=frozenset(b.id for b in account.bassins),
        )
    return Scope.of_organisation(account.organisation_id) if account.organisation_id else Scope()


def change_password(account_id, current_password, new_password):
    """Set a new password for the account when the current one is right; every session ends
    (the edge opens a new one for the browser that changed it).

    Raises AccountRefused ("wrong-password", "too-short", "too-common").
    """
    account = db.session.get(Account, account_id)
    if not passwords.matches(account.password_hash, current_password):
        raise AccountRefused("wrong-password")
    set_password(account, new_password)
    audit.record(
        audit.Actor.account(account.id), AuditAction.ACCOUNT_PASSWORD_CHANGED, "account", account.id
    )
    return account


def set_password(account, new_password):
    """A new hash and a new session version: the sessions and reset links made before end."""
    problem = passwords.problem_with(new_password, account.email)
    if problem:
        raise AccountRefused(problem)
    account.password_hash = passwords.hash_password(new_password)
    account.session_version = (account.session_version or 1) + 1
    sessions.end_all(account.id)
    db.session.flush()


def end_sessions(account_id, actor):
    """End every open session of the account (an admin's decision: a lost laptop, a
    departure); returns how many ended, None when there is no such account."""
    if db.session.get(Account, account_id) is None:
        return None
    ended = sessions.end_all(account_id)
    audit.record(
        actor, AuditAction.ACCOUNT_SESSIONS_ENDED, "account", account_id, after={"sessions": ended}
    )
    return ended
