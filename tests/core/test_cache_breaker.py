"""Throttles fail fast and open (issue #12 item 6): with the cache's Redis frozen, killed or
back again, token requests are served and only the first failure waits for Redis; the
circuit breaker keeps every later request off the network until its cooldown ends."""

import time

import pytest
from django.core.cache import cache

from core.cache import BREAKERS
from org.services import api_token_issue

pytestmark = pytest.mark.django_db
REQUESTS = 20


@pytest.fixture
def cache_on(settings, private_redis):
    """Point the default cache at the private server with the given breaker cooldown."""

    def configure(breaker_seconds):
        BREAKERS.clear()
        settings.CACHES = {
            "default": {
                "BACKEND": "core.cache.TolerantRedisCache",
                "LOCATION": private_redis.url,
                "OPTIONS": {**settings.REDIS_TIMEOUTS, "breaker_seconds": breaker_seconds},
            }
        }
        cache.set("warm", 1)  # a pooled connection exists before Redis misbehaves
        return BREAKERS[private_redis.url]

    yield configure
    BREAKERS.clear()


@pytest.fixture
def token_client(admin, client):
    _token, key = api_token_issue(name="HH-07", kind="device", user=admin, actor=admin)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def commands_seen(server) -> int:
    """GET and SET commands the real server has processed so far (throttle reads/writes)."""
    stats = server.client().info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("get", "set"))


def test_settings_bound_a_redis_call_to_a_fraction_of_a_second(settings):
    assert settings.REDIS_TIMEOUTS["socket_timeout"] <= 0.25
    assert settings.REDIS_TIMEOUTS["socket_connect_timeout"] <= 0.25
    assert settings.REDIS_BREAKER_SECONDS > 0


def test_a_frozen_redis_is_tried_once_then_skipped(cache_on, private_redis, token_client):
    breaker = cache_on(breaker_seconds=300)
    before = commands_seen(private_redis)
    private_redis.freeze()
    try:
        statuses = [token_client.get("/api/v1/ledger/").status_code for _ in range(REQUESTS)]
        assert breaker.is_open() and breaker.trips == 1
    finally:
        private_redis.thaw()
    assert statuses == [200] * REQUESTS
    # One GET was sent before the breaker opened (Redis reads it once thawed); no other.
    assert commands_seen(private_redis) - before <= 1


def test_a_killed_redis_is_skipped_and_used_again_when_back(cache_on, private_redis, token_client):
    breaker = cache_on(breaker_seconds=0.2)
    private_redis.stop()
    assert token_client.get("/api/v1/ledger/").status_code == 200
    assert breaker.trips == 1
    private_redis.start()
    while breaker.is_open():  # the cooldown ends; the next call tries Redis again
        time.sleep(0.05)
    assert token_client.get("/api/v1/ledger/").status_code == 200
    assert breaker.trips == 1 and not breaker.is_open()
    assert private_redis.client().keys("*throttle_token_*")  # the throttle counts again
