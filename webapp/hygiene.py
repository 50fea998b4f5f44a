"""Request hygiene in one place: NUL characters never reach a view or the database, and
responses never leak a personal link to another site.

A NUL is never meaningful in a URL, and PostgreSQL refuses it in any text parameter (a 500
on every page that passes it on). Query arguments lose it; a path holding one is a 404.
Personal pages carry their token in the path: `Referrer-Policy: same-origin` keeps it from
being sent to the sites their links lead to.
"""

from flask import Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property


class CleanRequest(Request):
    @cached_property
    def args(self):
        raw = super().args
        return ImmutableMultiDict(
            (key.replace("\x00", ""), value.replace("\x00", ""))
            for key, value in raw.items(multi=True)
        )


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
        return response
