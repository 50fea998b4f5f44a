"""Stores for rendered bodies (feeds, public pages), in process memory or in Redis.

Every key already names the data it was built from (a data-derived validator), so an entry
can never be served for other data: a store only has to forget old entries, never to be
told that something changed. Memory is per worker; Redis (CACHE_URL) is shared by all.
"""

import logging
from collections import OrderedDict
from threading import Lock

from flask import current_app

from webapp.extensions import redis_options

logger = logging.getLogger(__name__)


class MemoryCache:
    """A bounded LRU: old keys (older data, older minutes) simply fall out."""

    def __init__(self, size=64):
        self.size = size
        self.items = OrderedDict()
        self.lock = Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key, value):
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


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


def body_store(name, size, ttl):
    """The app's store called `name` (made on first use): Redis when CACHE_URL is set."""
    extension_name = f"{name}_cache"
    store = current_app.extensions.get(extension_name)
    if store is None:
        url = current_app.config.get("CACHE_URL")
        timeout = current_app.config.get("REDIS_TIMEOUT", 0.25)
        store = RedisCache(url, name, ttl, timeout) if url else MemoryCache(size)
        current_app.extensions[extension_name] = store
    return store
