"""A Redis cache whose outage costs milliseconds, not the web (issue #12 item 6).

The cache only holds what can be lost: API throttle counters (the outbox claims its rows in
PostgreSQL, core.outbox). No security control lives here — login lockout is
in the database (org.lockout). So when Redis is unreachable or frozen the cache
**fails open**: a read is a miss, a write is dropped, ``add`` refuses, and a warning is
logged. For rate limits that means a token is not throttled while Redis is away; that is
the one thing this trades, on purpose, for staying up.

It also fails *fast*:
- short socket timeouts (``REDIS_CACHE_TIMEOUT`` in settings, a quarter of a second) bound
  the first failed call;
- a circuit breaker then skips Redis altogether for ``breaker_seconds`` (a cache
  ``OPTIONS`` key, ``REDIS_BREAKER_SECONDS`` in settings): calls in that time fall back at
  once without touching the network. The first call after it tries Redis again and either
  closes the breaker or trips it for another period.
One breaker per server and process, shared by its threads (Django builds a cache object
per thread).
"""

import logging
import threading
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DEFAULT_BREAKER_SECONDS = 5.0


class CircuitBreaker:
    """Open for ``cooldown`` seconds after a failure; while open, nobody calls Redis."""

    def __init__(self, cooldown: float):
        self.cooldown = cooldown
        self.open_until = 0.0
        self.trips = 0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> None:
        self.open_until = time.monotonic() + self.cooldown
        self.trips += 1


BREAKERS: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str, cooldown: float) -> CircuitBreaker:
    with _breakers_lock:
        return BREAKERS.setdefault(location, CircuitBreaker(cooldown))


def tolerant(fallback):
    """Return ``fallback(*args, **kwargs)`` instead of raising (or waiting) when Redis fails."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if self.breaker.is_open():
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as error:
                self.breaker.trip()
                logger.warning(
                    "Cache unavailable, %s ignored, Redis skipped for %ss: %s",
                    method.__name__,
                    self.breaker.cooldown,
                    error,
                )
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def nothing(*args, **kwargs):
    return None


def refused(*args, **kwargs):
    return False


def get_default(key, default=None, version=None):
    return default


def no_values(*args, **kwargs):
    return {}


def keys_unsaved(data, *args, **kwargs):
    return list(data)


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        cooldown = float(options.pop("breaker_seconds", DEFAULT_BREAKER_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(str(server), cooldown)

    add = tolerant(refused)(RedisCache.add)
    get = tolerant(get_default)(RedisCache.get)
    set = tolerant(nothing)(RedisCache.set)
    touch = tolerant(refused)(RedisCache.touch)
    delete = tolerant(refused)(RedisCache.delete)
    get_many = tolerant(no_values)(RedisCache.get_many)
    has_key = tolerant(refused)(RedisCache.has_key)
    set_many = tolerant(keys_unsaved)(RedisCache.set_many)
    delete_many = tolerant(nothing)(RedisCache.delete_many)
    clear = tolerant(refused)(RedisCache.clear)
