"""Email addresses as we store and send them: checked once, one line, ASCII.

Every address that enters the service (the registration form, import-events, an event's
contact) goes through `mail_address`, so none can carry a line break into a mail header or an
.ics line. Addresses that need SMTPUTF8 (letters such as é before the @) are refused with a
reason of their own: many mail servers on the way would bounce them. Internationalised domains
are kept in their ASCII (IDNA) form, which every server takes.
"""

import hashlib

from email_validator import EmailNotValidError, validate_email


class AddressRefused(ValueError):
    """`reason` is "needs-smtputf8" (non-ASCII before the @) or "invalid"."""

    def __init__(self, reason, detail=""):
        super().__init__(detail or reason)
        self.reason = reason


def mail_address(value):
    """The address in the form we keep (ASCII, lowercase), or AddressRefused."""
    text = value if isinstance(value, str) else ""
    try:
        checked = validate_email(text.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        local_part = text.rpartition("@")[0]
        reason = "needs-smtputf8" if local_part and not local_part.isascii() else "invalid"
        raise AddressRefused(reason, str(error)) from None
    return checked.ascii_email.lower()


def normalise_email(text):
    """What a person typed as an address, as lookups compare it: trimmed, lower case (the
    stored form of a valid address is mail_address's, which ends the same)."""
    return (text or "").strip().lower()


def typed_address_key(text):
    """A short hash of what a person typed as an address, for rate-limit keys: the limiter's
    store (Redis) keeps no address, and no typed text reaches a key."""
    typed = normalise_email(text)
    return hashlib.sha256(typed.encode("utf-8", "replace")).hexdigest()[:32]
