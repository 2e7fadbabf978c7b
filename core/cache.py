"""The shared cache, failing soft: a Redis outage makes pages slower, never broken.

Every cache read and write in Orderline is an optimisation over the database (tenant
resolution, the bell's unread count, rate limits). ``FailSoftRedisCache`` is Django's
``RedisCache`` whose operations catch Redis connection errors and timeouts, log them
and answer as a cache miss would: ``get`` returns the default, ``set``/``delete`` do
nothing, ``incr`` starts counting again from ``delta`` (rate limits open rather than
lock everyone out). After a failure the cache is skipped for ``DOWN_SECONDS`` (5 by
default) in this process, so a dead Redis costs one short timeout now and then, not one
per call; the short connect/socket timeouts come from ``OPTIONS`` (settings/base.py).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# Location -> monotonic time until which the cache is not tried (shared by all threads:
# Django keeps one backend instance per thread).
_down_until = {}
_lock = threading.Lock()


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_seconds = float(params.get("DOWN_SECONDS", 5))
        self._location = server if isinstance(server, str) else ",".join(server)

    # --- the circuit ----------------------------------------------------------------

    def is_down(self):
        until = _down_until.get(self._location)
        return until is not None and time.monotonic() < until

    def _failed(self, operation, exc):
        with _lock:
            was_down = self._location in _down_until
            _down_until[self._location] = time.monotonic() + self._down_seconds
        if was_down:
            log.info("cache still unavailable (%s): %s", operation, exc)
        else:
            log.warning("cache unavailable, falling back to the database (%s): %s",
                        operation, exc)

    def _recovered(self):
        if self._location in _down_until:
            with _lock:
                if _down_until.pop(self._location, None) is not None:
                    log.warning("cache available again")

    def _soft(self, operation, call, fallback):
        if self.is_down():
            return fallback
        try:
            result = call()
        except UNAVAILABLE as exc:
            self._failed(operation, exc)
            return fallback
        self._recovered()
        return result

    # --- the operations -------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("add", lambda: super(FailSoftRedisCache, self).add(
            key, value, timeout, version), False)

    def get(self, key, default=None, version=None):
        return self._soft("get", lambda: super(FailSoftRedisCache, self).get(
            key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("set", lambda: super(FailSoftRedisCache, self).set(
            key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("touch", lambda: super(FailSoftRedisCache, self).touch(
            key, timeout, version), False)

    def delete(self, key, version=None):
        return self._soft("delete", lambda: super(FailSoftRedisCache, self).delete(
            key, version), False)

    def get_many(self, keys, version=None):
        return self._soft("get_many", lambda: super(FailSoftRedisCache, self).get_many(
            keys, version), {})

    def has_key(self, key, version=None):
        return self._soft("has_key", lambda: super(FailSoftRedisCache, self).has_key(
            key, version), False)

    def incr(self, key, delta=1, version=None):
        # ValueError (a missing key) still propagates, as Django's contract says.
        return self._soft("incr", lambda: super(FailSoftRedisCache, self).incr(
            key, delta, version), delta)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        data = dict(data)
        return self._soft("set_many", lambda: super(FailSoftRedisCache, self).set_many(
            data, timeout, version), list(data))

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._soft("delete_many", lambda: super(FailSoftRedisCache, self).delete_many(
            keys, version), None)

    def clear(self):
        return self._soft("clear", lambda: super(FailSoftRedisCache, self).clear(), False)
