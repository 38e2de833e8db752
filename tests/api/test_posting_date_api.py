"""Posting date over the API (issue #17 item 6, R-L6): an optional field of every stock
booking, shown and filtered in the ledger; the balances as of a day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from inventory.models import LedgerEntry, StockBalance
from inventory.periods import posting_period_lock
from tests.builders import batch_material, days_from_today, location, receive, released_work_order
from tests.factories import MaterialFactory
from workorders.models import MaterialIssue

pytestmark = pytest.mark.django_db


def last_month_end():
    return timezone.localdate().replace(day=1) - timedelta(days=1)


def booked():
    return (
        LedgerEntry.objects.count(),
        list(StockBalance.objects.values_list("quantity", flat=True)),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def bolt(db):
    location("A")
    location("B")
    return MaterialFactory(code="BOLT")


def post_receipt(api, **extra):
    body = {"material": "BOLT", "location": "A", "quantity": "5", **extra}
    return api.post("/api/v1/stock/receive/", body, format="json")


def test_a_receipt_dated_back_shows_and_filters_by_its_posting_date(api, bolt):
    assert post_receipt(api).status_code == 201
    response = post_receipt(api, posting_date=str(last_month_end()))
    assert response.status_code == 201
    assert response.json()[0]["posting_date"] == str(last_month_end())
    dated = api.get("/api/v1/ledger/", {"posted_to": str(last_month_end())}).json()["results"]
    assert [row["posting_date"] for row in dated] == [str(last_month_end())]
    today = api.get("/api/v1/ledger/", {"posted_from": str(timezone.localdate())}).json()
    assert [row["posting_date"] for row in today["results"]] == [str(timezone.localdate())]


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/stock/receive/", {"location": "A"}),
        ("/api/v1/stock/transfer/", {"from_location": "A", "to_location": "B"}),
        ("/api/v1/stock/adjust/", {"location": "A", "reason": "count"}),
    ],
    ids=["receive", "transfer", "adjust"],
)
def test_a_future_posting_date_is_400_and_books_nothing(api, admin, bolt, url, body):
    receive(bolt, location("A"), 10, admin)
    before = booked()
    tomorrow = str(timezone.localdate() + timedelta(days=1))
    response = api.post(
        url,
        {"material": "BOLT", "quantity": "1", "posting_date": tomorrow, **body},
        format="json",
    )
    assert response.status_code == 400
    assert "is in the future" in response.json()["posting_date"][0]
    assert booked() == before


def test_a_posting_date_in_a_locked_month_is_409_in_chinese_too(api, bolt):
    posting_period_lock(month=last_month_end().replace(day=1))
    before = booked()
    response = post_receipt(api, posting_date=str(last_month_end()))
    assert response.status_code == 409 and "closed by finance" in response.json()["detail"]
    chinese = api.post(
        "/api/v1/stock/receive/",
        {"material": "BOLT", "location": "A", "quantity": "5", "posting_date": "2999-01-01"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert chinese.status_code == 400 and "过账日期" in chinese.json()["posting_date"][0]
    assert booked() == before


def test_balances_as_of_a_day_sum_the_ledger_by_posting_date(api, bolt):
    post_receipt(api)
    post_receipt(api, quantity="3", posting_date=str(last_month_end()))
    now = api.get("/api/v1/balances/", {"as_of": str(timezone.localdate())}).json()
    assert [(r["material"], r["lot"], r["location"], r["quantity"]) for r in now["results"]] == [
        ("BOLT", None, "A", "8.0000")
    ]
    then = api.get("/api/v1/balances/", {"as_of": str(last_month_end()), "location": "A"})
    assert [r["quantity"] for r in then.json()["results"]] == ["3.0000"]
    before = api.get("/api/v1/balances/", {"as_of": str(last_month_end() - timedelta(days=1))})
    assert before.json()["results"] == []
    elsewhere = api.get("/api/v1/balances/", {"as_of": str(last_month_end()), "location": "B"})
    assert elsewhere.json()["results"] == []


def test_a_bad_as_of_date_is_400_with_a_message(api, bolt):
    response = api.get("/api/v1/balances/", {"as_of": "2026-13-40"})
    assert response.status_code == 400
    assert "Date has wrong format" in response.json()["as_of"][0]


def test_an_issue_scan_may_be_dated_back(api, admin):
    tube = batch_material(code="TUBE")
    receive(tube, location("A"), 100, admin, batch_no="T1", expiry_date=days_from_today(90))
    work_order = released_work_order(admin, components=[(tube, "2", "0")])
    response = api.post(
        f"/api/v1/work-orders/{work_order.pk}/issue-scan/",
        {"code": "L:TUBE|T1", "quantity": "5", "posting_date": str(last_month_end())},
        format="json",
    )
    assert response.status_code == 201, response.json()
    issue = MaterialIssue.objects.get()
    entry = LedgerEntry.objects.get(doc_id=issue.number)
    assert entry.posting_date == last_month_end()
    event = AuditEvent.objects.get(action="workorder.issue")
    assert event.after["posting_date"] == str(last_month_end())
