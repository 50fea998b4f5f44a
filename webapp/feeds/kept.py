"""The public feeds' answers, kept per worker and given again without Flask's machinery.

A calendar client asks for the same URL with the same headers hour after hour. Once the app
has answered such a request with a public feed (a 200 whose body is in the body cache, or a
304), a WSGI layer in front of the app answers the same request again by itself for as long
as the content generation and the feed's window are those of the kept answer: one read of
the generation (the read every feed answer costs, so it is never stale) and a lookup, with no
session, locale, hooks, view or response object. That machinery cost as much per request as
writing the 4 MB of a large feed to its socket.

What a feed's answer depends on is in the key (path, query string, the headers its language
is chosen from: Accept-Language and the cookie, and the Host), or checked on each request
(generation, window, the client's validators, the body still held in this worker's memory).
Anything else goes through the app, which keeps a new answer when the view marks it
(`calendar_response(..., keep=...)`); an answer setting a cookie is never kept.
"""

import re
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from werkzeug.http import parse_date, parse_etags

# The public feeds (feeds/views.py): every bassin, one bassin, one series.
PATHS = re.compile(r"/(?:agenda\.ics|bassins/[^/]+/agenda\.ics|series/[^/]+\.ics)")
# Set by the view in the request's environ: the answer may be kept (a Keep).
ENVIRON_KEY = "agenda.feed_keep"
# Set here: the content state read for a request that then goes through the app (read once).
STATE_KEY = "agenda.feed_state"
# The request headers a feed's answer may depend on.
KEY_HEADERS = ("HTTP_ACCEPT_LANGUAGE", "HTTP_COOKIE", "HTTP_HOST")
SIZE = 256


@dataclass(frozen=True)
class Keep:
    """What the view's answer was made of: the state it stays right for, and its validator."""

    generation: object
    window: object
    validator: object


@dataclass
class Answer:
    keep: Keep
    ok: tuple | None = None  # (status, headers) of the 200; the body is the cache's
    not_modified: tuple | None = None  # (status, headers) of the 304


class KeptFeeds:
    """WSGI middleware in front of the app: the public feeds' kept answers (see the module)."""

    def __init__(self, wsgi_app, app, size=SIZE):
        self.wsgi_app = wsgi_app
        self.app = app
        self.size = size
        self.answers = OrderedDict()
        self.lock = Lock()

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or not PATHS.fullmatch(environ.get("PATH_INFO", "")):
            return self.wsgi_app(environ, start_response)
        key = request_key(environ)
        with self.lock:
            answer = self.answers.get(key)
        if answer is not None:
            try:
                found = self._again(answer, environ)
            except Exception:  # the app answers, as it does when something fails (a 503)
                found = None
            if found is not None:
                status, headers, body = found
                start_response(status, headers)
                return [] if method == "HEAD" or body is None else [body]
        return self._through_the_app(key, environ, start_response)

    def _again(self, answer, environ):
        """(status, headers, body) of the kept answer if it still holds, else None."""
        from webapp.feeds.http import body_cache, feed_state, fresh_for
        from webapp.feeds.views import window_start

        keep = answer.keep
        with self.app.app_context():
            snapshot = environ[STATE_KEY] = feed_state()
            if snapshot.generation != keep.generation or window_start() != keep.window:
                return None
            if fresh_for(
                keep.validator,
                parse_etags(environ.get("HTTP_IF_NONE_MATCH")),
                parse_date(environ.get("HTTP_IF_MODIFIED_SINCE")),
            ):
                return (*answer.not_modified, None) if answer.not_modified else None
            body = body_cache().in_memory(keep.validator.etag)
        if answer.ok is None or body is None:
            return None
        return (*answer.ok, body)

    def _through_the_app(self, key, environ, start_response):
        sent = []

        def capture(status, headers, exc_info=None):
            sent[:] = [status, list(headers)]
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        keep = environ.get(ENVIRON_KEY)
        if keep is not None and sent:
            self._keep(key, keep, *sent)
        return result

    def _keep(self, key, keep, status, headers):
        if any(name.lower() == "set-cookie" for name, _value in headers):
            return
        code = status.split(" ", 1)[0]
        if code not in ("200", "304"):
            return
        with self.lock:
            answer = self.answers.get(key)
            if answer is None or answer.keep != keep:
                answer = Answer(keep)
            if code == "200":
                answer.ok = (status, headers)
            else:
                answer.not_modified = (status, headers)
            self.answers[key] = answer
            self.answers.move_to_end(key)
            while len(self.answers) > self.size:
                self.answers.popitem(last=False)


def request_key(environ):
    """What the answer to a feed request depends on, of the request itself."""
    return (
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        *(environ.get(name) for name in KEY_HEADERS),
    )


def keep_answer(environ, keep: Keep):
    """Called by the view: this request's answer (a 200 or a 304) may be kept."""
    environ[ENVIRON_KEY] = keep


def init_app(app):
    app.wsgi_app = KeptFeeds(app.wsgi_app, app)
