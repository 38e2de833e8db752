"""Supplier returns over the API (R-S2): create, the actions as POST sub-resources, JSON
errors (400 bad input, 409 wrong state), costs only for the roles that see them."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from returns.models import SupplierReturn, SupplierReturnState
from tests.builders import batch_material, receive, with_roles
from tests.factories import SupplierFactory, UserFactory
from tests.returns.supplier_builders import mc_user, sign_all, signer

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supplier-returns/"


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="SUP-ALU")


@pytest.fixture
def stock(user, supplier_area, supplier):
    tube = batch_material(code="TUBE", standard_cost=Decimal("10"))
    receive(tube, supplier_area, 12, user, batch_no="D1", supplier=supplier)
    return tube


@pytest.fixture
def keeper_api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def create_body(quantity="12", location="SR"):
    return {
        "supplier": "SUP-ALU",
        "reason": "Cracked",
        "lines": [{"material": "TUBE", "lot": "D1", "location": location, "quantity": quantity}],
    }


def test_create_sign_post_and_credit(keeper_api, stock, supplier_area):
    created = keeper_api.post(BASE, create_body(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "draft" and body["lines"][0]["quantity"] == "12.0000"
    assert "claim_amount" not in body  # the keeper does not see costs
    url = f"{BASE}{body['id']}/"
    early = keeper_api.post(f"{url}post/")
    assert early.status_code == 409 and "signed" in early.json()["detail"]
    assert keeper_api.post(f"{url}submit/").json()["state"] == "submitted"
    sign_all(SupplierReturn.objects.get(pk=body["id"]))
    ack = keeper_api.post(
        f"{url}acknowledge/",
        {"name": "Chen Wei", "on": timezone.localdate().isoformat()},
        format="json",
    )
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "Chen Wei"
    posted = keeper_api.post(f"{url}post/")
    assert posted.json()["state"] == "posted"
    mc = APIClient()
    mc.force_authenticate(mc_user())
    assert mc.get(url).json()["claim_amount"] == "120.00"
    credit = mc.post(f"{url}credit/", {"credit_note": "CN-1", "amount": "120"}, format="json")
    assert credit.json()["state"] == SupplierReturnState.CLOSED
    again = mc.post(f"{url}credit/", {"credit_note": "CN-1", "amount": "120"}, format="json")
    assert again.status_code == 409 and "already closed" in again.json()["detail"]


def test_bad_input_is_400_json_and_writes_nothing(keeper_api, stock, shelf):
    too_much = keeper_api.post(BASE, create_body(quantity="13"), format="json")
    assert too_much.status_code == 400
    assert too_much.json()["quantity"] == ["Only 12 of TUBE / D1 is on hand at SR; 13 asked."]
    shelf_line = keeper_api.post(BASE, create_body(location="A"), format="json")
    assert shelf_line.status_code == 400
    assert "not a supplier-return area" in str(shelf_line.json())
    other = keeper_api.post(
        BASE, {**create_body(), "supplier": SupplierFactory(code="SUP-X").code}, format="json"
    )
    assert other.status_code == 400 and "came from SUP-ALU" in str(other.json())
    assert not SupplierReturn.objects.exists()


def test_clerks_may_not_create(stock):
    client = APIClient()
    client.force_authenticate(with_roles(UserFactory(username="clerk9"), "clerk"))
    assert client.post(BASE, create_body(), format="json").status_code == 403
    assert client.get(BASE).json()["results"] == []


def test_signers_see_and_sign_it_in_the_approvals_api(keeper_api, stock):
    body = keeper_api.post(BASE, create_body(), format="json").json()
    keeper_api.post(f"{BASE}{body['id']}/submit/")
    client = APIClient()
    client.force_authenticate(signer("warehouse_supervisor"))
    steps = client.get("/api/v1/approvals/").json()["results"]
    [step] = [s for s in steps if s["request"]["number"] == body["number"]]
    assert step["workshop"] is None and step["tier"] == "warehouse_supervisor"
    assert step["request"]["kind"] == "supplier_return"
    assert (
        client.post(f"/api/v1/approvals/{step['id']}/approve/", {}, format="json").status_code
        == 200
    )
    assert SupplierReturn.objects.get(pk=body["id"]).state == SupplierReturnState.SUBMITTED
