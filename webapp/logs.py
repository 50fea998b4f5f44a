"""Logging, configured once for the web process, the worker and every command.

`create_app` calls `configure`: one line a record on standard error, with time, level, logger
and message, as text or as one JSON object (`LOG_FORMAT=text|json`), at `LOG_LEVEL`. Under
gunicorn the error and access logs take the same shape (deploy/gunicorn.conf.py reads
`logging_config`). systemd's journal or a log shipper takes standard error as it is.

No record carries a person: log calls name ids, never a name or an address, and a filter on
the handler masks what would slip through anyway, an email address or a personal-link token
(in a URL of the access log, say), before the line is written.
"""

import json
import logging
import logging.config
import re
from datetime import UTC, datetime

from webapp.access_log import mask_tokens

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# An address (something@domain.tld) and a token (43 URL-safe base64 characters, webapp.tokens)
# standing alone: what masking replaces.
_ADDRESS = re.compile(r"[^\s@<>\"'(),;:\[\]]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
# Terminal colours (Werkzeug paints its request lines): noise in a file or the journal.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def mask(text):
    """The text with every email address and personal-link token replaced by "…" (tokens in
    URL paths, a password reset's included, as access_log.mask_tokens finds them; and any
    other token-shaped word)."""
    return _TOKEN.sub("…", mask_tokens(_ADDRESS.sub("…@…", text)))


class MaskPersonalData(logging.Filter):
    """Write the message with its arguments, masked: the record leaves with no address or
    token, whatever a log call (ours or a library's) put in it."""

    def filter(self, record):
        message = mask(_ANSI.sub("", record.getMessage()))
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the
    exception when there is one. Ten lines of ours rather than a dependency."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def logging_config(level="INFO", log_format="text"):
    """The dictConfig of every process: one masked handler on standard error, at `level`."""
    level = level.upper() if isinstance(level, str) and level.upper() in LEVELS else "INFO"
    formatter = (
        {"()": JsonFormatter}
        if log_format == "json"
        else {"format": TEXT_FORMAT, "datefmt": "%Y-%m-%dT%H:%M:%S%z"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask": {"()": MaskPersonalData}},
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["mask"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # Werkzeug's request lines (flask run) go through the same handler, masked.
            "werkzeug": {"level": level, "handlers": [], "propagate": True},
        },
    }


_configured = None


def configure(app):
    """Configure logging from LOG_LEVEL and LOG_FORMAT, once per process (each app of a test
    run or a command would otherwise replace the handlers again). Tests leave it off
    (LOG_CONFIGURE): pytest captures the records itself."""
    global _configured
    if not app.config.get("LOG_CONFIGURE", True):
        return
    wanted = (app.config.get("LOG_LEVEL", "INFO"), app.config.get("LOG_FORMAT", "text"))
    if _configured == wanted:
        return
    logging.config.dictConfig(logging_config(*wanted))
    _configured = wanted
    for problem in config_problems(app.config):
        logging.getLogger(__name__).warning(problem)


def config_problems(config):
    """What is wrong with the logging settings (check-config reports these too)."""
    problems = []
    if str(config.get("LOG_LEVEL", "INFO")).upper() not in LEVELS:
        problems.append(f"LOG_LEVEL must be one of {', '.join(LEVELS)}: INFO is used")
    if config.get("LOG_FORMAT", "text") not in FORMATS:
        problems.append("LOG_FORMAT must be text or json: text is used")
    return problems
