"""gunicorn's settings that a command line cannot give (agenda.service: `gunicorn -c ...`).

- The access and error logs show personal links with their token masked
  (`/registrations/…`, webapp/access_log.py): a log file is read by more people than the
  links were sent to.
- Its error and access lines take the app's shape (webapp/logs.py: time, level, logger,
  message; LOG_FORMAT=text|json and LOG_LEVEL from agenda.env), on standard error with the
  app's own lines, for the journal.
- X-Forwarded-* are believed only from the proxies of `--forwarded-allow-ips` (nginx): the app
  reads the client's address from X-Forwarded-For (TRUSTED_PROXIES=1) for its rate limits, so a
  client that reaches gunicorn's port another way must not choose its own address. gunicorn
  itself applies the option to X-Forwarded-Proto only; here it drops them all from others.
"""

import ipaddress
import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

# The app's folder (/srv/agenda): gunicorn reads this file before it moves there.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp.access_log import mask_tokens, mask_tokens_in  # noqa: E402
from webapp.logs import logging_config  # noqa: E402

# What a proxy sets and the app (werkzeug's ProxyFix) or gunicorn read.
FORWARDED_HEADERS = frozenset(
    {
        "FORWARDED",
        "X-FORWARDED-FOR",
        "X-FORWARDED-PROTO",
        "X-FORWARDED-HOST",
        "X-FORWARDED-PORT",
        "X-FORWARDED-PREFIX",
        "X-FORWARDED-PROTOCOL",
        "X-FORWARDED-SSL",
        "X-REAL-IP",
    }
)


class MaskedTokensLogger(Logger):
    """gunicorn's logger, every access-log field and error line with its tokens masked."""

    def setup(self, cfg):
        super().setup(cfg)
        mask_tokens_in(self.error_log)

    def atoms(self, resp, req, environ, request_time):
        found = super().atoms(resp, req, environ, request_time)
        return {
            name: mask_tokens(value) if isinstance(value, str) else value
            for name, value in found.items()
        }


logger_class = MaskedTokensLogger


def _logging():
    """The app's logging, gunicorn's error and access loggers passing their lines to it."""
    config = logging_config(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT"))
    level = config["root"]["level"]
    config["loggers"]["gunicorn.error"] = {"level": level, "handlers": [], "propagate": True}
    config["loggers"]["gunicorn.access"] = {"level": "INFO", "handlers": [], "propagate": True}
    return config


# Set, it also turns the access log on (no --access-logfile needed).
logconfig_dict = _logging()


def from_allowed_proxy(peer, allowed):
    """Whether the connection comes from one of `allowed` (gunicorn's forwarded_allow_ips)."""
    if not isinstance(peer, tuple):  # a UNIX socket: only local processes reach it
        return True
    if "*" in allowed:
        return True
    address = ipaddress.ip_address(peer[0])
    return any(address == ipaddress.ip_address(proxy) for proxy in allowed)


def pre_request(worker, req):
    """Drop the forwarding headers of a request that does not come from the proxy."""
    if not from_allowed_proxy(req.peer_addr, worker.cfg.forwarded_allow_ips):
        req.headers = [
            (name, value) for name, value in req.headers if name not in FORWARDED_HEADERS
        ]
