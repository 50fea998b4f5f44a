"""Personal-link tokens: the secret in a link that stands for a person (no account, no password).

Registrations' pages and feeds today; Grand Bain bookings, offers' edit links and evaluation
invitations next. A token is 256 random bits, URL-safe, unrelated to any id or address, so
it can be neither guessed nor derived; whoever holds the link is its owner.
"""

import re
import secrets

from flask import abort
from sqlalchemy import select

from webapp.extensions import db

TOKEN_BYTES = 32
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet, no padding.
TOKEN_LENGTH = 43
# Anchored (\A, \Z: no trailing newline), so .match is as safe as .fullmatch.
TOKEN_RE = re.compile(rf"\A[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}\Z")


def new_token() -> str:
    """A fresh personal-link token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_token(text) -> bool:
    """Whether `text` has the shape of a token (anything else is no one's link).

    The length is checked first, so a megabyte of path costs what a short one does; the
    whole string must match (a trailing newline, which `$` would let through, does not).
    """
    return (
        isinstance(text, str) and len(text) == TOKEN_LENGTH and TOKEN_RE.fullmatch(text) is not None
    )


def find_by_token(column, text):
    """The row whose token `column` (e.g. `Registration.token`) holds `text`, or None.

    Malformed input is refused before the database is asked: no query, no index lookup,
    the same small work for any garbage.
    """
    if not is_token(text):
        return None
    model = column.class_
    return db.session.scalar(select(model).where(column == text))


def find_by_token_or_404(column, text):
    """The row of that personal link, or the 404 a page answers for any other text."""
    found = find_by_token(column, text)
    if found is None:
        abort(404)
    return found


# Attestation codes: what a reader types from a printed page, so no 0/O, 1/I/L nor U/V.
# 10 of these 29 characters: about 48 bits, checked behind a rate limit.
ATTESTATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
ATTESTATION_CODE_LENGTH = 10
ATTESTATION_CODE_RE = re.compile(rf"\A[{ATTESTATION_ALPHABET}]{{{ATTESTATION_CODE_LENGTH}}}\Z")


def new_attestation_code() -> str:
    """A fresh attestation code (random, unrelated to any id or to the personal token)."""
    return "".join(secrets.choice(ATTESTATION_ALPHABET) for _ in range(ATTESTATION_CODE_LENGTH))


def normalise_attestation_code(text):
    """The code as stored, from what was typed or printed ("abcde-fghjk", spaces, case), or
    None when it cannot be one (so nothing is asked of the database)."""
    if not isinstance(text, str) or len(text) > 3 * ATTESTATION_CODE_LENGTH:
        return None
    code = text.replace("-", "").replace(" ", "").upper()
    return code if ATTESTATION_CODE_RE.fullmatch(code) else None


def printed_attestation_code(code):
    """The code as printed: two groups of five ("ABCDE-FGHJK")."""
    half = ATTESTATION_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"
