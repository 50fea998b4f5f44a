"""Stores for rendered bodies (feeds, public pages), in process memory or in Redis.

Every key already names the data it was built from (a data-derived validator), so an entry
can never be served for other data: a store only has to forget old entries, never to be
told that something changed. Memory is per worker; Redis (CACHE_URL) is shared by all. For
large bodies (feeds of megabytes, whose Redis GET costs more than the rest of the request),
a store may keep a bounded copy in process memory in front of Redis: for the same reason it
is never stale.
"""

import logging
from collections import OrderedDict
from threading import Lock

from flask import current_app

from webapp.extensions import redis_options

logger = logging.getLogger(__name__)


class MemoryCache:
    """A bounded LRU: old keys (older data, older minutes) simply fall out.

    At most `size` entries and, with `max_bytes`, about that many bytes of values (the newest
    entry is kept even when it alone is larger).
    """

    def __init__(self, size=64, max_bytes=None):
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self.items = OrderedDict()
        self.lock = Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    in_memory = get

    def set(self, key, value):
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.bytes -= len(old)
            self.items[key] = value
            self.bytes += len(value)
            while len(self.items) > self.size or (
                self.max_bytes is not None and self.bytes > self.max_bytes and len(self.items) > 1
            ):
                _key, dropped = self.items.popitem(last=False)
                self.bytes -= len(dropped)


class RedisCache:
    """Bodies in Redis under a prefix, shared by every worker; entries expire on their own.

    A Redis that is down, or frozen past `timeout` seconds, is only a miss: the page is
    rendered and served without its cache (one warning when Redis stops answering, one line
    when it answers again)."""

    def __init__(self, url, prefix, ttl, timeout=0.25):
        import redis

        self.client = redis.Redis.from_url(url, **redis_options(timeout))
        self.prefix = prefix
        self.ttl = ttl
        self.failing = False

    def get(self, key):
        return self._ask(self.client.get, f"{self.prefix}:{key}")

    def in_memory(self, key):
        """Nothing is held in this process."""
        return None

    def set(self, key, value):
        self._ask(self.client.set, f"{self.prefix}:{key}", value, ex=self.ttl)

    def _ask(self, command, *args, **kwargs):
        try:
            answer = command(*args, **kwargs)
        except Exception as error:  # a cache that does not answer is only a miss
            if not self.failing:
                self.failing = True
                logger.warning(
                    "cache %s: Redis does not answer (%s); serving without it",
                    self.prefix,
                    type(error).__name__,
                )
            return None
        if self.failing:
            self.failing = False
            logger.info("cache %s: Redis answers again", self.prefix)
        return answer


class NearCache:
    """A worker's memory in front of Redis: a body read once from Redis (or built here) is
    served from memory afterwards, without a round trip; Redis still shares it with the other
    workers and machines."""

    def __init__(self, near: MemoryCache, far: RedisCache):
        self.near = near
        self.far = far

    def get(self, key):
        value = self.near.get(key)
        if value is None:
            value = self.far.get(key)
            if value is not None:
                self.near.set(key, value)
        return value

    def in_memory(self, key):
        """The value held in this process, without asking Redis."""
        return self.near.get(key)

    def set(self, key, value):
        self.near.set(key, value)
        self.far.set(key, value)


def body_store(name, size, ttl, near_bytes=None):
    """The app's store called `name` (made on first use): Redis when CACHE_URL is set.

    `near_bytes`: the store keeps up to that many bytes of bodies in process memory too (in
    front of Redis, or as the memory store's bound).
    """
    extension_name = f"{name}_cache"
    store = current_app.extensions.get(extension_name)
    if store is None:
        url = current_app.config.get("CACHE_URL")
        timeout = current_app.config.get("REDIS_TIMEOUT", 0.25)
        memory = MemoryCache(size, near_bytes)
        if not url:
            store = memory
        elif near_bytes:
            store = NearCache(memory, RedisCache(url, name, ttl, timeout))
        else:
            store = RedisCache(url, name, ttl, timeout)
        current_app.extensions[extension_name] = store
    return store
