"""Password reset by an emailed link that expires after an hour and works once.

The link carries a signed token (itsdangerous, the app's SECRET_KEY, a salt of its own) made
of the account's id and a fingerprint of its current password hash and session version. No
table is needed: setting a new password (by this link, the account page or create-user)
changes the fingerprint, so the link is spent the moment it is used and any earlier link
dies with it; the signature's timestamp gives the expiry. Several instances agree without
sharing anything but the secret.
"""

import hashlib
import logging

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from webapp import audit
from webapp.addresses import normalise_email
from webapp.audit_actions import AuditAction
from webapp.auth.accounts import set_password
from webapp.auth.models import Account
from webapp.extensions import db
from webapp.mail.outbox import queue_message
from webapp.urls import absolute_url

logger = logging.getLogger(__name__)

LIFETIME_SECONDS = 3600
# A token is about 100 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 300
_SALT = "password-reset"


class LinkRefused(Exception):
    """The link cannot be used: `reason` is "expired", "used" or "invalid"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(account):
    """Changes whenever the password or the session version does."""
    material = f"{account.password_hash}:{account.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:24]


def token_for(account):
    """A reset token for the account, valid for LIFETIME_SECONDS and until its next password."""
    return _serializer().dumps({"account": account.id, "fingerprint": _fingerprint(account)})


def account_for(token, lock=False):
    """The active account a token is for; raises LinkRefused when it cannot serve.

    `lock` holds the account's row until the transaction ends (PostgreSQL), so two tabs
    posting the same link at once use it once: the second sees the new fingerprint.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkRefused("invalid")
    try:
        data = _serializer().loads(token, max_age=LIFETIME_SECONDS)
    except SignatureExpired:
        raise LinkRefused("expired") from None
    except BadSignature:
        raise LinkRefused("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("account"), int):
        raise LinkRefused("invalid")
    account = db.session.get(Account, data["account"], with_for_update=lock, populate_existing=lock)
    if account is None or not account.active:
        raise LinkRefused("invalid")
    if data.get("fingerprint") != _fingerprint(account):
        raise LinkRefused("used")
    return account


def ask_reset(email, language="fr"):
    """Queue the reset mail when an active account has that address; nothing otherwise.

    The caller answers the same either way. Returns whether a mail was queued (for tests).
    """
    address = normalise_email(email)
    account = db.session.scalar(select(Account).where(func.lower(Account.email) == address))
    if account is None or not account.active:
        logger.info("password reset asked for an unknown address")
        return False
    link = absolute_url("auth.password_reset", token=token_for(account), lang=language)
    with force_locale(language):
        context = {"link": link, "language": language}
        queue_message(
            account.email,
            _("Nouveau mot de passe pour l'agenda des bassins"),
            render_template("mail/password_reset.txt", **context),
            render_template("mail/password_reset.html", **context),
            reference=f"account:{account.id}",
        )
    audit.record(audit.SYSTEM, AuditAction.ACCOUNT_PASSWORD_RESET_REQUESTED, "account", account.id)
    db.session.flush()
    return True


def reset_password(token, new_password):
    """Set the new password of the token's account (the link is then spent).

    Raises LinkRefused, or AccountRefused ("too-short", "too-common") for the password.
    """
    account = account_for(token, lock=True)
    set_password(account, new_password)
    audit.record(
        audit.Actor.account(account.id), AuditAction.ACCOUNT_PASSWORD_RESET, "account", account.id
    )
    return account
