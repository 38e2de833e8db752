"""The returns API: codes in, slips out, POST actions, permissions per role, 400/409 that
write nothing, filters."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from approvals.models import PolicyVersion, Tier
from inventory.models import LedgerEntry, StockBalance
from inventory.services import stock_adjust
from org.services import role_groups_sync
from returns.models import ReplenishRequest, ReturnRequest, Verdict
from tests.builders import receive
from tests.factories import MaterialFactory, UserFactory, WarehouseCategoryFactory
from tests.returns.builders import approve_all, draft_return, line, posted_return, tier_holder

pytestmark = pytest.mark.django_db


def client_for(user, role=None):
    if role:
        role_groups_sync()
        user.groups.add(Group.objects.get(name=role))
    client = APIClient(HTTP_X_DEVICE_ID="HH-09")
    client.force_authenticate(user)
    return client


def stock_state():
    return LedgerEntry.objects.count(), sorted(StockBalance.objects.values_list("id", "quantity"))


@pytest.fixture
def as_clerk(clerk, workshop):
    workshop.members.add(clerk)  # clerks work on their own workshop's slips (org.access)
    return client_for(clerk, "clerk")


@pytest.fixture
def as_keeper(user):
    return client_for(user, "keeper")


@pytest.fixture
def as_qc(qc):
    return client_for(qc, "qc")


@pytest.fixture
def as_supervisor(supervisor, workshop):
    # Reviewing needs a tier assignment (the fixture's) and the workshop in scope.
    workshop.members.add(supervisor)
    return client_for(supervisor, "team_leader")


def slip(tube_qty="30", **extra):
    return {
        "work_order": "WO-1",
        "reason": "LEFTOVER",
        "explanation": "left over",
        "lines": [{"material": "TUBE", "lot": "T1", "quantity": tube_qty, **extra}],
    }


def test_a_return_slip_through_the_api(
    as_clerk, as_supervisor, as_qc, as_keeper, finance, work_order, shelf
):
    created = as_clerk.post("/api/v1/returns/", slip(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {k: body[k] for k in ("number", "state", "work_order", "product", "order_qty")} == {
        "number": None,
        "state": "draft",
        "work_order": "WO-1",
        "product": work_order.product.code,
        "order_qty": "100.0000",
    }
    assert (body["workshop"], body["warehouse_category"], body["reason"]) == (
        "WS1",
        "RAW",
        "LEFTOVER",
    )
    assert body["lines"][0]["material"] == "TUBE" and body["lines"][0]["lot"] == "T1"
    url = f"/api/v1/returns/{body['id']}/"

    scanned = as_clerk.post(
        url + "lines/", {"material": "TUBE", "lot": "T1", "quantity": "5"}, format="json"
    )
    assert scanned.status_code == 201, scanned.json()
    line_ids = [ln["id"] for ln in scanned.json()["lines"]]
    assert len(line_ids) == 2

    submitted = as_clerk.post(url + "submit/")
    assert submitted.status_code == 200 and submitted.json()["number"].startswith("RT-")
    assert (
        as_supervisor.post(url + "review/", {"comment": "ok"}, format="json").json()["state"]
        == "reviewed"
    )
    verdicts = {"lines": [{"line_id": i, "verdict": "good"} for i in line_ids]}
    inspected = as_qc.post(url + "qc-verdict/", verdicts, format="json")
    assert inspected.status_code == 200, inspected.json()
    assert inspected.json()["inspected_by"] == "qc1"

    receipt = {"lines": [{"line_id": line_ids[0], "received_qty": "29", "receive_note": "1 bent"}]}
    received = as_keeper.post(url + "receive/", receipt, format="json")
    assert received.status_code == 200, received.json()
    assert [ln["location"] for ln in received.json()["lines"]] == ["A", "A"]

    posted = as_keeper.post(url + "post/")
    assert posted.status_code == 200 and posted.json()["state"] == "posted"
    entries = as_keeper.get("/api/v1/ledger/", {"doc_type": "return"}).json()["results"]
    assert sorted(e["quantity"] for e in entries) == ["29.0000", "5.0000"]
    assert {e["device_id"] for e in entries} == {"HH-09"}

    again = as_keeper.post(url + "post/")
    assert again.status_code == 409
    assert again.json()["detail"] == f"{posted.json()['number']} is posted: it cannot be posted."
    confirmed = client_for(finance, "finance").post(url + "confirm/")
    assert confirmed.json()["state"] == "confirmed"
    assert confirmed.json()["confirmed_by"] == "finance1"


@pytest.mark.parametrize(
    "payload, field, message",
    [
        (slip(lot="T9"), "lines", "Unknown lot T9 for material TUBE."),
        (slip("101"), "excess_explanation", "Returning 101 of TUBE / T1 exceeds"),
        ({**slip(), "reason": "OVER_QUOTA"}, "reason", "does not exist"),
        ({**slip(), "work_order": "WO-9"}, "work_order", "does not exist"),
        ({**slip(), "lines": []}, "lines", "empty"),
        (slip(condition="broken"), "lines", "not a valid choice"),
    ],
)
def test_bad_slips_are_400_and_write_nothing(as_clerk, work_order, payload, field, message):
    before = stock_state()
    response = as_clerk.post("/api/v1/returns/", payload, format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert stock_state() == before and not ReturnRequest.objects.exists()


def test_mixed_warehouse_categories_are_400(as_clerk, work_order):
    MaterialFactory(code="GLUE", warehouse_category=WarehouseCategoryFactory(code="CHEM"))
    payload = slip()
    payload["lines"].append({"material": "GLUE", "quantity": "1", "excess_explanation": "x"})
    response = as_clerk.post("/api/v1/returns/", payload, format="json")
    assert response.status_code == 400
    assert "one return slip holds one warehouse category" in response.json()["lines"][0]
    assert not ReturnRequest.objects.exists()


def test_permissions_follow_the_roles(as_clerk, as_keeper, work_order):
    outsider = client_for(UserFactory(username="outsider"))
    assert outsider.post("/api/v1/returns/", slip(), format="json").status_code == 403
    assert as_keeper.post("/api/v1/returns/", slip(), format="json").status_code == 403
    request_id = as_clerk.post("/api/v1/returns/", slip(), format="json").json()["id"]
    url = f"/api/v1/returns/{request_id}/"
    assert as_clerk.post(url + "post/").status_code == 403
    assert as_clerk.post(url + "review/", {}, format="json").status_code == 403
    assert as_keeper.post(url + "submit/").status_code == 403
    assert outsider.get(url).status_code == 404  # outside the outsider's workshops (org.access)


def test_wrong_state_and_wrong_line_answers(
    as_clerk, as_qc, as_keeper, clerk, tube, lot, work_order
):
    request = draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
    other = draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
    url = f"/api/v1/returns/{request.pk}/"
    response = as_keeper.post(url + "post/")
    assert response.status_code == 409
    assert response.json() == {"detail": f"RT-draft-{request.pk} is draft: it cannot be posted."}
    rejected = as_keeper.post(url + "reject/", {"reason": ""}, format="json")
    assert rejected.status_code == 400 and "reason" in rejected.json()
    as_clerk.post(url + "submit/")
    ReturnRequest.objects.filter(pk=request.pk).update(state="reviewed")
    request.refresh_from_db()
    foreign = {"lines": [{"line_id": other.lines.get().pk, "verdict": "good"}]}
    response = as_qc.post(url + "qc-verdict/", foreign, format="json")
    assert response.status_code == 400
    assert response.json()["lines"] == [
        f"Line {other.lines.get().pk} is not a line of {request.number}."
    ]
    response = as_keeper.post(url + "reject/", {"reason": "wrong lot"}, format="json")
    assert (response.status_code, response.json()["rejection_reason"]) == (200, "wrong lot")
    cancelled = as_clerk.post(url + "cancel/")
    assert cancelled.json()["state"] == "cancelled"


def test_filters(as_clerk, clerk, user, tube, lot, work_order):
    first = draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
    draft_return(work_order, user, [line(tube, 5, lot=lot)], code="OVER_ISSUE")
    ReturnRequest.objects.filter(pk=first.pk).update(state="submitted")

    def ids(**params):
        return [r["id"] for r in as_clerk.get("/api/v1/returns/", params).json()["results"]]

    assert ids(state="submitted") == [first.pk]
    assert ids(reason="OVER_ISSUE") != [first.pk] and len(ids(reason="OVER_ISSUE")) == 1
    assert ids(applicant="clerk") == [first.pk]
    assert len(ids(work_order="WO-1", workshop="WS1")) == 2
    assert ids(workshop="WS9") == [] and ids(work_order="WO-9") == []
    assert len(ids(created_after="2000-01-01T00:00:00Z")) == 2
    assert ids(created_before="2000-01-01T00:00:00Z") == []


def test_reasons_are_listed_by_kind(as_clerk, api):
    rows = as_clerk.get("/api/v1/reasons/", {"kind": "replenish", "page_size": 50}).json()
    codes = {r["code"] for r in rows["results"]}
    assert {"OPERATOR_SCRAP", "MATERIAL_DEFECT", "SUPPLIER_SHORT"} <= codes
    assert "LEFTOVER" not in codes
    assert api.post("/api/v1/reasons/", {}, format="json").status_code == 405


def test_replenishment_and_shortage_through_the_api(
    as_clerk, as_keeper, user, clerk, qc, tube, lot, shelf, supplier_area, work_order, workshop
):
    defect = posted_return(
        work_order,
        [line(tube, 5, lot=lot)],
        applicant=clerk,
        qc=qc,
        keeper=user,
        verdict=Verdict.SUPPLIER_DEFECT,
        code="SUPPLIER_DEFECT",
    )
    cited = defect.lines.get().pk
    body = {
        "work_order": "WO-1",
        "reason": "MATERIAL_DEFECT",
        "lines": [
            {
                "material": "TUBE",
                "quantity": "6",
                "citations": [{"return_line_id": cited, "quantity": "6"}],
            }
        ],
    }
    larger = as_clerk.post("/api/v1/replenishments/", body, format="json")
    assert larger.status_code == 400 and "left to replace" in larger.json()["citations"][0]
    body["lines"][0]["quantity"] = "5"
    body["lines"][0]["citations"][0]["quantity"] = "5"
    created = as_clerk.post("/api/v1/replenishments/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["lines"][0]["citations"] == [
        {
            "return_line_id": cited,
            "return_number": defect.number,
            "quantity": "5.0000",
            "debt": None,  # a posted return: nothing replaced ahead (R-P5)
        }
    ]
    assert "amount" not in created.json()  # costs are for finance and managers (org.access)
    url = f"/api/v1/replenishments/{created.json()['id']}/"
    finance = client_for(UserFactory(username="finance-reader"), "finance")
    assert finance.get(url).json()["amount"] == "12.50"
    assert as_keeper.post(url + "issue/").status_code == 409
    submitted = as_clerk.post(url + "submit/").json()
    assert submitted["state"] == "submitted" and submitted["number"].startswith("RP-")

    tier_holder(Tier.WORKSHOP_DIRECTOR, workshop)
    approve_all(ReplenishRequest.objects.get(pk=created.json()["id"]))
    # Leave 2 on the shelf so the issue falls short.
    stock_adjust(
        material=tube, location=shelf, lot=lot, quantity=Decimal(-398), reason="count", actor=user
    )
    issued = as_keeper.post(url + "issue/")
    assert issued.status_code == 200, issued.json()
    assert issued.json()["state"] == "short"
    assert (issued.json()["lines"][0]["issued_qty"], issued.json()["lines"][0]["short_qty"]) == (
        "2.0000",
        "3.0000",
    )

    shortages = as_keeper.get("/api/v1/shortages/", {"state": "open", "material": "TUBE"})
    [shortage] = shortages.json()["results"]
    assert (shortage["quantity"], shortage["replenish_request"], shortage["work_order"]) == (
        "3.0000",
        submitted["number"],
        "WO-1",
    )
    fulfil_url = f"/api/v1/shortages/{shortage['id']}/fulfil/"
    still_short = as_keeper.post(fulfil_url)
    assert still_short.status_code == 400
    assert still_short.json()["detail"] == "Still short of TUBE: on hand 0, needed 3."
    assert client_for(clerk).post(fulfil_url).status_code == 403
    receive(tube, shelf, 3, user, batch_no="T1")
    fulfilled = as_keeper.post(fulfil_url)
    assert fulfilled.status_code == 200 and fulfilled.json()["state"] == "closed"
    assert as_keeper.get(url).json()["state"] == "issued"


def test_replenishments_list_and_cancel(as_clerk, user, clerk, tube, work_order):
    created = as_clerk.post(
        "/api/v1/replenishments/",
        {
            "work_order": "WO-1",
            "reason": "OVER_QUOTA",
            "lines": [{"material": "TUBE", "quantity": "2"}],
        },
        format="json",
    ).json()
    listed = as_clerk.get("/api/v1/replenishments/", {"reason": "OVER_QUOTA", "state": "draft"})
    assert [r["id"] for r in listed.json()["results"]] == [created["id"]]
    url = f"/api/v1/replenishments/{created['id']}/"
    assert client_for(user, "keeper").post(url + "cancel/").status_code == 403
    assert as_clerk.post(url + "cancel/").json()["state"] == "cancelled"
    assert as_clerk.post(url + "cancel/").status_code == 409


# ---------------------------------------------------------------------------- create and submit


def test_create_with_submit_creates_and_submits_in_one_call(as_clerk, work_order, shelf):
    """The page's "submit" button and the API's ``submit`` call the same service."""
    created = as_clerk.post("/api/v1/returns/", {**slip(), "submit": True}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["state"] == "submitted"
    assert created.json()["number"].startswith("RT-")


def test_a_refused_submit_at_create_leaves_no_draft(as_clerk, tube, work_order):
    PolicyVersion.objects.update(is_active=False)  # submitting needs an active policy
    body = {
        "work_order": "WO-1",
        "reason": "OVER_QUOTA",
        "lines": [{"material": "TUBE", "quantity": "2"}],
        "submit": True,
    }
    refused = as_clerk.post("/api/v1/replenishments/", body, format="json")
    assert refused.status_code == 400, refused.json()
    assert "No active approval policy" in refused.json()["detail"]
    assert not ReplenishRequest.objects.exists()
    created = as_clerk.post("/api/v1/replenishments/", {**body, "submit": False}, format="json")
    assert (created.status_code, created.json()["state"]) == (201, "draft")
