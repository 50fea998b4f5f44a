"""The application factory."""

from pathlib import Path

from flask import Flask

from webapp.extensions import csrf, db, limiter, login_manager, migrate, redis_options
from webapp.extensions import mail as mail_extension  # webapp.mail is a package too

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the app: configuration, extensions, blueprints, commands and error pages."""
    from config import config_for_environment

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config or config_for_environment())
    from webapp import logs

    logs.configure(app)
    if app.config.get("TRUSTED_PROXIES"):
        _trust_proxies(app, app.config["TRUSTED_PROXIES"])
    _init_extensions(app)
    from webapp import hygiene

    hygiene.install_converters(app)
    _register_blueprints(app)
    _register_commands(app)

    from webapp import access_log, errors, i18n, static_urls, templating, urls

    access_log.init_app(app)
    hygiene.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    static_urls.init_app(app)
    urls.init_app(app)
    errors.init_app(app)
    return app


def _trust_proxies(app, count):
    """Read the client's address, scheme and host from the `count` proxies in front."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _init_extensions(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Writers queue for SQLite's single write lock instead of failing at once.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        # A file on this machine does not drop connections: no ping before each checkout.
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    if app.config.get("SQLITE_SYNCHRONOUS_OFF") and app.config[
        "SQLALCHEMY_DATABASE_URI"
    ].startswith("sqlite"):
        _sqlite_without_fsync(app)
    from webapp import audit, content_state, digest  # noqa: F401  listeners, tables of the schema

    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    mail_extension.init_app(app)
    if app.config.get("RATELIMIT_STORAGE_URI", "").startswith(("redis://", "rediss://")):
        options = redis_options(app.config["REDIS_TIMEOUT"])
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            **options,
            **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}),
        }
    limiter.init_app(app)


def _sqlite_without_fsync(app):
    """Commits that do not wait for the disk: for throwaway databases (tests), where an fsync
    per commit cost more than the test's own work."""
    from sqlalchemy import event

    def no_fsync(connection, _record):
        connection.execute("PRAGMA synchronous = OFF")

    with app.app_context():
        event.listen(db.engine, "connect", no_fsync)


def _register_blueprints(app):
    from webapp.admin import bp as admin_bp
    from webapp.agenda.views import bp as agenda_bp
    from webapp.api import bp as api_bp
    from webapp.attestations.views import bp as attestations_bp
    from webapp.auth.views import bp as auth_bp
    from webapp.digest.views import bp as digest_bp
    from webapp.evaluations.views import bp as evaluations_bp
    from webapp.feeds.views import bp as feeds_bp
    from webapp.grandbain.views import bp as grandbain_bp
    from webapp.health import bp as health_bp
    from webapp.proposals.views import bp as proposals_bp
    from webapp.registrations.views import bp as registrations_bp

    app.register_blueprint(feeds_bp)  # before agenda: /series/<slug>.ics wins over /series/<slug>
    app.register_blueprint(agenda_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(grandbain_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(registrations_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(attestations_bp)
    app.register_blueprint(digest_bp)


def _register_commands(app):
    from webapp.agenda.cli import register_commands as agenda_commands
    from webapp.auth.cli import register_commands as auth_commands
    from webapp.config_check import register_commands as config_check_commands
    from webapp.evaluations.cli import register_commands as evaluation_commands
    from webapp.loading.cli import register_commands as loading_commands
    from webapp.mail.cli import register_commands as mail_commands
    from webapp.registrations.cli import register_commands as registration_commands
    from webapp.worker.cli import register_commands as worker_commands

    agenda_commands(app)
    auth_commands(app)
    config_check_commands(app)
    evaluation_commands(app)
    loading_commands(app)
    mail_commands(app)
    registration_commands(app)
    worker_commands(app)
