"""The last line of defence (issue #12 deliverable 1): a real deadlock, forced through a
second connection on the first attempt, is retried when the service or the Idempotency-Key
middleware owns the outermost transaction, and booked once; inside a caller's transaction it
goes up to the caller."""

import json
import logging
from decimal import Decimal

import pytest
from django.db import OperationalError, transaction
from django.test import Client

from audit.models import ChainHead
from audit.services import stream_for
from core.models import IdempotencyKey
from inventory.models import LedgerEntry, StockBalance
from inventory.services import stock_receive
from tests.builders import location, receive
from tests.concurrency import backend_pid, deadlock_once
from tests.factories import MaterialFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stock():
    """10 of M1 on shelf A (so the balance row and the audit chain head exist)."""
    keeper = UserFactory(username="keeper", is_superuser=True)
    material, shelf = MaterialFactory(code="M1"), location("A")
    receive(material, shelf, 10, keeper)
    return keeper, material, shelf


def deadlock_against_this_connection(material, shelf, stream=0):
    """The other transaction takes the head of our audit stream, then the balance row we
    hold."""
    ChainHead.objects.get_or_create(stream=stream)
    return deadlock_once(
        victim_pid=backend_pid(),
        first=lambda: ChainHead.objects.select_for_update().get(stream=stream),
        then=lambda: StockBalance.objects.select_for_update().get(
            material=material, location=shelf
        ),
    )


def retries(caplog):
    return [r for r in caplog.records if r.name == "core.transactions" and "retrying" in r.message]


def test_a_service_owning_the_transaction_retries_a_deadlock_and_books_once(stock, caplog):
    keeper, material, shelf = stock
    other = deadlock_against_this_connection(material, shelf)

    entries = stock_receive(material=material, location=shelf, quantity=Decimal(5), actor=keeper)

    other.join()
    assert other.error is None and len(retries(caplog)) == 1
    assert LedgerEntry.objects.filter(doc_id=entries[0].doc_id).count() == 1
    assert LedgerEntry.objects.count() == 2
    assert StockBalance.objects.get(material=material).quantity == Decimal(15)


def test_inside_a_callers_transaction_the_deadlock_goes_to_the_caller(stock, caplog):
    keeper, material, shelf = stock
    other = deadlock_against_this_connection(material, shelf)

    with pytest.raises(OperationalError, match="deadlock detected"), transaction.atomic():
        stock_receive(material=material, location=shelf, quantity=Decimal(5), actor=keeper)

    other.join()
    assert other.error is None and retries(caplog) == []
    assert LedgerEntry.objects.count() == 1


def test_the_idempotency_middleware_retries_the_whole_request_once(stock, caplog):
    keeper, material, shelf = stock
    client = Client(raise_request_exception=False)
    client.force_login(keeper)
    body = json.dumps({"material": "M1", "location": "A", "quantity": "5"})
    caplog.set_level(logging.WARNING)
    other = deadlock_against_this_connection(material, shelf, stream_for("req-d-1"))

    response = client.post(
        "/api/v1/stock/receive/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="d-1",
        HTTP_X_REQUEST_ID="req-d-1",
    )

    other.join()
    assert response.status_code == 201, response.content
    assert other.error is None and len(retries(caplog)) == 1
    assert IdempotencyKey.objects.get(key="d-1").status_code == 201
    assert LedgerEntry.objects.count() == 2
    assert StockBalance.objects.get(material=material).quantity == Decimal(15)
