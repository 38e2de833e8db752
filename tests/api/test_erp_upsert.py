"""The ERP sends master data by code: PUT …/by-code/{code}/ creates or replaces it, and the
same data sent again changes nothing."""

import pytest

from audit.models import AuditEvent
from materials.models import Material
from tests.factories import MaterialCategoryFactory, UomFactory, WarehouseCategoryFactory

pytestmark = pytest.mark.django_db


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
