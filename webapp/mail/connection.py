"""The outbox's SMTP connection: Flask-Mail's, with a timeout on every network wait.

Flask-Mail 0.10 opens `smtplib.SMTP(server, port)` without a timeout, so a server that
accepts the connection and then says nothing (or stalls in the middle of DATA) would hold
the worker, and all mail, forever. With MAIL_TIMEOUT the connection, the greeting and each
command give up after that many seconds; smtplib then raises an OSError or
SMTPServerDisconnected, which the outbox retries like any other network failure.
"""

import smtplib

import flask_mail
from flask import current_app


class TimedConnection(flask_mail.Connection):
    """A Flask-Mail connection whose socket waits at most `timeout` seconds for anything."""

    def __init__(self, mail_state, timeout):
        super().__init__(mail_state)
        self.timeout = timeout

    def configure_host(self):
        # Flask-Mail's configure_host, the timeout added: the same TLS, SSL and login. The
        # socket keeps it through STARTTLS (the wrapped socket copies it), and Flask-Mail
        # calls this method again when it reconnects after MAIL_MAX_EMAILS.
        state = self.mail
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=self.timeout)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


def connect():
    """A connection to the configured mail server (use it as a context manager)."""
    app = current_app
    return TimedConnection(app.extensions["mail"], app.config["MAIL_TIMEOUT"])
