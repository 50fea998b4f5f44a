"""Rendered public pages kept per (generation, minute, language, URL), with ETags and 304s.

A public agenda page is the same for everyone who asks for the same URL in the same language:
it shows no personal data and no per-visitor state (no form tokens, no messages). What makes
it change is data (the content generation, see webapp/content_state.py) and time (an event
starting, a registration window closing), which the minute in the key follows: a page is
at most a minute behind the clock and never behind the data.
"""

import hashlib
from functools import wraps

from flask import current_app, g, request, session
from flask_babel import get_locale

from webapp.cache import body_store
from webapp.content_state import current_generation
from webapp.timezones import utcnow

# Bump when the pages' markup changes in a way a shared (Redis) store must not mix.
FORMAT_VERSION = "1"
# Browsers keep the page but ask again each time; a 304 costs one small query.
CACHE_CONTROL = "no-cache"
MINUTE_TTL = 120
# Session keys that leave a public page the same for everyone: the language, and the CSRF
# secret a visitor gets from any form (the public pages render no form token).
SHARED_SESSION_KEYS = frozenset({"lang", "csrf_token"})


def is_personal():
    """Whether this visitor's page may differ from everyone's (signed in, messages waiting)."""
    return any(key not in SHARED_SESSION_KEYS for key in session)


def page_key(generation):
    minute = utcnow().strftime("%Y%m%d%H%M")
    parts = (
        FORMAT_VERSION,
        str(generation),
        minute,
        str(get_locale()),
        request.host,
        request.path,
        request.query_string.decode("latin-1"),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def cached_page(view=None, *, cache_control=CACHE_CONTROL):
    """Serve `view`'s 200 responses from the page store while data and minute are the same.

    `@cached_page` or `@cached_page(cache_control=...)` for a page with its own policy.
    """
    if view is None:
        return lambda view: cached_page(view, cache_control=cache_control)

    @wraps(view)
    def wrapper(*args, **kwargs):
        size = current_app.config.get("PAGE_CACHE_SIZE", 0)
        generation = current_generation() if size and not is_personal() else None
        if generation is None:  # cache off, a personal page, or no state row
            return view(*args, **kwargs)
        key = page_key(generation)
        response = current_app.response_class(status=200, mimetype="text/html")
        response.set_etag(key)
        response.headers["Cache-Control"] = cache_control
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")  # ?lang= is remembered in the session cookie
        if request.if_none_match.contains_weak(key):
            response.status_code = 304
            return response
        store = body_store("page", size=size, ttl=MINUTE_TTL)
        body = store.get(key)
        if body is None:
            rendered = current_app.make_response(view(*args, **kwargs))
            token_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
            if rendered.status_code != 200 or token_field in g:
                return rendered  # an error, or a body with this visitor's form token
            body = rendered.get_data()
            store.set(key, body)
        response.set_data(body)
        return response

    return wrapper
