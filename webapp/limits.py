"""Every rate limit of the site in one place, each with its reason (Flask-Limiter's strings).

Limits are counted per client address (`client_address`: the one key, the address Werkzeug's
ProxyFix found behind TRUSTED_PROXIES), and where a mail leaves, per typed address too, so
that nobody fills another person's mailbox. The views name these constants; the budgets of
sign-in and reset (auth/throttle.py) are counted in the same store. A limit reached is a 429
with Retry-After (webapp/errors.py).
"""

from flask_limiter.util import get_remote_address


def client_address():
    """The client's address as every limit counts it."""
    return get_remote_address()


# Public forms that write and send a mail. A team registers colleagues one after another from
# one office address: per client, a rush is let through, a script is not.
PUBLIC_FORM = "20/minute;200/hour"
# A mail to one typed address: a few a hour, so a stranger cannot fill someone's mailbox with
# confirmations (registrations per event and address; Grand Bain per edition and address;
# proposals per address).
MAILS_TO_ONE_ADDRESS = "5/hour"
# The digest's subscribe form: confirmation mails to one typed address. Past it the form
# answers the same page and sends nothing (it never tells whether an address subscribed).
DIGEST_MAILS_TO_ONE_ADDRESS = "3/hour;10/day"
# Forms that create something to moderate (a proposal, a Grand Bain offer): fewer, larger.
SUBMISSION = "10/minute;50/hour"
# A person's own page (change details, cancel): by hand, a few times.
PERSONAL_PAGE = "10/minute;60/hour"
# An evaluation by an invitation's link: one form, answered once; retries after an error.
EVALUATION = "20/minute"
# The open evaluation link, shared by everyone in a room (one answer per client is the rule
# of evaluations/open_link.py; this only stops a script).
OPEN_EVALUATION = "10/minute;60/hour"
# A host's message to its visitors: each one mails every confirmed visitor.
HOST_MESSAGE = "3/hour;10/day"
# A host ticking who came, one visitor at a time at the door.
HOST_ATTENDANCE = "30/minute;300/hour"
# An attestation checked from its code: by hand or by a QR reader, a few a minute; past
# this, a script trying codes (which are unguessable anyway) waits.
ATTESTATION_CHECK = "20/minute;200/hour"
# An attestation's PDF, made on each request: a person prints hers, a script is stopped.
ATTESTATION_PDF = "20/minute;200/hour"

# Sign-in: per client, a person mistyping is let through, a guessing script is not.
SIGN_IN = "10/minute;50/hour"
# Sign-in to one account from one client: five wrong passwords, then wait (a right one does
# not count: only failures are deducted).
SIGN_IN_ACCOUNT_AND_CLIENT = "5/15 minutes"
# Wrong passwords on one account from every client together: past this, each attempt waits a
# second (never refused: auth/views.py), so nobody locks a staff member out.
SIGN_IN_ACCOUNT_FAILURES = "10/15 minutes"
# The reset form per client; its mails per (address, client) and per address (past these the
# form answers the same and sends nothing).
PASSWORD_FORGOT = "5/15 minutes;20/day"
RESET_MAILS_PER_ADDRESS_AND_CLIENT = "3/hour"
RESET_MAILS_PER_ADDRESS = "10/hour"
# The reset link's form (a new password typed twice).
PASSWORD_RESET = "10/15 minutes"
# A password change on the account page: wrong current passwords, per account.
PASSWORD_CHANGE = "5/15 minutes"
