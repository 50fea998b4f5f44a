"""Rendered public pages kept per (generation, minute, language, URL), with ETags and 304s.

A public agenda page is the same for everyone who asks for the same URL in the same language:
it shows no personal data and no per-visitor state (no form tokens, no messages). What makes
it change is data (the content generation, see webapp/content_state.py) and time (an event
starting, a registration window closing), which the minute in the key follows: a page is
at most a minute behind the clock and never behind the data.

The URL in the key is the path and the query arguments as the view reads them (`args`):
unknown arguments and other spellings of the same filters are the same page, so they cannot
fill the store, and the page's own links keep only those arguments (url_with).
"""

import hashlib
from dataclasses import dataclass, field
from functools import wraps

from flask import current_app, g, request, session
from flask_babel import get_locale

from webapp.cache import body_store
from webapp.content_state import current_state
from webapp.timezones import utcnow

# Bump when the pages' markup changes in a way a shared (Redis) store must not mix.
FORMAT_VERSION = "2"
# Browsers keep the page but ask again each time; a 304 costs one small query.
CACHE_CONTROL = "no-cache"
MINUTE_TTL = 120
# Session keys that leave a public page the same for everyone: the language, and the CSRF
# secret a visitor gets from any form (the public pages render no form token).
SHARED_SESSION_KEYS = frozenset({"lang", "csrf_token"})
PLACES_SHOWN = "page_places_shown"


@dataclass(frozen=True)
class PageArgs:
    """What a cached page reads of its query string, normalised."""

    # The arguments the page depends on, as its links keep them (url_with).
    kept: dict = field(default_factory=dict)
    # The arguments it reports as ignored (the page shows a notice for each).
    ignored: frozenset = frozenset()

    def key_part(self):
        kept = "&".join(f"{name}={value}" for name, value in sorted(self.kept.items()))
        return f"{kept}|{','.join(sorted(self.ignored))}"


def no_args(generation, **view_args):
    """A page that reads nothing of its query string."""
    return PageArgs()


def shows_places(count):
    """Called by a view keyed on an event's places: the count its body shows."""
    g.setdefault(PLACES_SHOWN, count)


def is_personal():
    """Whether this visitor's page may differ from everyone's (signed in, messages waiting)."""
    return any(key not in SHARED_SESSION_KEYS for key in session)


def page_key(generation, args: PageArgs, places=None):
    """The page's key: data (generation, an event's places), minute, language and URL."""
    minute = utcnow().strftime("%Y%m%d%H%M")
    parts = (
        FORMAT_VERSION,
        str(generation),
        str(places),
        minute,
        str(get_locale()),
        request.host,
        request.path,
        args.key_part(),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _read_args(reader, generation, view_args):
    """The view's arguments; a `lang` asked in the URL is kept in its links as well."""
    args = reader(generation, **view_args)
    if request.args.get("lang") in current_app.config["LANGUAGES"]:
        args = PageArgs({**args.kept, "lang": str(get_locale())}, args.ignored)
    return args


def cached_page(view=None, *, cache_control=CACHE_CONTROL, args=no_args, places_of=None):
    """Serve `view`'s 200 responses from the page store while data and minute are the same.

    `args(generation, **view_args)` reads the query string as the view does (a PageArgs);
    `places_of` names the view argument holding the id of the event whose places the page
    shows exactly: its count joins the key, read in the same round trip as the generation,
    and the view says which count it rendered (`shows_places`).
    """
    if view is None:
        return lambda view: cached_page(
            view, cache_control=cache_control, args=args, places_of=places_of
        )

    @wraps(view)
    def wrapper(*view_args, **kwargs):
        size = current_app.config.get("PAGE_CACHE_SIZE", 0)
        if not size or is_personal():
            return view(*view_args, **kwargs)
        state = current_state(kwargs[places_of] if places_of else None)
        if state is None or (places_of and state.event_places is None):
            return view(*view_args, **kwargs)  # no state row, or no such public event
        page_args = _read_args(args, state.generation, kwargs)
        g.page_args = page_args.kept  # the links of the page keep these, and only these
        key = page_key(state.generation, page_args, state.event_places)
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
            rendered = current_app.make_response(view(*view_args, **kwargs))
            token_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
            if rendered.status_code != 200 or token_field in g:
                return rendered  # an error, or a body with this visitor's form token
            if places_of and g.get(PLACES_SHOWN) != state.event_places:
                # A registration came in between: unlike the generation, a count can come
                # back to the same number, so the key must name the body's own.
                return rendered
            body = rendered.get_data()
            store.set(key, body)
        response.set_data(body)
        return response

    return wrapper


def never_stored(blueprint, endpoints=None):
    """Mark the answers of `blueprint` (or of only these endpoints) `private, no-store`: a page
    that shows what only its reader may see (a personal link, a staff page) is kept by no
    shared or browser cache."""

    @blueprint.after_request
    def _never_stored(response):
        if endpoints is None or request.endpoint in endpoints:
            response.headers["Cache-Control"] = "private, no-store"
        return response

    return blueprint
