"""The deployment as written, run for real (issue 28): nginx from deploy/nginx/agenda.conf in
front of gunicorn started with agenda.service's command line and agenda.env.example's
variables (production), on PostgreSQL and a Redis of its own, with a certificate made now.

Skips with a clear message without nginx, redis-server, openssl or TEST_DATABASE_URL;
REQUIRE_DEPLOY_E2E=1 (.ci/run) makes that a failure. Every check goes through nginx as a
browser would, from loopback addresses of its own (127.0.0.2, 127.0.0.4: two clients).
"""

import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from tests import deployment as d
from tests.registrations.test_views import form_data

pytestmark = pytest.mark.xdist_group("deploy_e2e")

CLIENT_A, CLIENT_B, OUTSIDER = "127.0.0.2", "127.0.0.4", "127.0.0.3"
SITE = f"https://{d.HOSTNAME}"


def unavailable(reason):
    if os.environ.get("REQUIRE_DEPLOY_E2E") == "1":
        pytest.fail(f"REQUIRE_DEPLOY_E2E=1 but the deployment test cannot run: {reason}")
    pytest.skip(f"DEPLOYMENT E2E SKIPPED: {reason} (REQUIRE_DEPLOY_E2E=1 makes this a failure)")


class Deployment:
    """The running site: its ports, its logs, a client per loopback address."""

    def __init__(self, folder, site, processes, redis_port, event_id, nginx_version):
        self.folder, self.site, self.processes = folder, site, processes
        self.gunicorn_port, self.redis_port = site.app_port, redis_port
        self.ca_file, self.event_id = site.cert, event_id
        self.nginx_version = nginx_version

    def client(self, source=CLIENT_A, **options):
        """A browser at `source`, talking HTTPS to nginx and checking its certificate."""
        transport = httpx.HTTPTransport(local_address=source, verify=d.client_context(self.ca_file))
        return httpx.Client(
            transport=transport,
            base_url=f"https://127.0.0.1:{self.site.https_port}",
            headers={"Host": d.HOSTNAME},
            **options,
        )

    def limiter_counts(self, endpoint, limit):
        """Requests counted by the rate limits, per client key, for one limit of a view."""
        store = redis.Redis(port=self.redis_port, decode_responses=True)
        counts = {}
        for key in store.scan_iter(f"LIMITS:LIMITER/*/{endpoint}/{limit}"):
            client = key.removeprefix("LIMITS:LIMITER/").split(f"/{endpoint}/")[0]
            counts[client] = int(store.get(key))
        store.close()
        return counts

    def log(self, name):
        path = self.folder / "logs" / name
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def e2e_database_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        unavailable("TEST_DATABASE_URL is not set (a PostgreSQL server to make a database on)")
    parsed = make_url(url)
    return parsed, parsed.set(database=f"{parsed.database}_deploy_e2e")


def empty_database(server_url, database_url):
    """The test's own database, made once and emptied at each run (kept between runs, as the
    workers' databases are: DROP DATABASE waits for a checkpoint, seconds on a busy server)."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        name = database_url.database
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    own = create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with own.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    own.dispose()


def start_mail_server(cert, key, password):
    """A mail server as agenda.env.example describes: STARTTLS, then a login."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from tests.smtp import Inbox

    username = d.environment_example()["MAIL_USERNAME"]

    def authenticator(server, session, envelope, mechanism, auth_data):
        known = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (username, password)
        return AuthResult(success=known)

    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    controller = Controller(
        Inbox(),
        hostname="127.0.0.1",
        port=d.free_port(),
        tls_context=tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    return controller


def run_unit_command(argv, env, what):
    done = subprocess.run(argv, cwd=d.ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{what} failed:\n{done.stdout}\n{done.stderr}"
    return done


def install(database_url):
    """deploy/README.md's install (`flask db upgrade`, `flask load-territory`), in this
    process, and one published event open for registration, written as the back office
    would."""
    from flask_migrate import upgrade

    from tests.conftest import make_config
    from tests.factories import event_factory
    from webapp import create_app
    from webapp.agenda.territory import load_territory
    from webapp.extensions import db

    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
        load_territory()
        db.session.commit()
        event = event_factory(title="Concertation du déploiement", capacity=40)
        event_id = event.id
        db.session.remove()
        db.engine.dispose()
    return event_id


@pytest.fixture(scope="module")
def deployment():
    nginx = d.nginx_binary()
    if not nginx:
        unavailable("nginx is not installed (apt-get install nginx-light)")
    for program in ("redis-server", "openssl"):
        if not shutil.which(program):
            unavailable(f"{program} is not installed")
    server_url, database_url = e2e_database_url()
    folder = Path(tempfile.mkdtemp(prefix="agenda-deploy-e2e-"))
    # nginx's workers run as `nobody` when the test runs as root: they must reach temp paths.
    folder.chmod(0o755)
    for sub in ("logs", "temp", "sites-enabled", "letsencrypt"):
        (folder / sub).mkdir()
    processes = None
    mail = None
    try:
        cert, key = d.self_signed_certificate(folder)
        processes = d.Processes()
        redis_port = d.start_redis(processes, folder)
        empty_database(server_url, database_url)
        mail_password = secrets.token_urlsafe(16)
        mail = start_mail_server(cert, key, mail_password)
        url = database_url.render_as_string(hide_password=False)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        env = d.production_environment(url, mail.port, mail_password, redis_url, cert)
        event_id = install(url)
        # The unit's own check before it starts gunicorn: nothing wrong with this environment.
        run_unit_command(d.check_config_command(), env, "check-config (ExecStartPre)")
        gunicorn_port = d.start_gunicorn(processes, folder, env)
        site = d.NginxSite(d.free_port(), d.free_port(), gunicorn_port, cert, key, folder)
        d.start_nginx(processes, site, nginx)
        yield Deployment(folder, site, processes, redis_port, event_id, d.nginx_version(nginx))
    finally:
        if processes:
            processes.stop("nginx", signal.SIGQUIT)
            processes.stop()
        if mail:
            mail.stop()
        shutil.rmtree(folder, ignore_errors=True)


def frame_ancestors(response):
    policy = response.headers.get("content-security-policy", "")
    return re.findall(r"frame-ancestors ([^;]+)", policy)


def test_http_is_sent_to_https(deployment):
    with httpx.Client(headers={"Host": d.HOSTNAME}) as browser:
        answer = browser.get(
            f"http://127.0.0.1:{deployment.site.http_port}/events/{deployment.event_id}?lang=nl"
        )
    assert answer.status_code == 301
    assert answer.headers["location"] == f"{SITE}/events/{deployment.event_id}?lang=nl"


def test_https_offers_http2_with_the_sites_certificate(deployment):
    context = d.client_context(deployment.ca_file)
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", deployment.site.https_port)) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    print(f"nginx: {deployment.nginx_version}")


def test_pages_come_with_hsts_and_csp_and_cannot_be_framed(deployment):
    with deployment.client() as browser:
        for path in ("/", f"/events/{deployment.event_id}", "/healthz", "/agenda.ics"):
            answer = browser.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
            assert "default-src" in answer.headers["content-security-policy"], path
            assert frame_ancestors(answer) == ["'none'"], path
            assert answer.headers["x-frame-options"] == "DENY", path


def test_the_embed_alone_is_frameable(deployment):
    with deployment.client() as browser:
        embed = browser.get("/embed/bassins/sud")
        assert embed.status_code == 200
        assert frame_ancestors(embed) == ["*"]
        assert "x-frame-options" not in embed.headers
        page = browser.get("/")
        stylesheet = re.search(r'href="(/static/[^"]+\.css)\?v=', page.text).group(1)
        for path in ("/bassins/sud/", stylesheet):
            assert frame_ancestors(browser.get(path)) == ["'none'"], path


def test_a_versioned_static_file_is_kept_a_year_with_one_cache_control(deployment):
    with deployment.client() as browser:
        page = browser.get("/")
        versioned = re.search(r'href="(/static/[^"]+\.css\?v=[0-9a-f]+)"', page.text).group(1)
        kept = browser.get(versioned)
        assert kept.status_code == 200
        assert kept.headers.get_list("cache-control") == ["public, max-age=31536000, immutable"]
        unversioned = browser.get(versioned.split("?")[0])
        assert unversioned.headers.get_list("cache-control") == ["public, max-age=604800"]
        again = browser.get(versioned, headers={"If-Modified-Since": kept.headers["last-modified"]})
        assert again.status_code == 304
        assert again.headers.get_list("cache-control") == ["public, max-age=31536000, immutable"]


def test_a_feed_answers_304_through_nginx(deployment):
    with deployment.client() as calendar:
        first = calendar.get("/agenda.ics")
        assert first.status_code == 200 and first.headers["etag"]
        again = calendar.get("/agenda.ics", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["etag"] == first.headers["etag"]


def test_healthz_answers_through_nginx(deployment):
    with deployment.client() as probe:
        answer = probe.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def registration_form(browser, event_id):
    form = browser.get(f"/events/{event_id}/register")
    assert form.status_code == 200
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)


def person(n, csrf_token, **changes):
    """The registration form as test_views fills it, with the form's CSRF token."""
    return {**form_data(n, **changes), "csrf_token": csrf_token}


def test_registrations_through_nginx_are_counted_per_client(deployment):
    event, url = deployment.event_id, f"/events/{deployment.event_id}/register"
    referer = {"Referer": f"{SITE}{url}"}
    with deployment.client(CLIENT_A) as anne, deployment.client(CLIENT_B) as bob:
        token = registration_form(anne, event)
        # Anne's browser sends an X-Forwarded-For of its choosing: nginx appends her address.
        done = anne.post(
            url, data=person(1, token), headers={**referer, "X-Forwarded-For": "198.51.100.1"}
        )
        assert done.status_code == 303
        assert done.headers["location"].startswith("/registrations/")
        for n in (2, 3):
            refused = anne.post(
                url,
                data=person(n, token, consent=None),
                headers={**referer, "X-Forwarded-For": f"198.51.100.{n}"},
            )
            assert refused.status_code == 422
        token = registration_form(bob, event)
        assert bob.post(url, data=person(4, token), headers=referer).status_code == 303
    counted = deployment.limiter_counts("registrations.register", "200/1/hour")
    print(f"register posts counted per client (200/hour): {counted}")
    assert counted == {CLIENT_A: 3, CLIENT_B: 1}


def test_a_forged_forwarded_for_sent_to_gunicorn_directly_is_not_believed(deployment):
    """A client that reaches gunicorn's port without nginx cannot pick its own address."""
    event = deployment.event_id
    direct = httpx.Client(
        transport=httpx.HTTPTransport(local_address=OUTSIDER),
        base_url=f"http://127.0.0.1:{deployment.gunicorn_port}",
    )
    with direct:
        form = direct.get(f"/events/{event}/register")
        # The session cookie is Secure (production): sent back by hand over plain HTTP.
        cookie = form.headers["set-cookie"].split(";")[0]
        csrf_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
        for n in (1, 2):
            answer = direct.post(
                f"/events/{event}/register",
                data=person(10 + n, csrf_token, consent=None),
                headers={"Cookie": cookie, "X-Forwarded-For": f"203.0.113.{n}"},
            )
            assert answer.status_code == 422
    counted = deployment.limiter_counts("registrations.register", "200/1/hour")
    print(f"with posts sent to gunicorn directly: {counted}")
    assert counted.get(OUTSIDER) == 2
    assert not [client for client in counted if client.startswith("203.0.113.")]


def test_the_access_logs_show_personal_links_without_their_token(deployment):
    """Last: it stops nginx and gunicorn, so that every log line is written."""
    event, url = deployment.event_id, f"/events/{deployment.event_id}/register"
    with deployment.client(CLIENT_B) as browser:
        token = registration_form(browser, event)
        done = browser.post(url, data=person(20, token), headers={"Referer": f"{SITE}{url}"})
        personal = done.headers["location"].removeprefix(SITE)
        page = browser.get(personal)
        assert page.status_code == 200
        feed = re.search(r"(/calendar/[A-Za-z0-9_-]+\.ics)", page.text).group(1)
        assert browser.get(feed, headers={"Referer": f"{SITE}{personal}"}).status_code == 200
    with httpx.Client(headers={"Host": d.HOSTNAME}) as plain:
        plain.get(f"http://127.0.0.1:{deployment.site.http_port}{personal}")
    secrets_in_links = [personal.rsplit("/", 1)[1], feed.rsplit("/", 1)[1].removesuffix(".ics")]

    deployment.processes.stop("nginx", signal.SIGQUIT)
    deployment.processes.stop("gunicorn")
    gunicorn_access = deployment.log("gunicorn.err")  # with the app's lines (webapp/logs.py)
    nginx_access = deployment.log("agenda.access.log")
    assert '"GET /registrations/… HTTP/1.1" 200' in gunicorn_access
    assert '"GET /calendar/….ics HTTP/1.1" 200' in gunicorn_access
    assert '"GET /registrations/… HTTP/1.1" 200' in nginx_access
    assert '"GET /calendar/….ics HTTP/1.1" 200 ' in nginx_access
    assert f'"{SITE}/registrations/…"' in nginx_access  # the Referer
    assert '"GET /registrations/… HTTP/1.1" 301' in nginx_access  # the plain-HTTP server
    every_log = {
        name: deployment.log(name)
        for name in ("gunicorn.out", "gunicorn.err", "agenda.access.log", "access.log", "error.log")
    }
    for name, written in every_log.items():
        for secret in secrets_in_links:
            assert secret not in written, f"a token in {name}"
    print("gunicorn access log:", *gunicorn_access.splitlines()[-4:], sep="\n  ")
    print("nginx access log:", *nginx_access.splitlines()[-4:], sep="\n  ")
