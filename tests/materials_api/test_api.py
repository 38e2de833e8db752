from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from materials.models import ApprovalClass, Bom, BomLine, Material
from materials.services import COMPONENT_IS_PRODUCT, DUPLICATE_COMPONENT
from tests.factories import (
    BomFactory,
    BomLineFactory,
    MaterialCategoryFactory,
    MaterialFactory,
    UomFactory,
    WarehouseCategoryFactory,
    WorkshopFactory,
)
from workorders.services.lifecycle import work_order_create

MATERIALS = "/api/v1/materials/"
BOMS = "/api/v1/boms/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def material_payload():
    UomFactory()
    MaterialCategoryFactory(code="CHEM", name="chemicals", approval_class=ApprovalClass.B)
    WarehouseCategoryFactory()
    return {
        "code": "GLUE-01",
        "name": "glue",
        "uom": "PCS",
        "category": "CHEM",
        "warehouse_category": "RAW",
        "standard_cost": "12.5",
    }


def bom_payload(product, *components, version=1):
    return {
        "product": product.code,
        "version": version,
        "lines": [{"material": m.code, "qty_per_unit": "2.5", "loss_pct": "3"} for m in components],
    }


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.data
    return len(queries)


# --- materials ---------------------------------------------------------------------------


def test_material_list_filters(api):
    glue = MaterialFactory(code="GLUE-01", name="glue", specification="fast cure")
    MaterialFactory(
        code="BOLT-01",
        name="bolt",
        category=MaterialCategoryFactory(code="HW", approval_class=ApprovalClass.A),
    )

    def codes(query):
        response = api.get(MATERIALS, query)
        assert response.status_code == 200, response.data
        return [row["code"] for row in response.data["results"]]

    assert codes({}) == ["BOLT-01", "GLUE-01"]
    assert codes({"code": "GLUE-01"}) == ["GLUE-01"]
    assert codes({"category": "HW"}) == ["BOLT-01"]
    assert codes({"approval_class": "C", "warehouse_category": "RAW"}) == ["GLUE-01"]
    assert codes({"search": "fast"}) == ["GLUE-01"]
    assert codes({"ordering": "-code"}) == ["GLUE-01", "BOLT-01"]
    later = (glue.updated_at + timedelta(seconds=1)).isoformat()
    assert codes({"updated_since": later}) == []
    row = api.get(f"{MATERIALS}{glue.pk}/").data
    assert (row["uom"], row["category"], row["default_location"]) == ("PCS", "PART", None)


def test_material_create_defaults_approval_class_and_audits(api, admin, material_payload):
    response = api.post(MATERIALS, material_payload, format="json")

    assert response.status_code == 201, response.data
    assert response.data["approval_class"] == ApprovalClass.B  # from category CHEM
    assert response.data["safety_stock"] == "0.0000"
    event = AuditEvent.objects.get(action="material.create")
    assert (event.actor, event.device_id, event.before) == (admin, "HH-07", None)
    assert event.after["code"] == "GLUE-01"
    assert event.object_id == str(response.data["id"])


def test_material_update_and_delete_are_audited(api):
    material = MaterialFactory(standard_cost=Decimal("2.5"))
    url = f"{MATERIALS}{material.pk}/"

    response = api.patch(
        url, {"standard_cost": "3.5", "lead_time_days": 2, "daily_usage": "10"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["safety_stock"] == "20.0000"
    change = AuditEvent.objects.get(action="material.change")
    assert (change.before["standard_cost"], change.after["standard_cost"]) == ("2.5000", "3.5000")

    assert api.delete(url).status_code == 204
    assert not Material.objects.filter(pk=material.pk).exists()
    deleted = AuditEvent.objects.get(action="material.delete")
    assert (deleted.object_id, deleted.before["code"]) == (str(material.pk), material.code)


def test_material_in_use_cannot_be_deleted(api):
    line = BomLineFactory()
    response = api.delete(f"{MATERIALS}{line.material.pk}/")
    assert response.status_code == 409
    assert Material.objects.filter(pk=line.material.pk).exists()


def test_material_bad_input_is_400_and_writes_nothing(api, material_payload):
    bad = {**material_payload, "uom": "NOPE", "standard_cost": "-1"}
    response = api.post(MATERIALS, bad, format="json")

    assert response.status_code == 400
    assert set(response.data) >= {"uom", "standard_cost"}
    assert "NOPE" in str(response.data["uom"][0])
    assert not Material.objects.exists()
    assert not AuditEvent.objects.exists()


def test_anonymous_is_refused():
    response = APIClient().get(MATERIALS)
    # 401 needs TokenAuthentication listed first in REST_FRAMEWORK (SessionAuthentication,
    # listed first today, sends no WWW-Authenticate header, so DRF answers 403).
    assert response.status_code in (401, 403)
    assert response.data["detail"].code == "not_authenticated"


def test_user_without_permission_can_read_but_not_write(user, material_payload):
    client = APIClient()
    client.force_authenticate(user)

    assert client.get(MATERIALS).status_code == 200
    assert client.post(MATERIALS, material_payload, format="json").status_code == 403
    assert not Material.objects.exists()


# --- BOMs --------------------------------------------------------------------------------


def test_bom_create_with_lines(api):
    product, frame, screw = MaterialFactory.create_batch(3)
    response = api.post(BOMS, bom_payload(product, frame, screw), format="json")

    assert response.status_code == 201, response.data
    assert response.data["product"] == product.code
    assert response.data["lines"] == [
        {"material": m.code, "qty_per_unit": "2.500000", "loss_pct": "3.00"} for m in (frame, screw)
    ]
    event = AuditEvent.objects.get(action="bom.create")
    assert event.before is None
    assert [line["material"] for line in event.after["lines"]] == [frame.code, screw.code]


def test_bom_update_replaces_lines(api):
    bom = BomLineFactory().bom
    old = bom.lines.get().material
    new = MaterialFactory()
    url = f"{BOMS}{bom.pk}/"

    response = api.put(url, {**bom_payload(bom.product, new), "note": "v1 fix"}, format="json")

    assert response.status_code == 200, response.data
    assert [line.material for line in bom.lines.all()] == [new]
    event = AuditEvent.objects.get(action="bom.change")
    assert event.before["lines"][0]["material"] == old.code
    assert (event.after["lines"][0]["material"], event.after["note"]) == (new.code, "v1 fix")

    response = api.patch(url, {"is_active": False}, format="json")
    assert response.status_code == 200, response.data
    assert [line["material"] for line in response.data["lines"]] == [new.code]
    assert response.data["note"] == "v1 fix"


def test_bom_used_by_work_order_cannot_change(api, admin):
    bom = BomLineFactory().bom
    work_order_create(
        number="WO-1",
        product=bom.product,
        bom=bom,
        planned_qty=Decimal("10"),
        workshop=WorkshopFactory(),
        actor=admin,
    )
    url = f"{BOMS}{bom.pk}/"

    assert api.patch(url, {"note": "changed"}, format="json").status_code == 409
    assert api.delete(url).status_code == 409
    bom.refresh_from_db()
    assert bom.note == "" and bom.lines.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="bom.").exists()


def test_bom_bad_lines_are_400_and_write_nothing(api):
    product, part = MaterialFactory.create_batch(2)

    response = api.post(BOMS, bom_payload(product, part, part, product), format="json")

    assert response.status_code == 400
    assert response.data["lines"] == [
        str(DUPLICATE_COMPONENT % {"material": part.code}),
        str(COMPONENT_IS_PRODUCT % {"material": product.code}),
    ]
    assert not Bom.objects.exists()
    assert not AuditEvent.objects.exists()


def test_bom_delete(api):
    bom = BomLineFactory().bom
    assert api.delete(f"{BOMS}{bom.pk}/").status_code == 204
    assert not BomLine.objects.exists()
    assert AuditEvent.objects.get(action="bom.delete").before["version"] == 1


def test_bom_filters(api):
    old = BomFactory(version=1, is_active=False)
    BomFactory(product=old.product, version=2)
    other = BomFactory()
    later = (timezone.now() + timedelta(minutes=1)).isoformat()

    def ids(query):
        return [row["id"] for row in api.get(BOMS, query).data["results"]]

    assert ids({"product": old.product.code, "is_active": "false"}) == [old.pk]
    assert len(ids({"product": other.product.code})) == 1
    assert ids({"updated_since": later}) == []


# --- query counts ------------------------------------------------------------------------


def test_list_query_count_does_not_grow_with_page_size(api):
    components = MaterialFactory.create_batch(3)
    for product in MaterialFactory.create_batch(25):
        bom = BomFactory(product=product)
        for component in components:
            BomLineFactory(bom=bom, material=component)

    for url in (MATERIALS, BOMS):
        assert query_count(api, f"{url}?page_size=2") == query_count(api, f"{url}?page_size=20")


@pytest.mark.parametrize(
    ("top", "line", "field"),
    [
        ({"lines": []}, {}, "lines"),
        ({}, {"qty_per_unit": "0"}, "lines"),
        ({}, {"loss_pct": "150"}, "lines"),
        ({"version": 1}, {}, "version"),
    ],
)
def test_bom_rules_are_400_on_their_field(api, top, line, field):
    existing = BomFactory(version=1)
    payload = bom_payload(existing.product, MaterialFactory(), version=2)
    payload["lines"][0].update(line)
    payload.update(top)

    response = api.post(BOMS, payload, format="json")

    assert response.status_code == 400
    assert list(response.data) == [field, "detail"]
    assert Bom.objects.count() == 1
