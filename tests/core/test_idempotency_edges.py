"""Idempotency-Key edge cases: handhelds authenticated by token are told apart by their
token, and a request that crashes keeps neither its key nor its writes, so the retry books."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.idempotency import REPLAYED_HEADER
from core.models import IdempotencyKey
from inventory import services
from inventory.api.views import ReceiveView
from inventory.models import LedgerEntry
from org.services import api_token_issue
from tests.builders import location
from tests.factories import MaterialFactory, UserFactory

pytestmark = pytest.mark.django_db

RECEIVE = "/api/v1/stock/receive/"
BODY = {"material": "M1", "location": "A", "quantity": "5"}


@pytest.fixture
def stock(db):
    MaterialFactory(code="M1")
    location("A")


def handheld(username, device):
    user = UserFactory(username=username, is_superuser=True)
    _token, raw_key = api_token_issue(
        name=device, kind="device", user=user, actor=user, device_id=device
    )
    client = APIClient(HTTP_X_DEVICE_ID=device)
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw_key}")
    return client


def test_two_handhelds_sending_the_same_key_both_book(stock):
    first, second = handheld("keeper-a", "HH-31"), handheld("keeper-b", "HH-32")
    for client in (first, second):
        response = client.post(RECEIVE, BODY, format="json", HTTP_IDEMPOTENCY_KEY="step-1")
        assert response.status_code == 201 and REPLAYED_HEADER not in response
    assert LedgerEntry.objects.count() == 2
    assert IdempotencyKey.objects.filter(key="step-1").count() == 2


def test_a_crashed_request_keeps_nothing_and_its_retry_books_once(stock, monkeypatch):
    def receive_then_crash(**kwargs):
        services.stock_receive(**kwargs)
        raise RuntimeError("worker lost mid-request")

    client = Client(HTTP_X_DEVICE_ID="HH-33", raise_request_exception=False)
    client.force_login(UserFactory(username="keeper-c", is_superuser=True))

    def post():
        return client.post(
            RECEIVE, BODY, content_type="application/json", HTTP_IDEMPOTENCY_KEY="crash-1"
        )

    monkeypatch.setattr(ReceiveView, "service", staticmethod(receive_then_crash))
    assert post().status_code == 500
    assert not LedgerEntry.objects.exists() and not IdempotencyKey.objects.exists()

    monkeypatch.undo()
    retry = post()
    assert retry.status_code == 201 and REPLAYED_HEADER not in retry
    assert LedgerEntry.objects.count() == 1
    assert IdempotencyKey.objects.get(key="crash-1").status_code == 201
