"""Which delivery failures deserve a retry: the server's or the network's, not the message's."""

import smtplib

from sqlalchemy.exc import StatementError

# The connection, the server's greeting or our own credentials: the same message may go
# through once the server or the configuration is back.
_TRANSIENT = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
)
# A refused sender is our configuration, not the message, except 552: the server refuses the
# size that smtplib announces at MAIL FROM, and the message will not shrink.
_PERMANENT_SENDER_CODES = frozenset({552})


def is_permanent(error):
    """True when sending the message again can only fail the same way."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused):
        return error.smtp_code in _PERMANENT_SENDER_CODES
    if isinstance(error, _TRANSIENT):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    if isinstance(error, smtplib.SMTPNotSupportedError):  # e.g. SMTPUTF8: the address stays
        return True
    # Other OSErrors (smtplib's included) are the connection; anything else (an address or
    # a header that cannot be encoded, BadHeaderError, ValueError) is the message itself.
    return not isinstance(error, OSError)


def describe(error):
    """What the outbox keeps about an error: its class and the server's answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # Its text is a dict keyed by the address, which servers also repeat in their
        # answers: keep the answers, without the address.
        answers = "; ".join(
            f"{code} {_text(response).replace(address, '<recipient>')}"
            for address, (code, response) in error.recipients.items()
        )
        return f"SMTPRecipientsRefused: {answers}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def _text(response):
    return response.decode("utf-8", "replace") if isinstance(response, bytes) else str(response)


def traceback_for_log(error):
    """exc_info for a log line, except for database errors: their text repeats the
    statement's parameters (addresses, names), which logs must never hold."""
    return not isinstance(error, StatementError)
