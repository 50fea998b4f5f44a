"""Flask extensions: created here, bound to the app in create_app()."""

import flask_limiter
from flask_babel import Babel
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from webapp.limits import client_address

# Named constraints, so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
mail = Mail()


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, made so that its storage failing is never an outage (README, "When
    Redis, PostgreSQL or the mail server falters"): a storage that does not answer turns the
    limits to process memory (a warning is logged; Redis is asked again later), and a count
    that fails after the view (`deduct_when`, once the view has saved) is logged and skipped.
    No X-RateLimit-* nor Retry-After headers on every answer: only a 429 says when to come
    back (webapp/errors.py)."""

    def __init__(self, **options):
        super().__init__(
            swallow_errors=True,
            in_memory_fallback_enabled=True,
            headers_enabled=False,
            **options,
        )

    def init_app(self, app):
        # One limiter for every app of a process (the tests make hundreds): each starts with
        # its own storage believed alive.
        self._storage_dead = False
        super().init_app(app)


limiter = Limiter(key_func=client_address)


def redis_options(timeout):
    """Keyword arguments for every Redis client of the app (cache, limits): connect and read
    give up after `timeout` seconds, and a failed command is not retried (redis-py retries
    three times with a backoff of seconds by default): past it the caller goes without."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),
    }
