"""Idempotency-Key: a retried POST replays its response and never books twice."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.idempotency import idempotency_keys_purge
from core.models import IdempotencyKey
from inventory.models import LedgerEntry
from tests.builders import location
from tests.factories import MaterialFactory, UserFactory

RECEIVE = "/api/v1/stock/receive/"


def client_for(user):
    client = Client(HTTP_X_DEVICE_ID="HH-01")
    client.force_login(user)
    return client


def post(client, body, key):
    return client.post(
        RECEIVE, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


@pytest.fixture
def receipt(db):
    MaterialFactory(code="M1")
    location("A")
    return {"material": "M1", "location": "A", "quantity": "5"}


@pytest.fixture
def keeper(db):
    return UserFactory(username="keeper", is_superuser=True)


def test_same_key_same_body_replays_and_books_once(keeper, receipt):
    client = client_for(keeper)
    first, second = post(client, receipt, "k-1"), post(client, receipt, "k-1")
    assert first.status_code == second.status_code == 201
    assert first.content == second.content and second["Idempotent-Replayed"] == "true"
    assert LedgerEntry.objects.count() == 1


def test_same_key_other_body_is_422_and_writes_nothing(keeper, receipt):
    client = client_for(keeper)
    post(client, receipt, "k-1")
    response = post(client, {**receipt, "quantity": "6"}, "k-1")
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert LedgerEntry.objects.count() == 1


def test_errors_are_replayed_too(keeper, receipt):
    client = client_for(keeper)
    bad = {**receipt, "quantity": "0"}
    first, second = post(client, bad, "k-bad"), post(client, bad, "k-bad")
    assert first.status_code == second.status_code == 400 and first.content == second.content


def test_keys_are_per_caller(receipt):
    one = client_for(UserFactory(username="k1", is_superuser=True))
    two = client_for(UserFactory(username="k2", is_superuser=True))
    assert post(one, receipt, "shared").status_code == 201
    assert "Idempotent-Replayed" not in post(two, receipt, "shared")
    assert LedgerEntry.objects.count() == 2


def test_keys_are_kept_at_least_a_day_then_purged(keeper, receipt, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 1  # too short: 24 h is the floor
    post(client_for(keeper), receipt, "k-old")
    assert idempotency_keys_purge(now=timezone.now() + timedelta(hours=23)) == 0
    assert idempotency_keys_purge(now=timezone.now() + timedelta(hours=25)) == 1
    assert not IdempotencyKey.objects.exists()


def test_without_a_key_every_post_books(keeper, receipt):
    client = client_for(keeper)
    client.post(RECEIVE, receipt, content_type="application/json")
    client.post(RECEIVE, receipt, content_type="application/json")
    assert LedgerEntry.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_book_once():
    keeper = UserFactory(username="keeper", is_superuser=True)
    MaterialFactory(code="M1")
    location("A")
    body = {"material": "M1", "location": "A", "quantity": "5"}
    responses, start = [], threading.Barrier(4)

    def send():
        try:
            client = client_for(keeper)
            start.wait()
            responses.append(post(client, body, "same-key"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.content for r in responses}) == 1
    assert LedgerEntry.objects.count() == 1
