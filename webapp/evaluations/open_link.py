"""An event's open link (its QR code, for people without an e-mail): until when it takes
answers, and one answer per client.

A client is its network address: an IPv4 address, or the /64 network of an IPv6 one (a
device picks new addresses within it at will). What is stored is a keyed hash of the form
and that address (HMAC-SHA256 under a key derived from the application's secret, which the
database does not hold), kept until the link closes and then deleted: the address cannot be
read back from it, and nothing links it to the answer. The browser's cookie (views.py) only
spares it the form it already sent.
"""

import hashlib
import hmac
import ipaddress

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp.evaluations.invitations import OPEN_FOR, day_after
from webapp.evaluations.models import OpenLinkClaim
from webapp.extensions import db
from webapp.timezones import utcnow


def closes_at(form):
    """The open link closes 14 days after the meeting (at the local midnight that ends the
    14th day after it), or with the form if that is earlier: opening the form late (the QR
    code of an old meeting) does not open the link again."""
    return min(form.closes_at, day_after(form.event.end_at) + OPEN_FOR)


def is_open(form, now=None):
    return (now or utcnow()) < closes_at(form)


def network_of(address):
    """The part of a client address that names one client: IPv4 whole, IPv6 its /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or ""
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key(form_id, address, secret):
    """The stored key of (form, client): a keyed hash, never the address."""
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    key = hmac.new(secret, b"evaluations-open-link-client", hashlib.sha256).digest()
    message = f"{form_id}|{network_of(address)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def has_claimed(form_id, key):
    """Whether this client already answered this form by its open link."""
    return db.session.scalar(
        select(exists().where(OpenLinkClaim.form_id == form_id, OpenLinkClaim.client_key == key))
    )


def claim(form, key):
    """Claim the client's one answer to the form (INSERT ... ON CONFLICT DO NOTHING: of two
    posts at once, one claims); False when it was claimed before."""
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    table = OpenLinkClaim.__table__
    statement = (
        insert(table)
        .values(form_id=form.id, client_key=key, expires_at=closes_at(form))
        .on_conflict_do_nothing(index_elements=["form_id", "client_key"])
        .returning(table.c.form_id)
    )
    return db.session.execute(statement).first() is not None


def forget_expired_claims(now=None):
    """Delete the claims of closed open links; returns how many."""
    deleted = db.session.execute(
        delete(OpenLinkClaim)
        .where(OpenLinkClaim.expires_at <= (now or utcnow()))
        .execution_options(synchronize_session=False)
    )
    return deleted.rowcount
