"""check-config: what is wrong or risky in this environment, in plain words, before starting.

Each check returns findings: an error stops a production start (the systemd unit runs this
command before gunicorn, deploy/agenda.service), a warning is a risk an operator should
know about. The mail server, Redis and the database are really tried, with a short timeout.
"""

import smtplib
import ssl
import sys
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.extensions import db
from webapp.mail.queries import ALARM_SHARE, failure_alarm

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR or WARNING
    message: str

    def __str__(self):
        return f"{self.level.upper()}: {self.message}"


def findings(app=None, workers=None, timeout=5.0):
    """Every finding about the app's environment; an empty list when all is well."""
    app = app or current_app
    config = app.config
    workers = workers or config.get("WEB_CONCURRENCY") or (4 if config.get("PRODUCTION") else 1)
    found = []
    found += check_secret_key(config)
    found += check_base_url(config)
    found += check_shared_state(config, workers, timeout)
    found += check_proxies(config)
    found += check_mail_timeout(config)
    found += check_mail(config, timeout)
    found += check_database(app)
    found += check_mail_failures()
    return found


def check_mail_failures():
    """More than 2 % of the last 24 hours' messages failed: a warning with the figures."""
    try:
        alarm = failure_alarm()
    except Exception:  # no database, or no schema yet: check_database says so
        db.session.rollback()
        return []
    if alarm is None:
        return []
    failed, total = alarm
    return [
        Finding(
            WARNING,
            f"{failed} of the {total} messages of the last 24 hours failed (more than "
            f"{ALARM_SHARE:.0%}): see /admin/mail for the reasons, then send them again.",
        )
    ]


def check_secret_key(config):
    key = config.get("SECRET_KEY")
    if not key:
        return [
            Finding(ERROR, "SECRET_KEY is not set: sessions, forms and links cannot be signed.")
        ]
    if len(key) < 32:
        return [
            Finding(WARNING, "SECRET_KEY is short (under 32 characters): use a long random one.")
        ]
    return []


def check_base_url(config):
    url = config.get("BASE_URL") or ""
    if config.get("PRODUCTION") and not url.startswith("https://"):
        return [
            Finding(
                ERROR,
                f"BASE_URL is {url!r}: in production the links in mails and feeds must be "
                "https://... (the site is served over HTTPS only).",
            )
        ]
    return []


def check_shared_state(config, workers, timeout):
    """What each of several workers would keep apart: rate limits, cached bodies."""
    found = []
    limits = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    cache = config.get("CACHE_URL")
    if workers > 1 and config.get("RATELIMIT_ENABLED") and limits.startswith("memory://"):
        found.append(
            Finding(
                ERROR,
                f"Rate limits are counted in process memory while {workers} workers run: each "
                "worker counts apart. Set RATELIMIT_STORAGE_URI (or CACHE_URL) to redis://...",
            )
        )
    if workers > 1 and not cache:
        found.append(
            Finding(
                WARNING,
                f"CACHE_URL is not set: each of the {workers} workers keeps its own copy of "
                "feeds and pages (correct, but that many times the memory and the rendering). "
                "Set CACHE_URL=redis://... to share them.",
            )
        )
    for name, url in (("RATELIMIT_STORAGE_URI", limits), ("CACHE_URL", cache)):
        if url and url.startswith(("redis://", "rediss://")):
            found += _try_redis(name, url, timeout)
    return found


def _try_redis(name, url, timeout):
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except Exception as error:
        return [Finding(ERROR, f"{name}: Redis does not answer ({type(error).__name__}).")]
    return []


def check_proxies(config):
    if config.get("PRODUCTION") and not config.get("TRUSTED_PROXIES"):
        return [
            Finding(
                WARNING,
                "TRUSTED_PROXIES is 0: behind nginx every visitor would share the proxy's "
                "address for rate limits. Set TRUSTED_PROXIES=1 when a proxy is in front.",
            )
        ]
    return []


def check_mail_timeout(config):
    """MAIL_TIMEOUT bounds every wait of the outbox on the mail server; 0 or less cannot."""
    if config.get("MAIL_TIMEOUT", 30) > 0:
        return []
    return [
        Finding(
            ERROR,
            f"MAIL_TIMEOUT is {config.get('MAIL_TIMEOUT')}: it must be a number of seconds "
            "above 0 (default 30), the longest the outbox waits for the mail server.",
        )
    ]


def check_mail(config, timeout):
    """Connect to the mail server as the outbox will (TLS, login), then leave."""
    host, port = config.get("MAIL_SERVER"), config.get("MAIL_PORT")
    where = f"{host}:{port}"
    try:
        if config.get("MAIL_USE_SSL"):
            server = smtplib.SMTP_SSL(host, port, timeout=timeout)
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        try:
            server.ehlo()
            if config.get("MAIL_USE_TLS"):
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if config.get("MAIL_USERNAME"):
                server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        finally:
            try:
                server.quit()
            except smtplib.SMTPException:
                server.close()
    except smtplib.SMTPAuthenticationError:
        return [Finding(ERROR, f"The mail server {where} refuses MAIL_USERNAME/MAIL_PASSWORD.")]
    except (OSError, smtplib.SMTPException) as error:
        return [
            Finding(
                ERROR,
                f"The mail server {where} cannot be reached ({type(error).__name__}): check "
                "MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS/MAIL_USE_SSL. Mail would wait in the outbox.",
            )
        ]
    return []


def check_database(app):
    """The database answers and stands at the latest migration of migrations/."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    directory = Path(app.extensions["migrate"].directory)
    expected = set(ScriptDirectory(str(directory)).get_heads())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:
        return [Finding(ERROR, f"The database does not answer ({type(error).__name__}).")]
    if current == expected:
        return []
    upgrade = "run `flask --app wsgi db upgrade`"
    if not current:
        message = f"The database has no schema version (an empty database?): {upgrade}."
    else:
        shown = ", ".join(sorted(current))
        message = (
            f"The database is at revision {shown}, the code expects "
            f"{', '.join(sorted(expected))}: {upgrade} (or this is older code than the database)."
        )
    return [Finding(ERROR, message)]


@click.command("check-config")
@with_appcontext
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Workers that will serve the app (default: WEB_CONCURRENCY, else 4 in production).",
)
@click.option("--timeout", default=5.0, show_default=True, help="Seconds per connection try.")
def check_config(workers, timeout):
    """Check the environment before starting: secret, base URL, mail, shared rate limits
    and caches, migrations. Exits 1 on an error."""
    found = findings(current_app._get_current_object(), workers, timeout)
    for finding in found:
        click.echo(str(finding), err=finding.level == ERROR)
    errors = sum(finding.level == ERROR for finding in found)
    if not found:
        click.echo("Configuration: nothing wrong found.")
    else:
        click.echo(f"{errors} error(s), {len(found) - errors} warning(s).")
    if errors:
        sys.exit(1)


def register_commands(app):
    """Add check-config to `flask`."""
    app.cli.add_command(check_config)
