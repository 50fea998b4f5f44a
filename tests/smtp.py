"""A real SMTP server (aiosmtpd) on a free local port, keeping what it receives."""

import email
import socket
from email import policy

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []
        self.envelopes = []  # (sender, recipients) of each message received
        # address -> SMTP answer to RCPT TO, e.g. "550 5.1.1 No such mailbox"
        self.refuse = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if address in m["To"]]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    """Start/stop an aiosmtpd server on a fixed port (so it can be down, then back)."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


def attachments(message, content_type="text/calendar"):
    return [p for p in message.iter_attachments() if p.get_content_type() == content_type]


def mail_config(server):
    """The app's configuration that sends its mail to this server."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port}
