"""A Redis that stops, or freezes, is not an outage: the limits are counted in process memory
(a warning logged), pages and feeds are served without their cache, and a registration goes
through. The Redis is a redis-server of the test's own (tests/faults.py)."""

import logging
import threading

import pytest
from sqlalchemy import func, select

from tests.faults import redis_server  # noqa: F401  the fixture
from tests.registrations.test_views import form_data
from webapp.extensions import db
from webapp.registrations.models import Registration

# Far longer than any timeout of ours (REDIS_TIMEOUT is a quarter of a second): only a request
# that waits for Redis itself, without a timeout, is still running after it.
HANG = 20


@pytest.fixture
def app_config(redis_server):  # noqa: F811
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_server.url,
        "CACHE_URL": redis_server.url,
        "PROPAGATE_EXCEPTIONS": False,  # as served: an error is a 500 page, not a traceback
    }


def registrations():
    return db.session.scalar(select(func.count()).select_from(Registration))


def visit(client, event):
    """What a person does: registers, then looks at the agenda, the event and a feed."""
    return [
        client.post(f"/events/{event.id}/register", data=form_data(event.id)).status_code,
        client.get("/").status_code,
        client.get(f"/events/{event.id}").status_code,
        client.get("/agenda.ics").status_code,
        client.get("/api/v1/events").status_code,
    ]


def test_a_stopped_redis_is_not_an_outage(client, make_event, redis_server, caplog):  # noqa: F811
    import redis

    first, second = make_event(capacity=10), make_event(capacity=10)
    assert client.get(f"/events/{first.id}/register").status_code == 200
    redis_server.stop()
    with caplog.at_level(logging.WARNING):
        assert visit(client, first) == [303, 200, 200, 200, 200]
        assert visit(client, second) == [303, 200, 200, 200, 200]
    assert registrations() == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("falling back to in-memory storage" in line for line in warnings), warnings
    assert any("Redis does not answer" in line for line in warnings), warnings
    redis_server.start()  # back: pages are kept in it again
    page = client.get(f"/events/{first.id}")
    key = page.headers["ETag"].strip('"')
    assert redis.Redis.from_url(redis_server.url).get(f"page:{key}") == page.data


def test_limits_still_hold_in_memory_while_redis_is_down(client, make_event, redis_server):  # noqa: F811
    event = make_event(capacity=10)
    redis_server.stop()
    codes = [
        client.post(f"/events/{event.id}/register", data=form_data(1)).status_code for _ in range(7)
    ]
    assert codes == [303, 200, 200, 200, 200, 429, 429]


def within(app, seconds, work):
    """`work()`'s result, or a failure if it still runs after `seconds` (a hung request)."""
    result = []

    def run():
        with app.app_context():
            result.append(work())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return result[0] if result else f"still waiting after {seconds} s"


def test_a_frozen_redis_does_not_freeze_the_site(app, client, make_event, redis_server):  # noqa: F811
    event = make_event(capacity=10)
    assert client.get("/").status_code == 200  # the cache's and the limits' clients connected
    redis_server.freeze()
    try:
        answers = within(app, HANG, lambda: visit(client, event))
    finally:
        redis_server.thaw()
    assert answers == [303, 200, 200, 200, 200]
    assert registrations() == 1
