"""The API over inventory and work orders: shapes, status codes, nothing written on errors."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from alerts.models import AlertKind
from alerts.services import alert_raise
from audit.models import AuditEvent
from config.api_router import router
from finance.month_end import month_end_compute
from inventory.models import LedgerEntry, StockBalance
from materials.models import TrackingMode
from reports.services import export_request
from tests.approvals.builders import three_pending_for
from tests.builders import (
    batch_material,
    days_from_today,
    location,
    receive,
    released_work_order,
    with_roles,
)
from tests.factories import (
    BomFactory,
    BomLineFactory,
    MaterialCategoryFactory,
    MaterialFactory,
    ProductionLineFactory,
    SupplierFactory,
    UomFactory,
    UserFactory,
    WarehouseCategoryFactory,
    WarehouseFactory,
    WorkshopFactory,
)
from tests.returns.builders import issued_replenishment
from tests.returns.nonconforming_builders import reviewed_return, suspect_verdict
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = pytest.mark.django_db


def ledger_state():
    return LedgerEntry.objects.count(), sorted(StockBalance.objects.values_list("id", "quantity"))


def test_anonymous_gets_401():
    assert APIClient().get("/api/v1/ledger/").status_code == 401


def test_receive_with_a_new_lot(api):
    material, loc = batch_material(code="GLUE", shelf_life_days=180), location("A")
    acme = SupplierFactory(code="ACME", name="Acme Adhesives")
    response = api.post(
        "/api/v1/stock/receive/",
        {
            "material": "GLUE",
            "location": "A",
            "quantity": "25.5",
            "batch_no": "G-1",
            "lot_fields": {
                "production_date": str(days_from_today(-10)),
                "supplier": "ACME",
                "inspection_status": "passed",
            },
            "reference": "PO-77",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    [entry] = response.json()
    assert (entry["material"], entry["lot"], entry["quantity"], entry["device_id"]) == (
        "GLUE",
        "G-1",
        "25.5000",
        "HH-07",
    )
    lot = material.lots.get()
    assert (lot.supplier, lot.expiry_date) == (acme, days_from_today(170))
    assert api.get(f"/api/v1/lots/{lot.pk}/").json()["supplier"] == "ACME"
    balances = api.get("/api/v1/balances/", {"material": "GLUE", "in_stock": "true"}).json()
    assert [(b["location"], b["quantity"]) for b in balances["results"]] == [(loc.code, "25.5000")]
    assert AuditEvent.objects.filter(action="stock.receive", device_id="HH-07").count() == 1


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"quantity": "0"}, "quantity", "greater than zero"),
        ({"quantity": "-1"}, "quantity", "greater than zero"),
        ({"material": "NOPE"}, "material", "does not exist"),
        ({"location": "NOWHERE"}, "location", "does not exist"),
        ({"batch_no": ""}, "lot", "tracked by batch"),
        ({"lot_fields": {"expiry_date": "2001-01-01"}}, "lot", "expired"),
    ],
)
def test_bad_receipts_are_400_and_write_nothing(api, payload, field, message):
    batch_material(code="GLUE")
    location("A")
    before, audit_rows = ledger_state(), AuditEvent.objects.count()
    body = {"material": "GLUE", "location": "A", "quantity": "5", "batch_no": "G-2", **payload}
    response = api.post("/api/v1/stock/receive/", body, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert ledger_state() == before and AuditEvent.objects.count() == audit_rows


def test_error_messages_follow_the_users_language(api):
    MaterialFactory(code="M1")
    location("A")
    response = api.post(
        "/api/v1/stock/receive/",
        {"material": "M1", "location": "A", "quantity": "0"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["quantity"] == ["数量必须大于零。"]


def test_transfer_with_unknown_lot_is_400(api, user):
    material = batch_material(code="TUBE")
    receive(material, location("A"), 5, user, batch_no="T1")
    location("B")
    response = api.post(
        "/api/v1/stock/transfer/",
        {
            "material": "TUBE",
            "lot": "T9",
            "from_location": "A",
            "to_location": "B",
            "quantity": "1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["lot"] == ["Unknown lot T9 for material TUBE."]


def test_ledger_is_cursor_paginated_and_filterable_since_an_id(api, user):
    material, loc = MaterialFactory(code="M1"), location("A")
    for _ in range(5):
        receive(material, loc, 1, user)
    page = api.get("/api/v1/ledger/", {"page_size": 2}).json()
    ids = [row["id"] for row in page["results"]]
    assert len(ids) == 2 and page["next"]
    second = api.get(page["next"]).json()
    assert [row["id"] for row in second["results"]][0] > ids[-1]
    since = api.get("/api/v1/ledger/", {"since_id": ids[-1]}).json()
    assert len(since["results"]) == 3


def test_work_order_lifecycle_over_the_api(api, user):
    tube = batch_material(code="TUBE")
    receive(tube, location("A"), 100, user, batch_no="T1", expiry_date=days_from_today(30))
    bom = BomFactory(product=MaterialFactory(code="CHAIR"))
    BomLineFactory(bom=bom, material=tube, qty_per_unit=Decimal("4"), loss_pct=Decimal("2.5"))
    WorkshopFactory(code="WS1")
    created = api.post(
        "/api/v1/work-orders/",
        {
            "number": "WO-9",
            "product": "CHAIR",
            "bom_version": 1,
            "planned_qty": "10",
            "workshop": "WS1",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/work-orders/{created.json()['id']}/"
    released = api.post(url + "release/").json()
    assert released["status"] == "released"
    assert released["lines"][0]["required_qty"] == "40.0000"
    assert released["lines"][0]["loss_allowance_qty"] == "1.0000"
    assert api.post(url + "release/").status_code == 409
    fefo = api.get("/api/v1/stock/fefo/", {"material": "TUBE", "quantity": "30"}).json()
    assert fefo["picks"][0]["lot"] == "T1" and fefo["shortfall"] == "0.0000"
    issued = api.post(
        url + "issue/",
        {"lines": [{"material": "TUBE", "quantity": "30", "location": "A", "lot": "T1"}]},
        format="json",
    )
    assert issued.status_code == 201, issued.json()
    line = api.get(url).json()["lines"][0]
    assert (line["issued"], line["consumed"], line["remaining_to_issue"]) == (
        "30.0000",
        "30.0000",
        "11.0000",
    )
    assert api.post(url + "report-output/", {"good_qty": "10"}, format="json").status_code == 201
    assert api.post(url + "complete/").json()["status"] == "completed"


def test_issuing_more_than_on_hand_is_400_and_books_nothing(api, user):
    tube = batch_material(code="TUBE")
    receive(tube, location("A"), 5, user, batch_no="T1")
    work_order = released_work_order(user, components=[(tube, 1, 0)], planned_qty=50)
    before = ledger_state()
    response = api.post(
        f"/api/v1/work-orders/{work_order.pk}/issue/",
        {"lines": [{"material": "TUBE", "quantity": "6", "location": "A", "lot": "T1"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "Not enough stock of TUBE / T1 at A: on hand 5, needed 6." in response.json()["quantity"]
    assert ledger_state() == before


def test_a_user_without_permissions_cannot_post_stock(user):
    client = APIClient()
    client.force_authenticate(user)
    MaterialFactory(code="M1")
    location("A")
    response = client.post(
        "/api/v1/stock/receive/",
        {"material": "M1", "location": "A", "quantity": "1"},
        format="json",
    )
    assert response.status_code == 403
    assert LedgerEntry.objects.count() == 0


def test_schema_and_offline_swagger_ui(api):
    assert api.get("/api/schema/").status_code == 200
    page = api.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page
    assert "cdn" not in page.lower()


# --------------------------------------------------------------- query counts of every list


@pytest.fixture
def three_of_everything(user, admin):
    """At least three rows behind every list endpoint."""
    motor = MaterialFactory(code="MOTOR", tracking=TrackingMode.SERIAL)
    qc = with_roles(UserFactory(username="qc-lists"), "qc")
    receive(motor, location("S"), 3, user, batch_no="M1", serials=["SN1", "SN2", "SN3"])
    for n in range(3):
        tube = batch_material(code=f"TUBE{n}")
        shelf = location(f"A{n}")
        receive(tube, shelf, 10, user, batch_no=f"T{n}")
        ProductionLineFactory(code=f"L{n}", workshop=WorkshopFactory(code=f"WS{n}"))
        UomFactory(code=f"U{n}")
        MaterialCategoryFactory(code=f"C{n}")
        WarehouseFactory(code=f"W{n}", category=WarehouseCategoryFactory(code=f"WC{n}"))
        work_order = released_work_order(
            user,
            components=[(tube, 1, 0)],
            number=f"WO-{n}",
            workshop=WorkshopFactory(code=f"WS{n}"),
        )
        work_order_issue(
            work_order=work_order,
            actor=user,
            lines=[IssueLine(tube, Decimal(1), shelf, lot=tube.lots.get())],
        )
        # returns: a return slip judged suspect (a nonconforming record); a replenishment
        # of 20 with 9 on hand falls short
        slip = reviewed_return(work_order, tube, 1, lot=tube.lots.get(), applicant=user)
        suspect_verdict(slip, qc)
        issued_replenishment(work_order, user, tube, 20)
        # alerts: an open alert per tube, each in admin's notifications
        alert_raise(
            kind=AlertKind.BELOW_SAFETY_STOCK,
            obj=tube,
            params={"material": tube.code, "on_hand": "9", "safety_stock": "20", "suggested": "11"},
            users=[admin],
        )
        # reports: admin's export jobs and month-end summaries (with their workbooks)
        export_request(user=admin, kind="ledger", params={"lot": f"T{n}"})
        month_end_compute(month=date(2026, n + 1, 1))
    # approvals: admin's inbox, policy versions, tier assignments, delegations
    three_pending_for(admin, user)


def list_urls():
    return [
        f"/api/v1/{prefix}/" for prefix, viewset, _ in router.registry if hasattr(viewset, "list")
    ]


def query_counts(api, url):
    """(queries, rows) for page sizes 1 and 3."""
    counts = []
    for page_size in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url, {"page_size": page_size})
        assert response.status_code == 200, url
        counts.append((len(queries), len(response.json()["results"])))
    return counts


def test_list_query_count_does_not_grow_with_page_size(api, three_of_everything):
    """Every registered list endpoint, on one shared data set (built once: it is slow)."""
    problems = []
    for url in list_urls():
        (small, rows_small), (large, rows_large) = query_counts(api, url)
        if (rows_small, rows_large) != (1, 3):
            problems.append(f"{url}: give it three rows in the fixture")
        elif small != large:
            problems.append(f"{url}: {small} queries for 1 row, {large} for 3")
    assert problems == []
