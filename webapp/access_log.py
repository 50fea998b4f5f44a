"""Personal-link tokens never reach a log: request lines are written with the token replaced.

A personal link (/registrations/<token>, /calendar/<token>.ics, /evaluations/<token>, the Grand
Bain visitor's and host's pages, /propose/<token>, /password/reset/<token>) is the person's
key: whoever reads it in a log file holds it. `mask_tokens` is the one function that hides
them; gunicorn's access and error logs (deploy/gunicorn.conf.py) and the development server's
request log (`make run`, Werkzeug, through `init_app`) use it. nginx's access log does the same
with a map of its own (deploy/nginx/agenda.conf).
"""

import logging
import re

from webapp.tokens import TOKEN_LENGTH

MASK = "…"

# A path segment that is a whole token (tokens.new_token: 43 URL-safe characters), wherever it
# stands (a request line, a Referer, a Location); and the signed token of a password reset,
# which is longer and dotted (auth/resets.py).
_TOKEN_CHARACTERS = "A-Za-z0-9_-"
_TOKENS = re.compile(
    rf"(?<=/)[{_TOKEN_CHARACTERS}]{{{TOKEN_LENGTH}}}(?![{_TOKEN_CHARACTERS}])"
    r"|(?<=/password/reset/)[^/?#\s\"']+"
)


def mask_tokens(text: str) -> str:
    """`text` with every personal-link token in a URL path replaced by `…`."""
    return _TOKENS.sub(MASK, text)


def _masked(value):
    return mask_tokens(value) if isinstance(value, str) else value


class MaskTokens(logging.Filter):
    """Masks the tokens of a log record's message and arguments before any handler sees it."""

    def filter(self, record):
        record.msg = _masked(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_masked(value) for value in record.args)
        return True


def mask_tokens_in(logger: logging.Logger) -> None:
    """Put the filter on `logger` (once, however often it is called)."""
    if not any(isinstance(existing, MaskTokens) for existing in logger.filters):
        logger.addFilter(MaskTokens())


def init_app(app):
    """The development server's request log (`flask run`, `make run`) and the app's own error
    lines ("Exception on /registrations/... [GET]") never show a token."""
    mask_tokens_in(logging.getLogger("werkzeug"))
    mask_tokens_in(app.logger)
