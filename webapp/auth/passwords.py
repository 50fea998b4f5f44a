"""Passwords: hashed with scrypt (Werkzeug), long enough, not among the most common."""

from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
# The most common passwords of leaked lists, and the obvious ones of this service.
COMMON = frozenset(
    {
        "123456789012",
        "1234567890123",
        "motdepasse123",
        "wachtwoord123",
        "password1234",
        "passwordpassword",
        "azertyuiop12",
        "qwertyuiop12",
        "bassinsud2026",
        "bassinsud2027",
        "bruxelles1000",
        "brussel123456",
        "iloveyou1234",
        "000000000000",
        "111111111111",
        "aaaaaaaaaaaa",
        "agendabassins",
    }
)


def problem_with(password, email=""):
    """Why a new password is refused (a stable code), or None."""
    if len(password or "") < MIN_LENGTH:
        return "too-short"
    lowered = password.lower()
    if lowered in COMMON or lowered == (email or "").lower() or len(set(lowered)) < 4:
        return "too-common"
    return None


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method):
    """Checked against when an address is unknown, so both answers take the same time."""
    return generate_password_hash("an unknown account takes as long", method=method)


def matches(password_hash, password):
    """Whether the password fits the hash; a missing hash costs as much as a real one."""
    if password_hash is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or "")
        return False
    return check_password_hash(password_hash, password or "")
