"""A Redis cache whose outage does not take the web down with it.

The cache only holds what can be lost (API throttle counters, the outbox delivery lock), so
when Redis is unreachable a read is a miss, a write is dropped and a warning is logged:
requests keep being served (throttling pauses, outbox delivery waits for the lock).
"""

import logging
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def tolerant(fallback):
    """Return ``fallback(*args, **kwargs)`` instead of raising when Redis fails."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as error:
                logger.warning("Cache unavailable, %s ignored: %s", method.__name__, error)
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
