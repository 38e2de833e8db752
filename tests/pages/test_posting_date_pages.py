"""Posting date on the keeper's pages (issue #17 item 6, R-L6): an optional field, shown
before the confirmation, booked as given, shown and filtered in the ledger page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import LedgerEntry
from inventory.services import stock_adjust, stock_receive
from tests.api.test_posting_date_api import booked, last_month_end
from tests.builders import location, receive
from tests.factories import MaterialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bolt(db):
    location("A")
    location("B")
    return MaterialFactory(code="BOLT")


def test_the_receipt_page_books_on_the_posting_date_given(role_client, bolt):
    client = role_client("keeper")
    form = {"code": "M:BOLT", "location": "A", "quantity": "5", "inspection_status": "passed"}
    check = client.post(reverse("stock:receive"), {**form, "posting_date": str(last_month_end())})
    assert 'data-testid="posting-date"' in check.content.decode()
    done = client.post(
        reverse("stock:receive"),
        {**form, "posting_date": str(last_month_end()), "confirmed": "1"},
    )
    assert done.status_code == 302
    assert LedgerEntry.objects.get().posting_date == last_month_end()
    ledger = client.get(reverse("ledger:list"), {"posted_to": str(last_month_end())})
    assert ledger.content.decode().count('data-testid="posting-date"') == 1


def test_the_transfer_page_refuses_a_future_posting_date(role_client, admin, bolt):
    receive(bolt, location("A"), 10, admin)
    client = role_client("keeper")
    before = booked()
    refused = client.post(
        reverse("stock:transfer"),
        {
            "from_location": "A",
            "code": "M:BOLT",
            "to_location": "B",
            "quantity": "1",
            "posting_date": str(timezone.localdate() + timedelta(days=3)),
            "confirmed": "1",
        },
    )
    assert refused.status_code == 400 and "is in the future" in refused.content.decode()
    assert booked() == before


def quantities(response):
    html = response.content.decode()
    return html.count('data-testid="quantity"'), html


def test_the_stock_page_shows_the_balances_now_and_as_of_a_day(role_client, admin, bolt):
    receive(bolt, location("A"), 10, admin)
    stock_receive(
        material=bolt,
        location=location("B"),
        quantity=3,
        actor=admin,
        posting_date=last_month_end(),
    )
    client = role_client("keeper")
    now = client.get(reverse("stock:balances"))
    assert now.status_code == 200 and quantities(now)[0] == 2
    then = client.get(reverse("stock:balances"), {"as_of": str(last_month_end())})
    count, html = quantities(then)
    assert then.status_code == 200 and count == 1
    assert '<td data-label="Location">B</td>' in html
    before = client.get(
        reverse("stock:balances"), {"as_of": str(last_month_end() - timedelta(days=1))}
    )
    assert quantities(before)[0] == 0
    narrowed = client.get(
        reverse("stock:balances"), {"as_of": str(last_month_end()), "location": "A"}
    )
    assert quantities(narrowed)[0] == 0


def test_a_bad_as_of_date_is_400_with_a_message(role_client, bolt):
    response = role_client("keeper").get(reverse("stock:balances"), {"as_of": "2026-02-30"})
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()


def test_the_stock_page_filters_on_hand_in_words(role_client, admin, bolt):
    receive(bolt, location("A"), 10, admin)
    receive(bolt, location("B"), 3, admin)
    stock_adjust(material=bolt, location=location("B"), quantity=-3, reason="count", actor=admin)
    client = role_client("keeper")
    form = client.get(reverse("stock:balances")).content.decode()
    assert '<option value="true">in stock</option>' in form and "Unknown" not in form
    assert "Warehouse" in form and "Location warehouse code" not in form
    in_stock, html = quantities(client.get(reverse("stock:balances"), {"in_stock": "true"}))
    assert in_stock == 1 and '<td data-label="Location">A</td>' in html
    empty, html = quantities(client.get(reverse("stock:balances"), {"in_stock": "false"}))
    assert empty == 1 and '<td data-label="Location">B</td>' in html
