"""Configuration classes, read from the environment (the only place that reads it)."""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _default_database_url():
    return f"sqlite:///{INSTANCE_DIR / 'agenda.sqlite3'}"


def _development_secret_key():
    """A key generated once into instance/, so sessions survive restarts in development."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


def is_production():
    env = os.environ.get("APP_ENV") or os.environ.get("FLASK_ENV") or ""
    return env.lower() == "production"


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    # hide_parameters: errors and logs never quote the rows (names, addresses) they carry.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    APP_TIMEZONE = os.environ.get("APP_TIMEZONE", "Europe/Brussels")
    # Werkzeug's scrypt at its default cost (n=2**15, r=8, p=1): about a quarter of a second.
    PASSWORD_HASH_METHOD = "scrypt"

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Agenda des bassins <agenda@bassins.brussels>"
    )
    # Seconds the outbox waits for the mail server to connect, greet or answer a command:
    # past it the attempt fails (retried with the backoff) instead of holding the worker.
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))

    # Optional redis://... shared by every worker for feed and page bodies (keyed by
    # data-derived validators); FEED_CACHE_URL is its earlier name.
    CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("FEED_CACHE_URL")
    # Limits must be counted where every worker sees them: the Redis of CACHE_URL when no
    # storage is named, process memory only for a single process (development, tests).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        CACHE_URL if (CACHE_URL or "").startswith(("redis://", "rediss://")) else "memory://"
    )
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # Seconds a Redis client (cache, limits) waits to connect or for an answer: past them the
    # page goes without its cache and the limits are counted in process memory, so a frozen
    # Redis costs a request at most this, never the site.
    REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host: the
    # client address (rate limits) and the scheme come from there. 0: the app faces clients.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Public pages kept per worker (when CACHE_URL is not set); 0 turns the page cache off.
    PAGE_CACHE_SIZE = int(os.environ.get("PAGE_CACHE_SIZE", "256"))
    # Files staff upload (a report's presentation PDF), outside the database: one file per
    # content, named by its SHA-256 (webapp/uploads.py). Back it up with the database.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    PERSONAL_DATA_RETENTION_MONTHS = int(os.environ.get("PERSONAL_DATA_RETENTION_MONTHS", "12"))
    # Sent and failed outbox messages are deleted this many days after they were written
    # (purge-personal-data); a sent message keeps no address or body even before that.
    OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))
    # How many gunicorn workers serve the app (gunicorn reads it too); 0: not said. Read by
    # check-config, which warns about what each worker would keep apart.
    WEB_CONCURRENCY = int(os.environ.get("WEB_CONCURRENCY") or "0")
    PRODUCTION = False
    # The worker's nightly jobs (occurrence refresh, purge) run from this local hour on.
    WORKER_NIGHTLY_HOUR = int(os.environ.get("WORKER_NIGHTLY_HOUR", "3"))
    # A back-office session unused this long ends (auth.sessions).
    STAFF_SESSION_IDLE_HOURS = float(os.environ.get("STAFF_SESSION_IDLE_HOURS", "8"))

    # How long a unit of work waits for a row lock on PostgreSQL before it gives up (a 503
    # with Retry-After); 0: as long as it takes.
    LOCK_TIMEOUT_MS = int(os.environ.get("LOCK_TIMEOUT_MS", "5000"))
    # Logging of the web process, the worker and commands alike (webapp/logs.py).
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").lower()

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = APP_TIMEZONE
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("fr", "nl")

    MAX_CONTENT_LENGTH = 1024 * 1024
    AGENDA_PAGE_SIZE = 20
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True


class DevelopmentConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or _development_secret_key()


class ProductionConfig(Config):
    PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    # Served over HTTPS only: browsers refuse plain HTTP for a year once they have seen it.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

    def __init__(self):
        if not self.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set when APP_ENV=production")
        if self.RATELIMIT_ENABLED and self.RATELIMIT_STORAGE_URI.startswith("memory://"):
            # gunicorn -w 4 would count each limit four times over, each machine apart.
            raise RuntimeError(
                "RATELIMIT_STORAGE_URI (or CACHE_URL) must be a shared redis://... store when "
                "APP_ENV=production: in-memory limits are counted per worker"
            )


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_SUPPRESS_SEND = False
    BASE_URL = "http://agenda.test"
    SERVER_NAME = None
    # Still scrypt, at a cost of 2**10 instead of 2**15: an account made in a test hashes
    # in 1 ms, not 250 ms (hundreds of tests sign staff in).
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    TEMPLATE_BYTECODE_CACHE = True
    SQLITE_SYNCHRONOUS_OFF = True
    # pytest captures log records itself; tests of webapp/logs.py configure it in a process.
    LOG_CONFIGURE = False


def config_for_environment():
    """The configuration class that the environment asks for."""
    return ProductionConfig() if is_production() else DevelopmentConfig()
