"""What an outbox row holds for a message: its headers on one line, cut to fit, its texts
storable; shared by a message written now (outbox.queue_message) and one written later by
the worker (deferred)."""

from webapp.mail.headers import fit, one_line, storable
from webapp.mail.models import OutboxMessage

SUBJECT_LENGTH = OutboxMessage.__table__.c.subject.type.length
RECIPIENT_LENGTH = OutboxMessage.__table__.c.recipient.type.length


def message_fields(
    recipient,
    subject,
    body_text,
    body_html=None,
    ics=None,
    ics_method=None,
    reference=None,
    reply_to=None,
    list_unsubscribe=None,
):
    """What an outbox row holds for this message, made safe as queue_message says (a
    message written now, or later by the worker: webapp.mail.deferred)."""
    recipient = one_line(recipient)
    if not recipient or len(recipient) > RECIPIENT_LENGTH:
        raise ValueError(f"a recipient is an address of 1 to {RECIPIENT_LENGTH} characters")
    return {
        "recipient": recipient,
        "subject": fit(one_line(subject), SUBJECT_LENGTH),
        "body_text": storable(body_text),
        "body_html": storable(body_html),
        "ics": storable(ics),
        "ics_method": ics_method,
        "reference": reference,
        "reply_to": one_line(reply_to)[:RECIPIENT_LENGTH] or None,
        "list_unsubscribe": unsubscribe_link(list_unsubscribe),
    }


def unsubscribe_link(link):
    """A one-click unsubscribe link fit for its header: one https URL without <, > or
    spaces (which would end it), else None."""
    link = one_line(link)
    if not link.startswith("https://") or any(c in link for c in "<> ,") or len(link) > 300:
        return None
    return link
