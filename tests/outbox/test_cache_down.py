"""Redis down (REDIS_URL set, nothing listening) does not take the web down: the cache
misses instead of raising, so pages, throttled API calls and outbox delivery carry on."""

import pytest
from django.core.cache import cache
from django.test import Client

from core.models import OutboxEvent
from core.outbox import outbox_deliver
from org.services import api_token_issue
from tests.core.test_outbox import SECRET, Receiver
from tests.outbox.conftest import waiting_tasks
from tests.outbox.test_dispatch import emit_and_dispatch

pytestmark = pytest.mark.django_db


def test_cache_misses_instead_of_raising(redis_down):
    cache.set("key", 1)
    assert cache.get("key", "missed") == "missed"
    assert cache.add("lock", 1) is False
    assert cache.get_many(["key"]) == {}


def test_pages_and_throttled_api_calls_are_served(redis_down, admin, client):
    _, raw_key = api_token_issue(name="HH-07", kind="device", user=admin, actor=admin)
    response = client.get("/api/v1/ledger/", HTTP_AUTHORIZATION=f"Token {raw_key}")
    assert response.status_code == 200
    assert Client().get("/admin/login/").status_code == 200
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_writes_commit_and_delivery_needs_no_redis(
    redis_down, settings, django_capture_on_commit_callbacks
):
    receiver = Receiver()
    receiver.start()
    settings.ERP_WEBHOOK_URL, settings.ERP_WEBHOOK_SECRET = receiver.url, SECRET
    with django_capture_on_commit_callbacks(execute=True):
        event = emit_and_dispatch()
    assert waiting_tasks().count() == 1  # the task waits for the broker...
    assert outbox_deliver() == 1  # ...but delivery claims its events in the database
    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is not None
    receiver.stop()
