"""Jinja filters and globals: dates in the visitor's language, vocabulary labels, links.

The areas add their own globals from their blueprints (agenda: card_places; registrations:
registration_refusal), so this module imports none of them.
"""

from urllib.parse import urlencode

from flask import g, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from markupsafe import Markup, escape

from webapp.formfields import mixed_alphabets
from webapp.timezones import to_local
from webapp.vocabulary import (
    ACCOMMODATION_NEEDS,
    ACCOMMODATION_STATUSES,
    AUDIENCES,
    EVENT_STATUSES,
    KINDS,
    MEETING_MODES,
    PLACE_MODES,
    REGISTRATION_MODES,
    bassin_names,
    sector_group_label,
    sector_label,
)


def when(start, end=None):
    """The one date-range format of every page, in the visitor's language, Brussels time.

    Weekday, day, full month, year, hours without seconds: 'mardi 23 mars 2027, 13:00 –
    16:00'; over several days 'du lundi 4 octobre au vendredi 8 octobre 2027, 09:00 – 17:00'.
    """
    start, end = to_local(start), to_local(end)
    hour = format_time(start, "short")
    if end is None:
        return f"{format_date(start, 'full')}, {hour}"
    until = format_time(end, "short")
    if end.date() == start.date():
        return f"{format_date(start, 'full')}, {hour} – {until}"
    first = format_date(start, "EEEE d MMMM" if start.year == end.year else "full")
    return _("du %(first)s au %(last)s, %(start)s – %(end)s") % {
        "first": first,
        "last": format_date(end, "full"),
        "start": hour,
        "end": until,
    }


def paragraphs(text):
    """Plain text with blank lines into escaped <p> paragraphs."""
    if not text:
        return ""
    blocks = [b.strip() for b in str(text).replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("".join(f"<p>{escape(b).replace(chr(10), Markup('<br>'))}</p>" for b in blocks))


def url_with(**changes):
    """The current URL with some query arguments changed (None removes one).

    A shared (cached) page keeps only the arguments it read (webapp/pagecache.py): what
    another visitor added to their URL must not end up in everyone's links.
    """
    kept = g.get("page_args")
    args = dict(kept) if kept is not None else request.args.to_dict()
    args.update(changes)
    args = {k: v for k, v in args.items() if v not in (None, "")}
    if request.endpoint is None:  # an unknown URL (404 page): keep its path as it is
        return f"{request.path}?{urlencode(args)}" if args else request.path
    # The path's own arguments win over a query argument of the same name (/bassins/sud/?bassin=x).
    args.update(request.view_args or {})
    return url_for(request.endpoint, **args)


def init_app(app):
    if app.config.get("TEMPLATE_BYTECODE_CACHE"):
        # Compiled templates kept on disk (checked against their source) for the next app of
        # the same machine: tests build one app per test, each would compile every page again.
        from jinja2 import FileSystemBytecodeCache

        app.jinja_env.bytecode_cache = FileSystemBytecodeCache()
    app.jinja_env.filters.update(
        when=when,
        paragraphs=paragraphs,
        local=to_local,
        isotime=lambda value: to_local(value).isoformat(timespec="minutes"),
        date_long=lambda value: format_date(to_local(value), "full"),
        date_short=lambda value: format_date(to_local(value), "full"),
        time_short=lambda value: format_time(to_local(value), "short"),
        sector_label=sector_label,
        sector_group_label=sector_group_label,
        mixed_alphabets=mixed_alphabets,
    )
    app.jinja_env.globals.update(
        KINDS=KINDS,
        AUDIENCES=AUDIENCES,
        EVENT_STATUSES=EVENT_STATUSES,
        REGISTRATION_MODES=REGISTRATION_MODES,
        MEETING_MODES=MEETING_MODES,
        PLACE_MODES=PLACE_MODES,
        ACCOMMODATION_NEEDS=ACCOMMODATION_NEEDS,
        ACCOMMODATION_STATUSES=ACCOMMODATION_STATUSES,
        url_with=url_with,
        nav_bassins=bassin_names,
        has_endpoint=lambda endpoint: endpoint in app.view_functions,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
