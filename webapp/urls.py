"""Absolute links (mails, feeds, the embed, the API) made of BASE_URL and the app's own routes.

Every absolute link starts from BASE_URL, never from the request's Host: a link must be the
same from a page, the mail worker or a command, and a cached feed or page must not carry one
visitor's Host header to the next. BASE_URL may end in a path prefix
(`https://agenda.example/bassins`, the app mounted under /bassins): the routes go after it,
whether or not a request (with its own SCRIPT_NAME) is under way.
"""

from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app

_ADAPTERS = "absolute_urls"


def base_url() -> str:
    """BASE_URL without a trailing slash: the root every absolute link starts from."""
    return current_app.config["BASE_URL"].rstrip("/")


def base_host() -> str:
    """BASE_URL's host name (the right-hand side of calendar UIDs)."""
    return _host_of(current_app.config["BASE_URL"])


def absolute_url(endpoint: str, **values) -> str:
    """The absolute URL of a full endpoint name (`agenda.event`), under BASE_URL.

    Values the route does not take become the query string, as with url_for; the app's
    url_defaults apply. Works without a request context (mail worker, CLI).
    """
    app = current_app._get_current_object()
    if app.url_default_functions:  # none today; a feed builds thousands of URLs
        app.inject_url_defaults(endpoint, values)
    return _adapter(app).build(endpoint, values, force_external=True)


def _adapter(app):
    """A URL adapter bound to BASE_URL, kept per app until BASE_URL changes (tests change it)."""
    base = app.config["BASE_URL"]
    kept = app.extensions.get(_ADAPTERS)
    if kept is None or kept[0] != base:
        parts = urlsplit(base.rstrip("/"))
        adapter = app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
        )
        kept = app.extensions[_ADAPTERS] = (base, adapter)
    return kept[1]


@lru_cache(maxsize=8)
def _host_of(base):
    return urlsplit(base).hostname or "localhost"


def init_app(app):
    """`absolute_url` in every template: `{{ absolute_url('agenda.event', event_id=1) }}`."""
    app.jinja_env.globals.update(absolute_url=absolute_url)
