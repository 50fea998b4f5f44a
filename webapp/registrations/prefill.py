"""Registering again without retyping: from her personal page a person carries her details
to the form of another activity.

What travels is a mark in her own session cookie (signed by the app): the id of the
registration the details come from and until when, never the details themselves and never
anything in a URL. URLs are what leaks: browser history on a shared computer, a link
forwarded or pasted, the Referer sent to other sites, proxies' and servers' logs, a
screenshot. The cookie stays in the browser that opened the personal page (whose own link is
the real key), lives two hours, and the form reads the registration again on the server, so
an erased registration prefills nothing. "Ne pas reprendre mes informations" forgets it.
"""

from datetime import timedelta

from flask import session

from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.registrations.rules import PERSON_FIELDS
from webapp.timezones import utcnow

KEY = "prefill"
LIFETIME = timedelta(hours=2)


def remember(registration, now=None):
    """Mark this browser's session: the next registration forms start from these details."""
    until = (now or utcnow()) + LIFETIME
    session[KEY] = {"registration": registration.id, "until": until.timestamp()}


def forget():
    session.pop(KEY, None)


def source(now=None):
    """The registration whose details prefill the forms of this browser, or None (none
    marked, expired, or erased since)."""
    mark = session.get(KEY)
    if not isinstance(mark, dict):
        return None
    until, registration_id = mark.get("until"), mark.get("registration")
    if not isinstance(until, int | float) or not isinstance(registration_id, int):
        forget()
        return None
    if (now or utcnow()).timestamp() >= until:
        forget()
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.anonymised_at is not None or not registration.email:
        forget()
        return None
    return registration


def details(registration):
    """The person fields to prefill."""
    return {name: getattr(registration, name) for name in PERSON_FIELDS}
