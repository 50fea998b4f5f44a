"""Request hygiene in one place: NUL characters never reach a view or the database, and
responses never leak a personal link to another site.

A NUL is never meaningful in a URL, and PostgreSQL refuses it in any text parameter (a 500
on every page that passes it on). Query arguments lose it; a path holding one is a 404.
Personal pages carry their token in the path: `Referrer-Policy: same-origin` keeps it from
being sent to the sites their links lead to. The content policy allows no inline script or
style and no framing, except for the views marked `frameable` (the embeddable agenda).
"""

from flask import Request, abort, current_app, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property


class CleanRequest(Request):
    @property
    def max_content_length(self):
        """MAX_CONTENT_LENGTH, or the larger limit of a view marked to take a file
        (webapp.uploads.takes_upload); read by the first access to the body (the CSRF check)."""
        if self._max_content_length is None and self.url_rule is not None and current_app:
            view = current_app.view_functions.get(self.url_rule.endpoint)
            limit = getattr(view, "max_request_bytes", None)
            if limit:
                return limit
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value

    @cached_property
    def args(self):
        raw = super().args
        return ImmutableMultiDict(
            (key.replace("\x00", ""), value.replace("\x00", ""))
            for key, value in raw.items(multi=True)
        )


# Pages need nothing but their own stylesheet (and the empty data: favicon): no script at all.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)


def frameable(view):
    """Mark a view that partner sites may show in an iframe (frame-ancestors *)."""
    view.frameable = True
    return view


def runs_own_scripts(view):
    """Mark a view whose page loads a script file of static/ (script-src 'self'); every
    other page keeps script-src 'none'."""
    view.own_scripts = True
    return view


def _view_marked(mark):
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, mark, False)


def _is_frameable():
    return _view_marked("frameable")


class DatabaseId(IntegerConverter):
    """`<int:...>` in every URL: ASCII digits only, at most the databases' INTEGER (2^31 - 1).

    Werkzeug's own takes any Unicode digit and any size; PostgreSQL refuses a parameter
    beyond its INTEGER, which made /events/99999999999 a 500 instead of a 404.
    """

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def install_converters(app):
    """Before any blueprint is registered: rules compile their converters when added."""
    app.url_map.converters["int"] = DatabaseId


def init_app(app):
    app.request_class = CleanRequest

    @app.before_request
    def refuse_nul_in_path():
        if "\x00" in request.path:
            abort(404)

    @app.after_request
    def safe_headers(response):
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if _is_frameable():
            policy = f"{CONTENT_SECURITY_POLICY}; frame-ancestors *"
        else:
            policy = f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'none'"
            response.headers.setdefault("X-Frame-Options", "DENY")
        if (
            _view_marked("own_scripts")
            and response.status_code < 300
            and response.mimetype == "text/html"
        ):
            policy = policy.replace("script-src 'none'", "script-src 'self'")
        response.headers.setdefault("Content-Security-Policy", policy)
        hsts = app.config.get("STRICT_TRANSPORT_SECURITY")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
