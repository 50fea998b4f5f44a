"""A real SMTP server (aiosmtpd) on a free local port, keeping what it receives."""

import contextlib
import email
import socket
import threading
from email import policy

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []
        self.envelopes = []  # (sender, recipients) of each message received
        self.raw = []  # the bytes of each message, as they came (for SpamAssassin, parsers)
        # address -> SMTP answer to RCPT TO, e.g. "550 5.1.1 No such mailbox"
        self.refuse = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.content)
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


class StallingServer:
    """A TCP server that accepts connections, then stops answering: at once (stall_at=None:
    not even a greeting), at the DATA command ("DATA"), or after the message's final dot
    (".": stalled mid-DATA). Until then it answers like an SMTP server. Stalled connections
    stay open, silent, until stop()."""

    def __init__(self, stall_at=None, port=None):
        self.stall_at = stall_at
        self.listener = socket.create_server(("127.0.0.1", port or 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self._stopped = threading.Event()
        self._sockets = []

    def start(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self):
        self._stopped.set()
        for sock in [self.listener, *self._sockets]:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread in accept(): the port is free
            sock.close()

    def _accept(self):
        while not self._stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:  # the listener was closed: stopped
                return
            self.connections += 1
            self._sockets.append(conn)
            threading.Thread(target=self._converse, args=(conn,), daemon=True).start()

    def _converse(self, conn):
        try:
            if self.stall_at is not None:
                self._answer(conn)
        except OSError:
            return  # the client gave up and closed
        self._stopped.wait()  # silent, the connection held open

    def _answer(self, conn):
        """SMTP until the stall: returns when it is reached (or the client says QUIT)."""
        reader = conn.makefile("rb")
        conn.sendall(b"220 stall.test ESMTP\r\n")
        for line in reader:
            command = line.strip().upper()
            if command == b"DATA":
                if self.stall_at == "DATA":
                    return
                conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                while reader.readline() not in (b".\r\n", b""):
                    pass
                return  # the message was sent in full: no answer to it, ever
            if command == b"QUIT":
                conn.sendall(b"221 Bye\r\n")
                return
            conn.sendall(b"250 OK\r\n")  # EHLO, MAIL, RCPT, RSET, NOOP


def attachments(message, content_type="text/calendar"):
    """The parts of that type, wherever they are: a calendar entry is the text/calendar part
    of the message's alternative (its copy attached as invite.ics is application/ics)."""
    return [p for p in message.walk() if p.get_content_type() == content_type]


def mail_config(server):
    """The app's configuration that sends its mail to this server."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port}
