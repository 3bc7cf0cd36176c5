"""A Redis cache that the site survives losing.

Django's RedisCache raises when Redis cannot be reached, so every page (the header reads the
cache) would be a server error. Nothing in the cache is the only copy of anything: a page can
always be computed again. So while Redis is unreachable this backend answers as an empty cache
(a miss, nothing stored), logs a warning, and does not try Redis again for REST_SECONDS, so the
outage costs one request one timeout rather than every request. Rate limits then count nothing:
they are a brake, not a lock, and the site stays open rather than closing to everyone.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

REST_SECONDS = 5

# When Redis last failed, on the monotonic clock; shared by every thread of the process.
_failed_at = None


def _resting():
    return _failed_at is not None and time.monotonic() - _failed_at < REST_SECONDS


class TolerantRedisCache(RedisCache):
    def _attempt(self, operation, fallback, *args, **kwargs):
        global _failed_at
        if _resting():
            return fallback
        try:
            result = operation(*args, **kwargs)
        except (RedisError, OSError) as error:
            _failed_at = time.monotonic()
            log.warning(
                "cache: Redis unreachable, serving without it for %ss: %s", REST_SECONDS, error
            )
            return fallback
        _failed_at = None
        return result

    def get(self, key, default=None, version=None):
        return self._attempt(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._attempt(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(super().has_key, False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Not stored: a caller counting with add-then-incr (rate limits) goes on to incr.
        return self._attempt(super().add, False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().set_many, list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().touch, False, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._attempt(super().incr, delta, key, delta, version)

    def delete(self, key, version=None):
        return self._attempt(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._attempt(super().delete_many, None, keys, version)

    def clear(self):
        return self._attempt(super().clear, False)
