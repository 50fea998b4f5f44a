"""The files of deploy/ made runnable on this machine, changing only what must change.

nginx runs deploy/nginx/agenda.conf with its ports, certificate and paths substituted (and
`check_only_substituted` proves nothing else moved), from a main configuration in a temporary
folder (pid, temp paths, logs); gunicorn runs agenda.service's ExecStart with agenda.env.example's
variables, secrets and hosts substituted. Used by tests/test_deploy_e2e.py.
"""

import configparser
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
INSTALLED_AT = "/srv/agenda"  # where deploy/README.md installs the app
HOSTNAME = "agenda.example.brussels"
# The names of agenda.env.example whose values are this machine's: secrets and hosts.
SUBSTITUTED_SETTINGS = frozenset(
    {"SECRET_KEY", "DATABASE_URL", "MAIL_SERVER", "MAIL_PORT", "MAIL_PASSWORD", "CACHE_URL"}
)
# A bound for things that do not happen at all (a server that never starts), not for speed.
NEVER = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unit_service(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser["Service"]


def installed_here(argv):
    """A unit's command line with /srv/agenda (the install folder) read as this checkout."""
    return [arg.replace(INSTALLED_AT, str(ROOT)) for arg in argv]


def gunicorn_command(port):
    """agenda.service's ExecStart, run from this checkout, its port (only) changed."""
    argv = installed_here(shlex.split(unit_service("agenda.service")["ExecStart"]))
    bind = argv.index("-b") + 1
    host, _, _ = argv[bind].rpartition(":")
    argv[bind] = f"{host}:{port}"
    return argv, host


def check_config_command():
    return installed_here(shlex.split(unit_service("agenda.service")["ExecStartPre"]))


def environment_example():
    """agenda.env.example as systemd reads it: NAME=value lines, comments left out."""
    lines = (DEPLOY / "agenda.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def production_environment(database_url, mail_port, mail_password, redis_url, ca_file):
    """The example's variables with this machine's secrets and hosts; nothing else of the
    test's own environment (no TEST_DATABASE_URL, no pytest variables) reaches the app."""
    example = environment_example()
    values = dict(example)
    values.update(
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=database_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(mail_port),
        MAIL_PASSWORD=mail_password,
        CACHE_URL=redis_url,
    )
    changed = {name for name in values if values[name] != example[name]}
    assert changed == SUBSTITUTED_SETTINGS, changed
    system = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL") if k in os.environ}
    # The mail server's certificate is the test's own: check-config verifies it against it.
    return {**system, **values, "SSL_CERT_FILE": str(ca_file)}


def self_signed_certificate(folder):
    """A certificate for the site's name and 127.0.0.1, made now with openssl."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-days", "2", "-subj", f"/CN={HOSTNAME}", "-keyout", str(key)]
        + ["-out", str(cert), "-addext", f"subjectAltName=DNS:{HOSTNAME},IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class NginxSite:
    """deploy/nginx/agenda.conf with this machine's ports, certificate and paths."""

    http_port: int
    https_port: int
    app_port: int
    cert: Path
    key: Path
    folder: Path
    original: str = field(init=False)
    text: str = field(init=False)

    def __post_init__(self):
        self.original = (DEPLOY / "nginx" / "agenda.conf").read_text()
        self.text = self.original
        for old, new in self.substitutions():
            assert old in self.text, f"agenda.conf no longer has {old!r}"
            self.text = self.text.replace(old, new)

    def substitutions(self):
        logs = self.folder / "logs"
        return [
            # Loopback only: the test listens where nobody else can reach.
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen [::]:80;", f"listen [::1]:{self.http_port};"),
            ("listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl"),
            ("listen [::]:443 ssl", f"listen [::1]:{self.https_port} ssl"),
            ("server 127.0.0.1:8000;", f"server 127.0.0.1:{self.app_port};"),
            (f"/etc/letsencrypt/live/{HOSTNAME}/fullchain.pem", str(self.cert)),
            (f"/etc/letsencrypt/live/{HOSTNAME}/privkey.pem", str(self.key)),
            (f"{INSTALLED_AT}/static/", f"{ROOT}/static/"),
            ("/var/log/nginx/", f"{logs}/"),
            ("/var/www/letsencrypt", str(self.folder / "letsencrypt")),
        ]

    def check_only_substituted(self):
        """Undo each substitution: what remains is the file as written, byte for byte."""
        undone = self.text
        for old, new in reversed(self.substitutions()):
            undone = undone.replace(new, old)
        assert undone == self.original
        directives = [line for line in self.text.splitlines() if not line.lstrip().startswith("#")]
        left = [line for line in directives if re.search(r"/(etc|srv|var)/", line)]
        assert left == [], "a path of the server is left"


def nginx_binary():
    """nginx on the PATH, or in /usr/sbin (Debian's, off a non-root user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def nginx_version(binary):
    return subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip()


def mime_types(binary):
    """The mime.types next to the nginx's own configuration (--conf-path)."""
    built = subprocess.run([binary, "-V"], capture_output=True, text=True).stderr
    found = re.search(r"--conf-path=(\S+)", built)
    folder = Path(found.group(1)).parent if found else Path("/etc/nginx")
    return folder / "mime.types"


def main_configuration(site, mime):
    """What /etc/nginx/nginx.conf gives a site, in the test's folder (any user can run it)."""
    tmp = site.folder
    return f"""
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/logs/error.log notice;
events {{ worker_connections 128; }}
http {{
    include {mime};
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp}/logs/access.log;
    client_body_temp_path {tmp}/temp/client_body;
    proxy_temp_path {tmp}/temp/proxy;
    fastcgi_temp_path {tmp}/temp/fastcgi;
    uwsgi_temp_path {tmp}/temp/uwsgi;
    scgi_temp_path {tmp}/temp/scgi;
    include {tmp}/sites-enabled/agenda.conf;
}}
"""


class Processes:
    """Servers started by the test, stopped gracefully in reverse order (logs complete)."""

    def __init__(self):
        self.started = []

    def start(self, name, argv, log_folder, **options):
        out = open(log_folder / f"{name}.out", "wb")  # noqa: SIM115 closed in stop()
        err = open(log_folder / f"{name}.err", "wb")  # noqa: SIM115
        process = subprocess.Popen(argv, stdout=out, stderr=err, start_new_session=True, **options)
        self.started.append((name, process, (out, err)))
        return process

    def stop(self, name=None, stop_signal=signal.SIGTERM):
        for entry in reversed(list(self.started)):
            label, process, files = entry
            if name and label != name:
                continue
            began = time.monotonic()
            if process.poll() is None:
                process.send_signal(stop_signal)
                try:
                    process.wait(timeout=NEVER)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            print(f"stopped {label} in {time.monotonic() - began:.1f} s")
            for file in files:
                file.close()
            self.started.remove(entry)


def wait_until(check, what, process=None, log=None):
    """Poll `check()` until it is true; fail if the process died or never got there."""
    deadline = time.monotonic() + NEVER
    last = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: exited {process.returncode}\n{_tail(log)}")
        try:
            if check():
                return
        except Exception as error:  # not listening yet: refused, reset, ...
            last = error
        time.sleep(0.1)
    raise AssertionError(f"{what}: not ready after {NEVER} s ({last!r})\n{_tail(log)}")


def _tail(path):
    return path.read_text(errors="replace")[-3000:] if path and path.exists() else ""


def accepts_connections(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        return True


def client_context(ca_file):
    """TLS that trusts the test's certificate only (checked, not switched off)."""
    return ssl.create_default_context(cafile=str(ca_file))


def personal_links(app):
    """(rule, URL, token) for every route of the URL map that takes a token, with a token of
    the shape the app makes: tokens.new_token, or a signed password-reset token."""
    from flask import url_for
    from itsdangerous import URLSafeTimedSerializer

    from webapp.tokens import new_token

    links = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "token" not in rule.arguments:
                continue
            if rule.endpoint == "auth.password_reset":
                token = URLSafeTimedSerializer(secrets.token_hex(16)).dumps({"account": 7})
            else:
                token = new_token()
            values = {name: 1 for name in rule.arguments if name != "token"}
            links.append((rule, url_for(rule.endpoint, token=token, **values), token))
    return links


def start_redis(processes, folder):
    """A redis-server of the test's own on a free port, nothing saved to disk."""
    import redis

    port = free_port()
    server = processes.start(
        "redis",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", str(folder)],
        folder / "logs",
    )
    wait_until(lambda: redis.Redis(port=port).ping(), "redis-server", server)
    return port


def start_gunicorn(processes, folder, env):
    """agenda.service's ExecStart (its port changed), with the production environment."""
    import httpx

    port = free_port()
    argv, bind_host = gunicorn_command(port)
    assert bind_host == "127.0.0.1", "gunicorn must listen on loopback only"
    server = processes.start("gunicorn", argv, folder / "logs", cwd=ROOT, env=env)
    wait_until(
        lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200,
        "gunicorn",
        server,
        folder / "logs" / "gunicorn.err",
    )
    return port


def start_nginx(processes, site, binary):
    """nginx on the substituted site, checked first with `nginx -t` as an operator would."""
    folder = site.folder
    site.check_only_substituted()
    (folder / "sites-enabled" / "agenda.conf").write_text(site.text)
    (folder / "nginx.conf").write_text(main_configuration(site, mime_types(binary)))
    argv = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    argv += ["-e", str(folder / "logs" / "error.log")]
    checked = subprocess.run(argv + ["-t"], capture_output=True, text=True)
    assert checked.returncode == 0, f"nginx -t failed:\n{checked.stderr}"
    server = processes.start("nginx", argv + ["-g", "daemon off;"], folder / "logs")
    wait_until(
        lambda: accepts_connections(site.https_port), "nginx", server, folder / "logs" / "error.log"
    )
