"""``/api/v1/scrap-disposals/`` (R-D1): create by codes, submit, post and cancel as POST
actions; 400 and 409 write nothing; messages in the caller's language; token scope."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import Tier
from inventory.models import LedgerEntry, StockBalance
from returns.api.disposals import ScrapDisposalViewSet
from returns.models import DisposalState, ScrapDisposal
from tests.returns.builders import approve_all, pending_step, tier_holder
from tests.returns.test_api import client_for, stock_state

pytestmark = pytest.mark.django_db
URL = "/api/v1/scrap-disposals/"


def body(quantity="2", location="SC", **extra):
    return {
        "workshop": "WS1",
        "route": "warehouse_scrap",
        "lines": [{"material": "TUBE", "lot": "T1", "location": location, "quantity": quantity}],
        **extra,
    }


@pytest.fixture
def as_qc(qc):
    return client_for(qc, "qc")


@pytest.fixture
def as_keeper(user):
    return client_for(user, "keeper")


def test_create_submit_approve_post(scrap_return, as_qc, as_keeper, scrap_area, tube):
    created = as_qc.post(URL, body(), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["state"] == "draft" and data["lines"][0]["quantity"] == "2.0000"
    assert data["lines"][0]["unit"] == tube.uom.code
    submitted = as_qc.post(f"{URL}{data['id']}/submit/", format="json")
    assert submitted.json()["state"] == "submitted"
    approve_all(ScrapDisposal.objects.get(pk=data["id"]))
    posted = as_keeper.post(f"{URL}{data['id']}/post/", format="json")
    assert posted.status_code == 200, posted.json()
    assert posted.json()["state"] == "posted"
    assert not StockBalance.objects.filter(location=scrap_area, quantity__gt=0).exists()
    again = as_keeper.post(f"{URL}{data['id']}/post/", format="json")
    assert again.status_code == 409
    assert "posted" in again.json()["detail"]
    listed = as_keeper.get(URL, {"state": "posted", "route": "warehouse_scrap"})
    assert [row["number"] for row in listed.json()["results"]] == [data["number"]]


def test_posting_unapproved_is_409(scrap_return, as_qc, as_keeper):
    created = as_qc.post(URL, body(), format="json").json()
    before = stock_state()
    answer = as_keeper.post(f"{URL}{created['id']}/post/", format="json")
    assert answer.status_code == 409
    assert stock_state() == before
    assert ScrapDisposal.objects.get(pk=created["id"]).state == DisposalState.DRAFT


def test_bad_input_is_400_in_the_callers_language(scrap_return, as_qc, shelf):
    too_much = as_qc.post(URL, body("3"), format="json")
    assert too_much.status_code == 400
    assert "cannot be disposed of" in str(too_much.json())
    usable = as_qc.post(URL, body("1", location="A"), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert usable.status_code == 400
    assert "报废区" in str(usable.json())
    assert not ScrapDisposal.objects.exists()
    assert not LedgerEntry.objects.filter(doc_type="scrap_disposal").exists()


def test_a_month_filter_must_be_a_month(as_qc):
    assert as_qc.get(URL, {"month": "2026-13"}).status_code == 400
    assert as_qc.get(URL, {"month": "2026-12"}).status_code == 200


def test_the_clerk_may_not_raise_one(scrap_return, clerk, workshop):
    workshop.members.add(clerk)
    answer = client_for(clerk, "clerk").post(URL, body(), format="json")
    assert answer.status_code == 403
    assert not ScrapDisposal.objects.exists()


def test_token_scope_is_declared():
    scope = ScrapDisposalViewSet.token_scope
    assert scope.allowed("integration") == {"list", "retrieve"}
    assert {"create", "submit", "post_to_ledger", "cancel"} <= scope.allowed("device")


def test_amounts_are_hidden_from_qc(scrap_return, as_qc):
    created = as_qc.post(URL, body(), format="json").json()
    assert "value" not in created and "value" not in created["lines"][0]
    assert Decimal(ScrapDisposal.objects.get().value) == Decimal("5.00")


def test_the_list_costs_the_same_queries_for_one_or_many(scrap_return, as_qc):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert as_qc.get(URL).status_code == 200
        return len(captured)

    as_qc.post(URL, body("1"), format="json")
    one = queries()
    for _ in range(3):
        as_qc.post(URL, body("0.25"), format="json")
    assert queries() == one


def test_the_approvers_inbox_api_shows_and_decides_the_disposal(scrap_return, as_qc):
    created = as_qc.post(URL, body(), format="json").json()
    as_qc.post(f"{URL}{created['id']}/submit/", format="json")
    approver = client_for(tier_holder(Tier.QC))
    inbox = approver.get("/api/v1/approvals/")
    assert inbox.status_code == 200
    (step,) = inbox.json()["results"]
    assert step["request"]["kind"] == "scrap_disposal"
    assert step["request"]["number"] == created["number"]
    assert step["request"]["lines"][0]["material"] == "TUBE"
    decided = approver.post(f"/api/v1/approvals/{step['id']}/approve/", format="json")
    assert decided.status_code == 200, decided.json()
    assert pending_step(ScrapDisposal.objects.get()).tier == Tier.PRODUCTION_MANAGER
