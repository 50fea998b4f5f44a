"""What an outbox message looks like on the wire: the headers and MIME parts, in one place.

Built with the standard library's `email` package (policy SMTP), not Flask-Mail's own
composition, because:
- its subject encoding cut an encoded word in the middle of `ambulatoire-hôpital` (a decoder
  read "ambulatoire-h ôpital"); the policy's folder writes RFC 2047 words a decoder joins;
- every message is automatic: `Auto-Submitted: auto-generated` (RFC 3834), so out-of-office
  robots do not answer, and `Reply-To` sends answers to the event's contact or its team;
- the `Message-ID` is in the sender's domain (Flask-Mail takes the host's name: `@localhost`);
- a digest names its one-click unsubscribe link (`List-Unsubscribe`, RFC 2369, with
  `List-Unsubscribe-Post`, RFC 8058), which mailbox providers show as a button;
- a calendar entry travels as Outlook and Gmail expect (RFC 6047): a `text/calendar` part
  with the same `method=` as its METHOD inside the multipart/alternative, and the same
  entry attached as `invite.ics` for the programs that only look at attachments.

Flask-Mail still sends it (the connection, its timeouts and retries are the outbox's).
"""

from email import policy
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid, parseaddr

import flask_mail

AUTO_SUBMITTED = "auto-generated"


class _SMTPPolicy(EmailPolicy):
    """policy.SMTP, except for a subject that is not ASCII: the standard folder puts the
    space before an encoded word in the folding whitespace, where decoders drop it
    ("retour à" read back as "retourà"); `Header` keeps each space inside its encoded word."""

    def fold_binary(self, name, value):
        text = str(value)
        if name.lower() != "subject" or text.isascii():
            return super().fold_binary(name, value)
        encoded = Header(text, "utf-8", header_name=name).encode(linesep=self.linesep)
        return f"{name}: {encoded}{self.linesep}".encode("ascii")


SMTP_POLICY = _SMTPPolicy(linesep="\r\n")


def sender_domain(sender):
    """The domain of MAIL_DEFAULT_SENDER ("Agenda <agenda@bassins.brussels>" or a tuple)."""
    address = sender[1] if isinstance(sender, tuple) else parseaddr(sender or "")[1]
    return address.rpartition("@")[2] or "localhost"


def message_id(sender):
    """A Message-ID unique to this message, in the sender's domain."""
    return make_msgid(domain=sender_domain(sender))


class OutboxMail(flask_mail.Message):
    """A Flask-Mail message whose MIME form is written here (see the module's docstring)."""

    def __init__(self, *, ics=None, ics_method=None, list_unsubscribe=None, **kwargs):
        super().__init__(**kwargs)
        self.msgId = message_id(self.sender)
        self.extra_headers = {"Auto-Submitted": AUTO_SUBMITTED}
        if list_unsubscribe:
            # RFC 8058: a POST to the https link unsubscribes, with no further step.
            self.extra_headers["List-Unsubscribe"] = f"<{list_unsubscribe}>"
            self.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        self.ics = ics
        self.ics_method = ics_method

    def _message(self):
        message = EmailMessage(policy=SMTP_POLICY)
        message["Subject"] = self.subject
        message["From"] = _address(self.sender)
        message["To"] = ", ".join(_address(r) for r in self.recipients)
        if self.reply_to:
            message["Reply-To"] = _address(self.reply_to)
        message["Date"] = formatdate(self.date, localtime=True)
        message["Message-ID"] = self.msgId
        for name, value in (self.extra_headers or {}).items():
            message[name] = value
        message.set_content(self.body or "", cte="quoted-printable")
        if self.html:
            message.add_alternative(self.html, subtype="html", cte="quoted-printable")
        if self.ics:
            self._add_calendar(message)
        return message

    def _add_calendar(self, message):
        method = self.ics_method or "PUBLISH"
        message.add_alternative(
            self.ics, subtype="calendar", cte="quoted-printable", params={"method": method}
        )
        message.add_attachment(
            self.ics.encode("utf-8"), "application", "ics", filename="invite.ics"
        )


def _address(value):
    if isinstance(value, tuple):
        name, address = value
        message = EmailMessage(policy=policy.SMTP)
        message["X"] = f'"{name}" <{address}>' if name else address
        return str(message["X"])
    return value
