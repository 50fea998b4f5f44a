"""The embeddable agenda of one bassin: a compact list for partner sites' iframes, no cookies."""

from flask import abort, g, render_template, request
from sqlalchemy import select

from webapp.agenda.models import Bassin
from webapp.agenda.queries import agenda_page, known_filter_values, parse_filters
from webapp.api import bp
from webapp.content_state import remembered
from webapp.extensions import db
from webapp.hygiene import frameable
from webapp.pagecache import PageArgs, cached_page

EMBED_SIZE = 10
# Partner sites' visitors may be served a copy up to five minutes old by proxies.
EMBED_CACHE_CONTROL = "public, max-age=300"


def _size():
    """How many events the partner asked for (`limit`, 1 to 50)."""
    try:
        return min(max(int(request.args.get("limit", EMBED_SIZE)), 1), 50)
    except ValueError:
        return EMBED_SIZE


def embed_args(generation, bassin):
    """How the embed reads its query string: the filters parse_filters keeps, and the size."""
    known = remembered(generation, known_filter_values)
    parsed = parse_filters(request.args, bassin=bassin, known=known)
    kept = {k: v for k, v in parsed.filters.as_args().items() if k != "bassin"}
    return PageArgs({**kept, "limit": str(_size())})


@bp.get("/embed/bassins/<bassin>")
@frameable
@cached_page(cache_control=EMBED_CACHE_CONTROL, args=embed_args)
def embed_bassin(bassin):
    g.cookieless = True
    found = db.session.scalar(select(Bassin).where(Bassin.slug == bassin))
    if found is None:
        abort(404)
    parsed = parse_filters(request.args, bassin=found.slug)
    page = agenda_page(parsed.filters, 1, _size())
    page_args = {k: v for k, v in parsed.filters.as_args().items() if k != "bassin"}
    response = render_template("embed/bassin.html", bassin=found, page=page, page_args=page_args)
    return response, 200, {"Cache-Control": EMBED_CACHE_CONTROL}
