"""HTTP caching of the feeds: validators derived from the data, 304s, and a body cache.

Freshness is decided by the database alone: the ETag is a hash of what the feed asks for
(path, filters, language, window) and of the content generation (webapp/content_state.py),
which moves with every change a public page or feed shows and not with registrations (feeds
show no places). Reading it is the one indexed read of a cached page, so a 304 costs that.
The Last-Modified is when the generation last moved. Any worker on any machine computes the
same ETag for the same data, so a 304 is never stale. The body cache is keyed by that ETag:
an entry can only ever be served for the data it was built from, so it may live in process
memory (and in Redis when CACHE_URL is set, shared by all workers). A public feed's answer is
then given again in front of the app while its state holds (webapp/feeds/kept.py).

The personal feed, which follows registrations, keeps a validator of its own events'
state (`validator_for`).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, request
from sqlalchemy import func, select

from webapp.agenda.models import Event
from webapp.agenda.queries import public_event_where
from webapp.cache import body_store
from webapp.content_state import Snapshot, current_state
from webapp.extensions import db
from webapp.feeds.kept import STATE_KEY, Keep, keep_answer

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Calendar clients poll hourly (REFRESH-INTERVAL); proxies may keep a copy for a few minutes.
CACHE_CONTROL = "public, max-age=300, must-revalidate"
# Bump when the feed's format changes, so that no old body is served under a new code.
FORMAT_VERSION = "2"  # 2: event URLs carry the feed's language
# Bodies a worker keeps in its own memory (in front of Redis when CACHE_URL is set): a feed
# of 5,000 events is 4 MB, whose Redis GET costs several times the rest of the request.
NEAR_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Validator:
    etag: str
    last_modified: datetime | None


def _change_times_sum():
    """A number that moves with every change, even one stamped older than the newest.

    On PostgreSQL (several machines, clocks that may differ a little) the sum of the change
    times; on SQLite (one machine, one clock, text dates costly to sum) sequences and ids.
    """
    if db.engine.dialect.name == "postgresql":
        return func.sum(func.extract("epoch", Event.updated_at))
    return func.total(Event.sequence) + func.total(Event.id) * 1e-6


def data_state(where=None):
    """(count, newest change, sum of change times) of the events, in one query."""
    stmt = select(func.count(Event.id), func.max(Event.updated_at), _change_times_sum())
    if where is not None:
        stmt = stmt.where(where)
    count, newest, total = db.session.execute(stmt).one()
    return count, newest, total


def validator_for(*parts, where=None, since=None) -> Validator:
    """The validator of a feed: what it asks for (parts) and the state of the events.

    `since` is when the feed's own window last moved (its content changes then too): the
    Last-Modified is never older, so If-Modified-Since alone cannot keep a stale copy.
    """
    count, newest, total = data_state(where)
    key = "|".join([FORMAT_VERSION, *(str(p) for p in parts), str(count), str(newest), repr(total)])
    if since is not None and (newest is None or since > newest):
        newest = since
    return Validator(hashlib.sha256(key.encode()).hexdigest()[:32], newest)


def content_validator(snapshot: Snapshot, *parts, since=None) -> Validator:
    """The validator of a public feed: what it asks for (parts) and the content generation.

    `since` is when the feed's own window last moved: the Last-Modified is never older.
    """
    key = "|".join([FORMAT_VERSION, *(str(p) for p in parts), f"g{snapshot.generation}"])
    modified = snapshot.changed_at
    if since is not None and (modified is None or since > modified):
        modified = since
    return Validator(hashlib.sha256(key.encode()).hexdigest()[:32], modified)


def is_fresh(validator: Validator) -> bool:
    """Whether the client's copy (If-None-Match, else If-Modified-Since) is still good."""
    return fresh_for(validator, request.if_none_match, request.if_modified_since)


def fresh_for(validator: Validator, if_none_match, if_modified_since) -> bool:
    """`is_fresh` for the request's parsed If-None-Match (ETags) and If-Modified-Since."""
    if if_none_match:
        # Weak comparison (RFC 9110 13.1.2): a proxy that compresses may weaken the tag.
        return if_none_match.contains_weak(validator.etag)
    if if_modified_since and validator.last_modified:
        return validator.last_modified.replace(microsecond=0) <= if_modified_since
    return False


def calendar_response(
    validator: Validator, build, filename="agenda.ics", content_type=CONTENT_TYPE, keep=None
):
    """The feed's response: 304 when the client is fresh, else the (cached) bytes (an
    iCalendar feed unless `content_type` says otherwise: the Atom feeds).

    `build` is called only when no body is cached for this validator. `keep`: (generation,
    window) of a public feed, whose answer the worker may give again by itself while they
    hold (webapp/feeds/kept.py).
    """
    if keep is not None:
        keep_answer(request.environ, Keep(*keep, validator))
    response = current_app.response_class(status=200)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Vary"] = "Accept-Language"
    response.set_etag(validator.etag)
    if validator.last_modified:
        response.last_modified = validator.last_modified.replace(microsecond=0)
    if is_fresh(validator):
        response.status_code = 304
        return response
    body = body_cache().get(validator.etag)
    if body is None:
        body = build()
        body_cache().set(validator.etag, body)
    response.set_data(body)
    response.content_type = content_type
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def body_cache():
    return body_store("feed", size=64, ttl=86400, near_bytes=NEAR_BYTES)


def feed_state(event_id=None) -> Snapshot:
    """The content state a public feed's validator is made of: one indexed read.

    With `event_id`, `event_places` is None when no public event has that id. Without the
    state row (a schema made without it, until the next write adds it) the events' own
    state stands in: slower, never stale. A request that kept.py has already read it for is
    not read for again.
    """
    if event_id is None and has_request_context():
        already = request.environ.get(STATE_KEY)
        if already is not None:
            return already
    snapshot = current_state(event_id)
    if snapshot is not None:
        return snapshot
    where = None
    if event_id is not None:
        where = public_event_where(event_id)
    count, newest, total = data_state(where)
    found = 0 if count else None
    return Snapshot(f"events-{count}-{newest}-{total!r}", newest, found)
