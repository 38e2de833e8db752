"""Issue #12 defect 5: an Idempotency-Key keeps only final outcomes. A 2xx and the refusals
the same body always gets (400, 404, 405, 413, 422) are replayed; a 401, 403, 409, 429 or
5xx may change, so the key is released and the retry runs the work."""

import pytest
from rest_framework.test import APIClient

from core.api.authentication import TokenRateThrottle
from core.idempotency import REPLAYED_HEADER, is_final
from core.models import IdempotencyKey
from inventory.models import LedgerEntry
from org.services import api_token_issue
from tests.builders import location, receive
from tests.factories import (
    BomFactory,
    BomLineFactory,
    MaterialFactory,
    UserFactory,
    WorkshopFactory,
)
from workorders.services.lifecycle import work_order_create, work_order_release

pytestmark = pytest.mark.django_db

RECEIVE = "/api/v1/stock/receive/"
BODY = {"material": "M1", "location": "A", "quantity": "5"}


@pytest.fixture
def material():
    location("A")
    return MaterialFactory(code="M1")


@pytest.fixture
def keeper():
    return UserFactory(username="keeper", is_superuser=True)


def session_of(user):
    client = APIClient()
    client.force_login(user)
    return client


def send(client, url=RECEIVE, body=BODY, key="k-1"):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.parametrize(
    "status, final",
    [
        (200, True),
        (201, True),
        (204, True),
        (400, True),
        (404, True),
        (405, True),
        (413, True),
        (422, True),
        (401, False),
        (403, False),
        (409, False),
        (429, False),
        (500, False),
        (503, False),
        (302, False),
    ],
)
def test_which_outcomes_are_final(status, final):
    assert is_final(status) is final


def test_a_404_is_stored_and_replayed(keeper, material):
    client = session_of(keeper)
    body = {"lines": [{"material": "M1", "quantity": "1", "location": "A"}]}
    first = send(client, url="/api/v1/work-orders/999999/issue/", body=body)
    second = send(client, url="/api/v1/work-orders/999999/issue/", body=body)
    assert first.status_code == second.status_code == 404
    assert second[REPLAYED_HEADER] == "true"


def test_a_401_is_not_stored(material):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert send(client).status_code == 401
    assert not IdempotencyKey.objects.exists()
    assert REPLAYED_HEADER not in send(client)


def test_a_403_is_not_stored_and_the_retry_books_once_allowed(material):
    clerk = UserFactory(username="clerk")
    client = session_of(clerk)
    assert send(client).status_code == 403
    assert not IdempotencyKey.objects.exists()
    clerk.is_superuser = True  # an admin grants the right meanwhile
    clerk.save()
    retried, again = send(client), send(client)
    assert retried.status_code == 201 and REPLAYED_HEADER not in retried
    assert again[REPLAYED_HEADER] == "true" and LedgerEntry.objects.count() == 1


def test_a_409_is_not_stored_and_the_retry_runs_once_the_state_allows(keeper, material):
    receive(material, location("B"), 10, keeper)
    bom = BomFactory(product=MaterialFactory(code="CHAIR"), version=1)
    BomLineFactory(bom=bom, material=material, qty_per_unit=2, loss_pct=0)
    work_order = work_order_create(
        number="WO-9",
        product=bom.product,
        bom=bom,
        planned_qty=10,
        workshop=WorkshopFactory(),
        actor=keeper,
    )
    url = f"/api/v1/work-orders/{work_order.pk}/issue/"
    body = {"lines": [{"material": "M1", "quantity": "3", "location": "B"}]}
    client = session_of(keeper)
    assert send(client, url=url, body=body).status_code == 409  # still planned
    assert not IdempotencyKey.objects.exists()
    work_order_release(work_order=work_order, actor=keeper)
    assert send(client, url=url, body=body).status_code == 201
    assert LedgerEntry.objects.filter(doc_type="issue").count() == 1


def test_a_429_is_not_stored_and_the_retry_books_once_the_budget_allows(
    keeper, material, monkeypatch
):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "1/min"})
    _token, raw_key = api_token_issue(name="HH-1", kind="device", user=keeper, actor=keeper)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw_key}")
    assert send(client, key="first").status_code == 201
    assert send(client).status_code == 429
    assert not IdempotencyKey.objects.filter(key="k-1").exists()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "100/min"})
    assert send(client).status_code == 201
    assert LedgerEntry.objects.count() == 2
