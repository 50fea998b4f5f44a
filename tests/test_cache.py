"""Body stores: the memory LRU and Redis (shared by workers; a Redis that is down is a miss)."""

import uuid

import pytest

from webapp.cache import MemoryCache, RedisCache
from webapp.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return REDIS_URL


def test_memory_cache_forgets_the_least_recently_used():
    cache = MemoryCache(size=2)
    cache.set("a", b"1")
    cache.set("b", b"2")
    assert cache.get("a") == b"1"  # a is now the most recent
    cache.set("c", b"3")
    assert cache.get("b") is None
    assert cache.get("a") == b"1"
    assert cache.get("c") == b"3"


def test_redis_cache_keeps_bodies_under_its_prefix_with_an_expiry(redis_url):
    import redis

    key = uuid.uuid4().hex
    cache = RedisCache(redis_url, "page", ttl=120)
    cache.set(key, b"<html>")
    assert cache.get(key) == b"<html>"
    assert RedisCache(redis_url, "feed", ttl=120).get(key) is None
    client = redis.Redis.from_url(redis_url)
    assert 0 < client.ttl(f"page:{key}") <= 120
    client.delete(f"page:{key}")


def test_a_redis_that_does_not_answer_is_only_a_miss():
    cache = RedisCache("redis://127.0.0.1:1/0", "page", ttl=120)
    cache.set("k", b"body")
    assert cache.get("k") is None


@pytest.fixture
def app_config(redis_url):
    return {"CACHE_URL": redis_url}


def test_two_workers_share_pages_through_redis(app, make_event, client):
    from tests.conftest import make_config
    from webapp import create_app

    event = make_event(title="Grand Bain 2027")
    url = f"/events/{event.id}"
    first = client.get(url)
    other_worker = create_app(
        make_config(app.config["SQLALCHEMY_DATABASE_URI"], CACHE_URL=REDIS_URL)
    )
    with other_worker.test_client() as other:
        again = other.get(url, headers={"If-None-Match": '"nope"'})
        store = other_worker.extensions["page_cache"]
    with other_worker.app_context():
        db.engine.dispose()
    assert again.data == first.data
    assert store.get(first.headers["ETag"].strip('"')) == first.data


def test_memory_cache_keeps_about_its_byte_budget_and_always_the_newest():
    cache = MemoryCache(size=10, max_bytes=10)
    cache.set("a", b"1234")
    cache.set("b", b"5678")
    cache.set("c", b"90ab")  # 12 bytes: the least recently used goes
    assert cache.get("a") is None
    assert cache.get("b") == b"5678" and cache.get("c") == b"90ab"
    cache.set("b", b"x")  # replacing a value counts its new size only
    cache.set("d", b"yyyy")
    assert cache.bytes == 9 and cache.get("c") == b"90ab"
    cache.set("big", b"z" * 50)  # alone over the budget: kept, everything else goes
    assert cache.get("big") == b"z" * 50
    assert list(cache.items) == ["big"] and cache.bytes == 50


def test_a_near_cache_serves_from_memory_what_redis_shared(redis_url):
    import redis

    from webapp.cache import NearCache

    key = uuid.uuid4().hex
    one = NearCache(MemoryCache(4), RedisCache(redis_url, "feed", ttl=120))
    other = NearCache(MemoryCache(4), RedisCache(redis_url, "feed", ttl=120))
    one.set(key, b"BEGIN:VCALENDAR")
    assert other.in_memory(key) is None
    assert other.get(key) == b"BEGIN:VCALENDAR"  # from Redis, then kept
    redis.Redis.from_url(redis_url).delete(f"feed:{key}")
    assert other.get(key) == b"BEGIN:VCALENDAR"
    assert other.in_memory(key) == b"BEGIN:VCALENDAR"
    assert RedisCache(redis_url, "feed", ttl=120).in_memory(key) is None


def test_the_feed_store_keeps_bodies_in_memory_in_front_of_redis(app, make_event, client):
    from webapp.cache import NearCache

    make_event()
    response = client.get("/bassins/sud/agenda.ics")
    store = app.extensions["feed_cache"]
    assert isinstance(store, NearCache)
    etag = response.headers["ETag"].strip('"')
    assert store.in_memory(etag) == response.data
    assert store.far.get(etag) == response.data
