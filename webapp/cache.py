"""Stores for rendered bodies (feeds, public pages), in process memory or in Redis.

Every key already names the data it was built from (a data-derived validator), so an entry
can never be served for other data: a store only has to forget old entries, never to be
told that something changed. Memory is per worker; Redis (CACHE_URL) is shared by all.
"""

from collections import OrderedDict
from contextlib import suppress
from threading import Lock

from flask import current_app


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
    """Bodies in Redis under a prefix, shared by every worker; entries expire on their own."""

    def __init__(self, url, prefix, ttl):
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self.ttl = ttl

    def get(self, key):
        try:
            return self.client.get(f"{self.prefix}:{key}")
        except Exception:  # a cache that does not answer is only a miss
            return None

    def set(self, key, value):
        with suppress(Exception):  # a cache that does not answer is only a miss
            self.client.set(f"{self.prefix}:{key}", value, ex=self.ttl)


def body_store(name, size, ttl):
    """The app's store called `name` (made on first use): Redis when CACHE_URL is set."""
    extension_name = f"{name}_cache"
    store = current_app.extensions.get(extension_name)
    if store is None:
        url = current_app.config.get("CACHE_URL")
        store = RedisCache(url, name, ttl) if url else MemoryCache(size)
        current_app.extensions[extension_name] = store
    return store
