"""Suppliers through the API (#18 item 1, R-S1): the ERP reads and upserts them by code,
every write audited, bad input a 400 in JSON with nothing written."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from core.api.token_scope import OUT_OF_SCOPE
from core.models import TokenKind
from materials.models import Supplier
from org.services import api_token_issue
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db
SUPPLIERS = "/api/v1/suppliers/"


def token_client(admin, kind):
    """A superuser's token, so only the token's scope can refuse."""
    _token, raw_key = api_token_issue(name=kind, kind=kind, user=admin, actor=admin)
    client = APIClient(HTTP_X_DEVICE_ID="ERP-1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw_key}")
    return client


@pytest.fixture
def erp(admin):
    return token_client(admin, TokenKind.INTEGRATION)


def supplier_events(action):
    return AuditEvent.objects.filter(object_type="materials.supplier", action=action)


def test_upsert_creates_updates_and_is_a_no_op_when_sent_again(erp):
    url = f"{SUPPLIERS}by-code/S-ALU/"
    body = {"name": "Foshan Aluminium", "contact": "Chen Wei", "email": "chen@alu.example"}

    created = erp.put(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "S-ALU" and created.json()["is_active"] is True
    assert supplier_events("supplier.create").get().device_id == "ERP-1"

    again = erp.put(url, body, format="json")
    assert again.status_code == 200 and again.json() == created.json()
    assert AuditEvent.objects.filter(object_type="materials.supplier").count() == 1

    changed = erp.put(url, {**body, "phone": "0757-1", "is_active": False}, format="json")
    assert changed.status_code == 200
    supplier = Supplier.objects.get(code="S-ALU")
    assert (supplier.phone, supplier.is_active, supplier.contact) == ("0757-1", False, "Chen Wei")
    event = supplier_events("supplier.change").get()
    assert (event.before["phone"], event.after["phone"]) == ("", "0757-1")
    assert Supplier.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "email": "x@y.example"}, "name"),
        ({"name": "A", "email": "not-an-address"}, "email"),
        ({"name": "A" * 121}, "name"),
        ({"name": "A", "is_active": "perhaps"}, "is_active"),
    ],
)
def test_bad_upsert_is_400_json_and_writes_nothing(erp, body, field):
    response = erp.put(f"{SUPPLIERS}by-code/S-1/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Supplier.objects.exists()
    assert not AuditEvent.objects.filter(object_type="materials.supplier").exists()


def test_detail_is_by_code(erp):
    SupplierFactory(code="S-9", name="Ninth")
    response = erp.get(f"{SUPPLIERS}S-9/")
    assert response.status_code == 200 and response.json()["name"] == "Ninth"
    assert erp.get(f"{SUPPLIERS}NO-SUCH/").status_code == 404


def test_list_filters_and_search(erp):
    SupplierFactory(code="S-1", name="Alpha steel")
    old = SupplierFactory(code="S-2", name="Beta boards", is_active=False)
    Supplier.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))

    def codes(query):
        response = erp.get(SUPPLIERS, query)
        assert response.status_code == 200
        return [row["code"] for row in response.json()["results"]]

    assert codes({}) == ["S-1", "S-2"]
    assert codes({"code": "S-2"}) == ["S-2"]
    assert codes({"active": "true"}) == ["S-1"]
    assert codes({"active": "false"}) == ["S-2"]
    assert codes({"search": "boards"}) == ["S-2"]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert codes({"updated_since": since}) == ["S-1"]
    bad = erp.get(SUPPLIERS, {"updated_since": "yesterday"})
    assert bad.status_code == 400 and "updated_since" in bad.json()


def test_the_erp_may_not_delete_or_post(erp):
    SupplierFactory(code="S-1")
    for response in (erp.delete(f"{SUPPLIERS}S-1/"), erp.post(SUPPLIERS, {}, format="json")):
        assert response.status_code == 403
        assert response.json() == {"detail": str(OUT_OF_SCOPE[TokenKind.INTEGRATION])}
    assert Supplier.objects.filter(code="S-1").exists()


def test_a_handheld_reads_but_does_not_upsert(admin):
    device = token_client(admin, TokenKind.DEVICE)
    assert device.get(SUPPLIERS).status_code == 200
    refused = device.put(f"{SUPPLIERS}by-code/S-1/", {"name": "A"}, format="json")
    assert refused.status_code == 403 and not Supplier.objects.exists()


def test_a_user_without_the_permission_cannot_write(user):
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(SUPPLIERS).status_code == 200
    refused = client.put(f"{SUPPLIERS}by-code/S-1/", {"name": "A"}, format="json")
    assert refused.status_code == 403 and not Supplier.objects.exists()


def test_list_query_count_does_not_grow_with_page_size(api):
    SupplierFactory.create_batch(25)

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(SUPPLIERS, {"page_size": size}).status_code == 200
        return len(queries)

    assert count(2) == count(20)


def test_lots_show_their_suppliers_code_and_name(api, user):
    from tests.builders import batch_material, location, receive

    shelf, tube = location("A"), batch_material(code="TUBE")
    for number in range(12):
        supplier = SupplierFactory(code=f"S-{number:02d}", name=f"Supplier {number}")
        receive(tube, shelf, 5, user, batch_no=f"B{number:02d}", supplier=supplier)

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/lots/", {"page_size": size, "ordering": "batch_no"})
        assert response.status_code == 200
        return len(queries), response.json()["results"]

    few, rows = count(2)
    assert (rows[0]["supplier"], rows[0]["supplier_name"]) == ("S-00", "Supplier 0")
    assert count(12)[0] == few  # the supplier comes with the lot, not one query per row
