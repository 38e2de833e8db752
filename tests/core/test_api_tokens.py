"""Per-device / per-integration API tokens: hashed, revocable, throttled, device recorded."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from core.api.authentication import TokenRateThrottle
from core.models import ApiToken
from org.services import api_token_issue, api_token_revoke
from tests.builders import location
from tests.factories import MaterialFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    keeper = UserFactory(username="keeper", is_superuser=True)
    return api_token_issue(
        name="Handheld 7", kind="device", user=keeper, actor=keeper, device_id="HH-07"
    )


def client_with(raw_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw_key}")
    return client


def test_only_the_hash_is_stored_and_the_key_authenticates(issued):
    token, raw_key = issued
    assert raw_key not in (token.key_hash, token.prefix) and raw_key.startswith(token.prefix)
    assert client_with(raw_key).get("/api/v1/ledger/").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_unknown_and_revoked_tokens_get_401(issued):
    token, raw_key = issued
    assert client_with("nope.nope").get("/api/v1/ledger/").status_code == 401
    api_token_revoke(token=token, actor=token.user)
    response = client_with(raw_key).get("/api/v1/ledger/")
    assert response.status_code == 401 and response.json()["detail"] == "Invalid or revoked token."


def test_the_tokens_device_is_recorded_when_no_header_is_sent(issued):
    _, raw_key = issued
    MaterialFactory(code="M1")
    location("A")
    response = client_with(raw_key).post(
        "/api/v1/stock/receive/",
        {"material": "M1", "location": "A", "quantity": "1"},
        format="json",
    )
    assert response.status_code == 201
    assert AuditEvent.objects.get(action="stock.receive").device_id == "HH-07"


def test_each_token_is_throttled(issued, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    client = client_with(issued[1])
    statuses = [client.get("/api/v1/ledger/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
