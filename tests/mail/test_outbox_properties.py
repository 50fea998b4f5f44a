"""Whatever text reaches the outbox, the worker survives it and no header is injected."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.mail.fields import RECIPIENT_LENGTH
from webapp.mail.headers import one_line
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.mail.outbox import deliver_all, queue_message

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What Flask-Mail writes for a message with an HTML part and no attachment.
HEADERS = {
    *("content-type", "content-transfer-encoding", "mime-version", "subject", "from", "to"),
    *("date", "message-id", "auto-submitted"),
}
NASTY = st.sampled_from(
    ["\r\n", "\n", "\r", "\x00", "\x85", "\u2028", "\r\nBcc: victime@example.org", "é", "\t", " "]
)
# Text that mixes ordinary words, control characters, header injections and non-ASCII.
TEXT = st.lists(st.one_of(st.text(max_size=20), NASTY), max_size=12).map("".join)
LONG_TEXT = st.one_of(TEXT, st.text(min_size=250, max_size=2000))
RECIPIENT = st.one_of(
    st.builds(
        lambda local, junk: f"{local}{junk}@example.org", st.sampled_from(["anne", "josé"]), TEXT
    ),
    st.just("anne.1@example.org"),
    LONG_TEXT,
)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(messages=st.lists(st.tuples(RECIPIENT, LONG_TEXT, LONG_TEXT), min_size=1, max_size=4))
def test_random_messages_never_crash_the_worker_nor_inject_a_header(app, smtp, messages):
    db.session.execute(delete(OutboxMessage))
    db.session.commit()
    smtp.inbox.messages.clear()
    smtp.inbox.envelopes.clear()
    for recipient, subject, body in messages:
        if not one_line(recipient) or len(one_line(recipient)) > RECIPIENT_LENGTH:
            with pytest.raises(ValueError):  # cannot be an address: refused when queued
                queue_message(recipient, subject, body, body)
            continue
        queue_message(recipient, subject, body, body)
    db.session.commit()

    deliver_all()  # no exception escapes

    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert set(statuses) <= {OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.FAILED}
    for received in smtp.inbox.messages:
        assert {name.lower() for name in received} <= HEADERS
        assert received["Bcc"] is None
        for value in (received.get("Subject", ""), received["To"]):
            assert not CONTROL.search(value)
    for _, recipients in smtp.inbox.envelopes:
        assert len(recipients) == 1 and "victime@example.org" not in recipients[0]


def test_a_recipient_folded_from_a_line_break_is_never_sent(app, smtp):
    """Found by the property above: 'anne<CR><LF>Bcc: victime@…' folds to 'anne Bcc: victime@…'
    on one line; the envelope must never carry it (the message fails, the next one goes)."""
    queue_message(
        "anne\r\nBcc: victime@example.org\r\nBcc: victime@example.org@example.org", "S", "B"
    )
    queue_message("anne.1@example.org", "S", "B")
    db.session.commit()
    deliver_all()
    assert [recipients for _, recipients in smtp.inbox.envelopes] == [["anne.1@example.org"]]
    statuses = sorted(db.session.scalars(select(OutboxMessage.status)).all())
    assert statuses == [OutboxStatus.FAILED, OutboxStatus.SENT]
