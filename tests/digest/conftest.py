"""The digest's tests send to a real SMTP server and link over https (RFC 8058 wants it)."""

import re

import pytest
from sqlalchemy import select

from tests.smtp import mail_config
from webapp.digest.models import DigestSubscription
from webapp.extensions import db
from webapp.mail.models import OutboxMessage


@pytest.fixture
def app_config(smtp):
    return {**mail_config(smtp), "BASE_URL": "https://agenda.test"}


def subscribe(client, email="anne@example.org", **choices):
    data = {"email": email, "frequency": "weekly", "language": "fr", **choices}
    return client.post("/subscribe", data=data)


def outbox(reference=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if reference:
        stmt = stmt.where(OutboxMessage.reference == reference)
    return db.session.scalars(stmt).all()


def confirm_link(message):
    return re.search(r"https://agenda\.test(/subscribe/confirm/[\w-]{43})", message.body_text)[1]


def subscribed(client, email="anne@example.org", **choices):
    """A confirmed subscription, made through the pages."""
    assert subscribe(client, email, **choices).status_code == 303
    link = confirm_link(outbox()[-1])
    assert client.post(link).status_code == 303
    db.session.expire_all()
    return db.session.scalar(
        select(DigestSubscription).where(
            DigestSubscription.email == email, DigestSubscription.confirmed_at.is_not(None)
        )
    )


from tests.admin.conftest import make_staff  # noqa: E402, F401
