"""The ERP sends master data by code: PUT …/by-code/{code}/ creates or replaces it, and the
same data sent again changes nothing. Every call here goes through an integration token, so
what the ERP does stays within that token's scope (issue #12)."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from core.models import TokenKind
from materials.models import Bom, Material
from org.services import api_token_issue
from tests.factories import (
    MaterialCategoryFactory,
    MaterialFactory,
    UomFactory,
    WarehouseCategoryFactory,
    WorkshopFactory,
)
from tests.returns.builders import draft_return, line
from workorders.models import WorkOrder
from workorders.services.lifecycle import work_order_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin):
    """The ERP: a superuser's integration token, so only the token's scope can refuse."""
    _token, raw_key = api_token_issue(
        name="ERP", kind=TokenKind.INTEGRATION, user=admin, actor=admin
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw_key}")
    return client


@pytest.fixture
def payload():
    UomFactory()
    MaterialCategoryFactory()
    WarehouseCategoryFactory()
    return {
        "name": "hex screw",
        "uom": "PCS",
        "category": "PART",
        "warehouse_category": "RAW",
        "standard_cost": "0.0625",
        "tracking": "none",
    }


def test_material_upsert_is_idempotent(api, payload):
    url = "/api/v1/materials/by-code/PT-SCR-M6/"
    first = api.put(url, payload, format="json")
    assert first.status_code == 201 and first.json()["code"] == "PT-SCR-M6"
    again = api.put(url, payload, format="json")
    assert again.status_code == 200 and again.json() == first.json()
    assert Material.objects.filter(code="PT-SCR-M6").count() == 1
    assert list(
        AuditEvent.objects.filter(object_type="materials.material").values_list("action", flat=True)
    ) == ["material.create"]
    changed = api.put(url, {**payload, "name": "hex socket screw"}, format="json")
    assert changed.status_code == 200 and changed.json()["name"] == "hex socket screw"
    assert AuditEvent.objects.filter(action="material.change").count() == 1


def test_bad_upsert_is_400_and_writes_nothing(api, payload):
    response = api.put("/api/v1/materials/by-code/X1/", {**payload, "uom": "NOPE"}, format="json")
    assert response.status_code == 400 and "uom" in response.json()
    assert not Material.objects.exists()


# ---------------------------------------------------------------------------- BOMs, work orders


@pytest.fixture
def chair(db):
    WorkshopFactory(code="WS1")
    MaterialFactory(code="LEG")
    MaterialFactory(code="SEAT")
    return MaterialFactory(code="CHAIR")


BOM = {
    "note": "from the ERP",
    "lines": [
        {"material": "LEG", "qty_per_unit": "4", "loss_pct": "2"},
        {"material": "SEAT", "qty_per_unit": "1"},
    ],
}


def audit_actions(object_type):
    return list(
        AuditEvent.objects.filter(object_type=object_type)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_bom_upsert_is_idempotent_and_replaces_lines(api, chair):
    url = "/api/v1/boms/by-code/CHAIR/1/"
    first = api.put(url, BOM, format="json")
    assert first.status_code == 201, first.json()
    assert (first.json()["product"], first.json()["version"]) == ("CHAIR", 1)
    again = api.put(url, BOM, format="json")
    assert again.status_code == 200 and again.json() == first.json()
    assert audit_actions("materials.bom") == ["bom.create"]
    changed = api.put(url, {**BOM, "lines": BOM["lines"][:1]}, format="json")
    assert changed.status_code == 200
    assert [ln["material"] for ln in changed.json()["lines"]] == ["LEG"]
    assert audit_actions("materials.bom") == ["bom.create", "bom.change"]
    assert Bom.objects.get().lines.count() == 1


@pytest.mark.parametrize(
    "url, body, field",
    [
        ("/api/v1/boms/by-code/NOPE/1/", BOM, "product"),
        ("/api/v1/boms/by-code/CHAIR/1/", {"lines": []}, "lines"),
        ("/api/v1/boms/by-code/CHAIR/99999999999/", BOM, "version"),
        (
            "/api/v1/boms/by-code/CHAIR/1/",
            {"lines": [{"material": "CHAIR", "qty_per_unit": 1}]},
            "lines",
        ),
    ],
)
def test_bad_bom_upserts_are_400_and_write_nothing(api, chair, url, body, field):
    response = api.put(url, body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Bom.objects.exists()
    assert not AuditEvent.objects.exclude(object_type="core.apitoken").exists()


def work_order_plan(**changes):
    return {
        "product": "CHAIR",
        "bom_version": 1,
        "planned_qty": "100",
        "workshop": "WS1",
        "planned_start": "2026-12-01",
        **changes,
    }


def test_work_order_upsert_creates_replans_and_refuses_after_release(api, chair, admin):
    assert api.put("/api/v1/boms/by-code/CHAIR/1/", BOM, format="json").status_code == 201
    url = "/api/v1/work-orders/by-number/WO-ERP-1/"
    first = api.put(url, work_order_plan(), format="json")
    assert first.status_code == 201, first.json()
    assert (first.json()["number"], first.json()["status"]) == ("WO-ERP-1", "planned")
    again = api.put(url, work_order_plan(), format="json")
    assert again.status_code == 200 and again.json() == first.json()
    assert audit_actions("workorders.workorder") == ["workorder.create"]
    replanned = api.put(url, work_order_plan(planned_qty="120"), format="json")
    assert (replanned.status_code, replanned.json()["planned_qty"]) == (200, "120.0000")
    assert audit_actions("workorders.workorder") == ["workorder.create", "workorder.change"]

    work_order = WorkOrder.objects.get(number="WO-ERP-1")
    work_order_release(work_order=work_order, actor=admin)  # at the planner's desk
    unchanged = api.put(url, work_order_plan(planned_qty="120"), format="json")
    assert unchanged.status_code == 200  # the same plan again is still fine
    refused = api.put(url, work_order_plan(planned_qty="130"), format="json")
    assert refused.status_code == 409 and "cannot be re-planned" in refused.json()["detail"]
    work_order.refresh_from_db()
    assert work_order.planned_qty == 120


def test_bad_work_order_upserts_are_400(api, chair):
    api.put("/api/v1/boms/by-code/CHAIR/1/", BOM, format="json")
    url = "/api/v1/work-orders/by-number/WO-ERP-2/"
    assert "bom_version" in api.put(url, work_order_plan(bom_version=2), format="json").json()
    assert "planned_qty" in api.put(url, work_order_plan(planned_qty="0"), format="json").json()
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(
    "route",
    ["returns", "replenishments", "shortages", "work-orders", "materials", "boms", "lots"],
)
def test_updated_since_filters_document_lists(api, route):
    url = f"/api/v1/{route}/"
    assert api.get(url, {"updated_since": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    assert api.get(url, {"updated_since": "2000-01-01T00:00:00Z"}).status_code == 200
    bad = api.get(url, {"updated_since": "yesterday"})
    assert bad.status_code == 400 and "updated_since" in bad.json()


def test_updated_since_finds_a_changed_return(api, work_order, clerk, tube, lot):
    request = draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
    since = request.updated_at.isoformat()
    ids = [r["id"] for r in api.get("/api/v1/returns/", {"updated_since": since}).json()["results"]]
    assert ids == [request.pk]


def test_the_erp_pulls_the_ledger_by_id(api, work_order):
    first = api.get("/api/v1/ledger/", {"page_size": 1}).json()
    assert len(first["results"]) == 1
    after = api.get("/api/v1/ledger/", {"since_id": first["results"][0]["id"]}).json()
    assert first["results"][0]["id"] not in [entry["id"] for entry in after["results"]]
    assert api.get("/api/v1/balances/").status_code == 200
    assert api.get("/api/v1/reasons/").status_code == 200
