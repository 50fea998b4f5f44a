"""deploy/ names only commands and settings that exist: the units' commands against the
app's CLI (and gunicorn's options), the environment example against what config.py reads."""

import configparser
import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import make_config
from webapp import create_app

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = ["agenda.service", "agenda-worker.service"]
# Named in deploy/README.md ahead of its release: remove the entry when the command lands.
PENDING_COMMANDS: dict[str, str] = {}
# Every variable of the contract's configuration table (../shared/CONTRACT.md).
CONTRACT_SETTINGS = {
    "DATABASE_URL",
    "SECRET_KEY",
    "BASE_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "RATELIMIT_STORAGE_URI",
    "APP_TIMEZONE",
    "CACHE_URL",
    "TRUSTED_PROXIES",
}


def settings_read_by_config():
    source = (ROOT / "config.py").read_text()
    return set(re.findall(r'(?:os\.environ\.get|_bool)\(\s*"([A-Z_]+)"', source))


def environment_example():
    """Names set in the example, commented-out suggestions (`# NAME=value`) included."""
    lines = (DEPLOY / "agenda.env.example").read_text().splitlines()
    return [m.group(1) for line in lines if (m := re.match(r"#?\s*([A-Z][A-Z0-9_]*)=", line))]


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


def exec_lines(parser):
    return [
        shlex.split(parser["Service"][key])
        for key in ("ExecStartPre", "ExecStart")
        if key in parser["Service"]
    ]


@pytest.fixture(scope="module")
def cli():
    """The app's commands, with Flask's own and the extensions' groups."""
    from flask.cli import FlaskGroup

    app = create_app(make_config("sqlite://"))
    group = FlaskGroup(create_app=lambda: app)
    with group.make_context("flask", [], resilient_parsing=True) as context:
        names = group.list_commands(context)
        return {name: group.get_command(context, name) for name in names}


def flask_command(argv):
    """`flask --app wsgi NAME args...` -> (NAME, args)."""
    assert Path(argv[0]).name == "flask", argv
    assert argv[1:3] == ["--app", "wsgi"], argv
    return argv[3], argv[4:]


def test_the_environment_example_names_only_settings_config_reads():
    named = environment_example()
    assert len(named) == len(set(named)), "a setting is named twice"
    unknown = set(named) - settings_read_by_config() - {"APP_ENV"}
    assert unknown == set()
    assert CONTRACT_SETTINGS - set(named) == set(), "a setting of the contract is missing"


def test_the_example_is_a_production_environment():
    values = dict(
        line.split("=", 1)
        for line in (DEPLOY / "agenda.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert values["APP_ENV"] == "production"
    assert values["BASE_URL"].startswith("https://")
    assert values["CACHE_URL"].startswith("redis://")
    assert values["TRUSTED_PROXIES"] == "1"
    gunicorn = exec_lines(unit("agenda.service"))[-1]
    assert values["WEB_CONCURRENCY"] == gunicorn[gunicorn.index("-w") + 1]


@pytest.mark.parametrize("name", UNITS)
def test_the_units_run_existing_commands_with_their_options(name, cli):
    parser = unit(name)
    assert parser["Service"]["EnvironmentFile"] == "/etc/agenda/agenda.env"
    for argv in exec_lines(parser):
        if Path(argv[0]).name == "gunicorn":
            continue
        command, args = flask_command(argv)
        assert command in cli, f"{name}: flask {command} does not exist"
        cli[command].make_context(command, list(args))  # unknown options raise


def test_each_unit_checks_the_configuration_before_starting():
    for name in UNITS:
        first = shlex.split(unit(name)["Service"]["ExecStartPre"])
        assert flask_command(first)[0] == "check-config"


def test_gunicorn_runs_the_contracts_app_with_options_it_knows():
    from gunicorn.config import Config

    argv = shlex.split(unit("agenda.service")["Service"]["ExecStart"])
    assert Path(argv[0]).name == "gunicorn"
    options = Config().parser().parse_args(argv[1:])
    assert options.workers == 4 and options.args == ["wsgi:app"]
    assert (ROOT / "wsgi.py").exists()


def test_the_worker_stops_on_sigterm_with_time_to_finish():
    service = unit("agenda-worker.service")["Service"]
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) >= 60


def test_the_readme_names_only_commands_that_exist(cli):
    text = (DEPLOY / "README.md").read_text()
    named = set(re.findall(r"flask --app wsgi ([a-z][a-z-]*)", text))
    named |= set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", text))  # `send-mail`, `check-config`
    named -= {Path(name).stem for name in UNITS}  # `agenda-worker`: a service
    missing = named - set(cli) - set(PENDING_COMMANDS)
    assert missing == set()
    assert set(PENDING_COMMANDS) & set(cli) == set(), "a pending command landed: drop its entry"
    assert "upgrade" in cli["db"].commands


def test_nginx_serves_static_files_and_leaves_framing_to_the_app():
    lines = (DEPLOY / "nginx" / "agenda.conf").read_text().splitlines()
    conf = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    static = re.search(r"location /static/ \{(.*?)\}", conf, re.S).group(1)
    alias = re.search(r"alias (\S+);", static).group(1)
    assert alias.rstrip("/").endswith("/static") and (ROOT / "static").is_dir()
    # One Cache-Control per answer: `expires` would add a second one beside add_header.
    assert "expires" not in static
    assert re.findall(r"add_header Cache-Control (\S+);", static) == ["$agenda_static_cache"]
    # A versioned URL (webapp/static_urls.py) is kept a year, an unversioned one a week.
    versions = re.search(r"map \$arg_v \$agenda_static_cache \{(.*?)\}", conf, re.S).group(1)
    assert re.search(r'""\s+"public, max-age=604800";', versions)
    assert re.search(r'default\s+"public, max-age=31536000, immutable";', versions)
    app = re.search(r"location / \{\s*proxy_pass(.*?)\}", conf, re.S).group(1)
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Host"):
        assert f"proxy_set_header {header} " in app
    assert "Frame" not in app and "frame-ancestors" not in app
    assert "X-Frame-Options" not in conf  # the embed must stay frameable
    assert "listen 443 ssl" in conf and "ssl_certificate " in conf


def nginx_directives():
    lines = (DEPLOY / "nginx" / "agenda.conf").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_the_nginx_site_uses_only_directives_nginx_1_22_knows():
    """Debian 12 has nginx 1.22, Ubuntu 24.04 1.24: `http2 on;` came with 1.25.1."""
    directives = nginx_directives()
    assert not [line for line in directives if line.startswith("http2 ")]
    listens = [line for line in directives if line.startswith("listen ") and "443" in line]
    assert listens == ["listen 443 ssl http2;", "listen [::]:443 ssl http2;"]


def test_every_server_of_the_site_logs_with_tokens_masked():
    conf = "\n".join(nginx_directives())
    servers = conf.split("server {")[1:]
    assert len(servers) == 2
    for server in servers:
        logs = re.findall(r"^access_log (.*);$", server, re.M)
        assert logs[0] == "/var/log/nginx/agenda.access.log agenda_masked"
        assert set(logs[1:]) <= {"off"}  # static files: not logged
    fmt = re.search(r"log_format agenda_masked [^;]*;", conf, re.S).group(0)
    assert "$request " not in fmt and "$request_uri" not in fmt and "$http_referer" not in fmt
    assert "$agenda_logged_uri" in fmt and "$agenda_logged_referer" in fmt


def gunicorn_options():
    from gunicorn.config import Config

    argv = shlex.split(unit("agenda.service")["Service"]["ExecStart"])
    return Config().parser().parse_args(argv[1:])


def test_gunicorn_listens_on_loopback_and_believes_forwarded_headers_from_nginx_only():
    """A client that reached gunicorn's port directly could choose its own X-Forwarded-For."""
    options = gunicorn_options()
    assert options.bind == ["127.0.0.1:8000"]
    assert options.forwarded_allow_ips == "127.0.0.1"
    assert options.config == "/srv/agenda/deploy/gunicorn.conf.py"
    assert (ROOT / "deploy" / "gunicorn.conf.py").is_file()
    upstream = re.search(r"upstream agenda_app \{(.*?)\}", "\n".join(nginx_directives()), re.S)
    assert re.findall(r"^server (\S+);", upstream.group(1), re.M) == ["127.0.0.1:8000"]


def gunicorn_settings():
    """deploy/gunicorn.conf.py's names, as gunicorn reads them (it runs the file)."""
    import runpy

    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def parsed_request(peer, headers):
    """A request as gunicorn's parser makes it from the bytes of a connection from `peer`."""
    import io

    from gunicorn.config import Config
    from gunicorn.http.parser import RequestParser

    lines = ["GET /events/1/register HTTP/1.1", "Host: agenda.example.brussels", *headers]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return next(iter(RequestParser(Config(), io.BytesIO(raw), peer)))


@pytest.mark.parametrize(
    "peer, believed", [(("127.0.0.1", 40000), True), (("10.0.0.99", 40000), False)]
)
def test_gunicorn_drops_forwarded_headers_that_do_not_come_from_nginx(peer, believed):
    from types import SimpleNamespace

    from gunicorn.config import Config

    config = Config()
    config.set("forwarded_allow_ips", gunicorn_options().forwarded_allow_ips)
    worker = SimpleNamespace(cfg=config)
    forwarded = ["X-Forwarded-For: 203.0.113.9", "X-Forwarded-Proto: https", "Forwarded: for=x"]
    request = parsed_request(peer, forwarded)
    gunicorn_settings()["pre_request"](worker, request)
    names = {name for name, _ in request.headers}
    assert ("X-FORWARDED-FOR" in names) is believed
    assert ("X-FORWARDED-PROTO" in names) is believed
    assert ("FORWARDED" in names) is believed
    assert "HOST" in names


def test_gunicorn_logs_access_with_tokens_masked():
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    settings = gunicorn_settings()
    assert issubclass(settings["logger_class"], Logger)
    logger = settings["logger_class"](Config())
    request = parsed_request(
        ("127.0.0.1", 40000), ["Referer: https://x.example/propose/" + "b" * 43]
    )
    token = "a" * 43
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/registrations/{token}/cancel",
        "PATH_INFO": f"/registrations/{token}/cancel",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://x.example/propose/" + "b" * 43,
    }
    response = SimpleResponse()
    atoms = logger.atoms(response, request, environ, __import__("datetime").timedelta(0))
    assert atoms["r"] == "GET /registrations/…/cancel HTTP/1.1"
    assert atoms["U"] == "/registrations/…/cancel"
    assert atoms["f"] == atoms["{referer}i"] == "https://x.example/propose/…"
    assert atoms["{location}o"] == "/registrations/…"
    # gunicorn's own lines ("Error handling request /registrations/...") go through it too.
    assert [type(f).__name__ for f in logger.error_log.filters] == ["MaskTokens"]


class SimpleResponse:
    status = "303 SEE OTHER"
    sent = 0
    headers = [("Location", "/registrations/" + "c" * 43)]
