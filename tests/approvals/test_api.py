"""The approvals API: inbox, decisions, bulk approval, preview, policies, tiers, delegations."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.models import ApprovalStep, PolicyVersion, StepState, Tier, TierAssignment
from approvals.services import COMMENT_REQUIRED, STEP_DECIDED
from audit.models import AuditEvent
from tests.approvals.builders import (
    SPEC_PERCENT,
    client_for,
    delegate,
    holds,
    open_steps,
    policy_data,
    replenish_request,
    return_request,
    work_order,
)
from tests.builders import with_roles
from tests.factories import UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

WD, PM = Tier.WORKSHOP_DIRECTOR, Tier.PRODUCTION_MANAGER
INBOX = "/api/v1/approvals/"


@pytest.fixture
def plant(handled):
    """dir1 directs WS1 (and sees amounts); a replenishment (WD then PM) and a return (WD)
    wait in WS1, and a replenishment waits in WS2."""
    users = {name: UserFactory(username=name) for name in ("clerk", "dir1", "pm", "outsider")}
    WorkshopFactory(code="WS2")
    holds(with_roles(users["dir1"], "workshop_director"), WD, WorkshopFactory(code="WS1"))
    holds(users["pm"], PM)
    ws1 = work_order(users["clerk"], number="WO-1", workshop="WS1")
    replenish = replenish_request(users["clerk"], ws1, qty=12, amount=30)
    steps = {
        "replenish": open_steps(replenish, [WD, PM]),
        "return": open_steps(return_request(users["clerk"], ws1), [WD]),
        "ws2": open_steps(
            replenish_request(users["clerk"], work_order(users["clerk"], "WO-2", "WS2")), [WD]
        ),
    }
    return users, steps


def test_the_inbox_shows_what_is_needed_to_decide(plant):
    users, steps = plant
    page = client_for(users["dir1"]).get(INBOX).json()
    assert page["count"] == 2
    step = steps["replenish"][0]
    [item] = [row for row in page["results"] if row["id"] == step.pk]
    request = item.pop("request")
    assert {k: item[k] for k in ("tier", "round", "sequence", "overdue", "policy_version")} == {
        "tier": WD,
        "round": 1,
        "sequence": 1,
        "overdue": False,
        "policy_version": 1,
    }
    assert item["context"]["ratio"] == "0.0100" and item["context"]["order_band"] == "le1000"
    assert item["history"] == [] and item["requester"] == "clerk" and item["workshop"] == "WS1"
    material = step.request.lines.get().material
    assert request == {
        "kind": "replenish",
        "id": step.object_id,
        "number": step.request.number,
        "state": "submitted",
        "work_order": "WO-1",
        "planned_qty": "1000.0000",
        "reason": "OVER_QUOTA",
        "reason_name": "Over-quota loss",
        "applicant": "clerk",
        "amount": "30.00",
        "lines": [
            {"material": material.code, "material_name": material.name, "quantity": "12.0000"}
        ],
    }
    [other] = [row for row in page["results"] if row["id"] != step.pk]
    assert other["request"]["kind"] == "return" and other["request"]["amount"] is None


def test_inbox_filters(plant):
    users, steps = plant
    client = client_for(users["dir1"])

    def ids(**params):
        return {row["id"] for row in client.get(INBOX, params).json()["results"]}

    replenish, ret = steps["replenish"][0].pk, steps["return"][0].pk
    assert ids(kind="return") == {ret}
    assert ids(kind="replenish", tier=WD, workshop="WS1") == {replenish}
    assert ids(workshop="WS2") == ids(tier=PM) == ids(overdue="true") == set()
    ApprovalStep.objects.filter(pk=ret).update(due_at=timezone.now() - timedelta(hours=1))
    assert ids(overdue="true") == {ret} and ids(overdue="false") == {replenish}
    assert client.get(INBOX, {"kind": "loan"}).status_code == 400


def test_approve_moves_the_request_on_and_shows_the_history(plant):
    users, steps = plant
    first = steps["replenish"][0]
    response = client_for(users["dir1"]).post(
        f"{INBOX}{first.pk}/approve/", {"comment": "fine"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["history"][0]["comment"]) == (
        "approved",
        "fine",
    )
    [item] = client_for(users["pm"]).get(INBOX).json()["results"]
    assert [(h["tier"], h["decided_by"], h["state"]) for h in item["history"]] == [
        (WD, "dir1", "approved")
    ]
    event = AuditEvent.objects.get(action="approval.approved")
    assert (event.actor_username, event.device_id) == ("dir1", "PC-3")


def test_reject_needs_a_comment(plant):
    users, steps = plant
    url = f"{INBOX}{steps['return'][0].pk}/reject/"
    client = client_for(users["dir1"])
    response = client.post(url, {}, format="json")
    assert response.status_code == 400
    assert response.json()["comment"] == [str(COMMENT_REQUIRED)]
    assert client.post(url, {"comment": "wrong lot"}, format="json").json()["state"] == "rejected"


def test_deciding_twice_or_out_of_order_is_409(plant):
    users, steps = plant
    first, second = steps["replenish"]
    holds(users["dir1"], PM)
    client = client_for(users["dir1"])
    assert client.post(f"{INBOX}{second.pk}/approve/").status_code == 409  # still waiting
    assert client.post(f"{INBOX}{first.pk}/approve/").status_code == 200
    response = client.post(f"{INBOX}{first.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["detail"] == STEP_DECIDED % {"state": "approved"}


def test_steps_outside_the_users_tiers_are_404(plant):
    users, steps = plant
    ws2 = steps["ws2"][0]
    for user in (users["dir1"], users["outsider"], users["clerk"]):
        client = client_for(user)
        assert client.get(f"{INBOX}{ws2.pk}/").status_code == 404
        assert client.post(f"{INBOX}{ws2.pk}/approve/").status_code == 404
    ws2.refresh_from_db()
    assert ws2.state == StepState.PENDING


def test_a_delegate_decides_over_the_api(plant):
    users, steps = plant
    delegate(users["dir1"], users["outsider"])
    client = client_for(users["outsider"])
    assert client.get(INBOX).json()["count"] == 2
    client.post(f"{INBOX}{steps['return'][0].pk}/approve/")
    step = ApprovalStep.objects.get(pk=steps["return"][0].pk)
    assert (step.decided_by, step.on_behalf_of) == (users["outsider"], users["dir1"])


def test_bulk_approve_reports_each_id(plant):
    users, steps = plant
    ids = [steps["replenish"][0].pk, steps["ws2"][0].pk, steps["return"][0].pk, 999999]
    response = client_for(users["dir1"]).post(
        f"{INBOX}bulk-approve/", {"ids": ids, "comment": "batch"}, format="json"
    )
    assert response.status_code == 200
    assert [(row["id"], row["ok"]) for row in response.json()] == [
        (ids[0], True),
        (ids[1], False),
        (ids[2], True),
        (ids[3], False),
    ]
    assert response.json()[1]["error"] == "Not found."
    assert ApprovalStep.objects.get(pk=ids[2]).comment == "batch"
    again = client_for(users["dir1"]).post(f"{INBOX}bulk-approve/", {"ids": ids[:1]}, format="json")
    assert again.json()[0]["error"] == STEP_DECIDED % {"state": "approved"}


def test_bulk_approve_needs_ids(plant):
    users, _steps = plant
    response = client_for(users["dir1"]).post(f"{INBOX}bulk-approve/", {"ids": []}, format="json")
    assert response.status_code == 400 and "ids" in response.json()


def test_anonymous_users_get_401():
    assert APIClient().get(INBOX).status_code == 401


# ------------------------------------------------------------------ preview


PREVIEW = f"{INBOX}preview/"
SMALL_A = {"approval_class": "A", "order_qty": "1000", "required_qty": "1000"}


def test_preview_routes_like_real_routing(user):
    response = client_for(user).get(PREVIEW, {**SMALL_A, "replenish_qty": "10"})
    assert response.status_code == 200
    assert response.json() == {
        "ratio": "0.0100",
        "request_ratio": "0.0100",
        "request_qty": "10.0000",
        "prior_qty": "0.0000",
        "cumulative_qty": "10.0000",
        "required_qty": "1000.0000",
        "order_band": "le1000",
        "approval_class": "A",
        "chain": [WD],
        "policy_version": 1,
        "cell": {"tier": WD, "max_ratio": "0.010000"},
    }


def test_preview_ratio_is_cumulative_with_what_the_order_already_has(user):
    """R-A2 (sharpened): 8 already replenished or pending + 4 = 1.2 % of 1,000 needed."""
    params = {**SMALL_A, "replenish_qty": "4", "prior_qty": "8"}
    route = client_for(user).get(PREVIEW, params).json()
    assert (route["ratio"], route["request_ratio"], route["cumulative_qty"]) == (
        "0.0120",
        "0.0040",
        "12.0000",
    )
    assert route["chain"] == [WD, PM]


def test_preview_with_reason_and_amount(user):
    params = {**SMALL_A, "replenish_qty": "1", "reason": "OPERATOR_SCRAP", "amount": "1500"}
    chain = client_for(user).get(PREVIEW, params).json()["chain"]
    assert chain == [WD, PM, Tier.MATERIAL_CONTROL, Tier.MC_SUPERVISOR, Tier.DEPUTY_GM]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"approval_class": "Z"}, "approval_class"),
        ({"order_qty": "many"}, "order_qty"),
        ({"required_qty": "0"}, "required_qty"),
        ({"replenish_qty": "-1"}, "replenish_qty"),
        ({"reason": "NOPE"}, "reason"),
        ({"reason": "LEFTOVER"}, "reason"),  # a return reason
        ({"prior_qty": "-1"}, "prior_qty"),
    ],
)
def test_preview_bad_params_are_400_with_field_messages(user, params, field):
    response = client_for(user).get(PREVIEW, {**SMALL_A, "replenish_qty": "1", **params})
    assert response.status_code == 400
    assert response.json()[field]


def test_preview_missing_params_are_400(user):
    response = client_for(user).get(PREVIEW)
    assert response.status_code == 400
    assert set(response.json()) == {
        "approval_class",
        "order_qty",
        "required_qty",
        "replenish_qty",
        "detail",
    }


# ------------------------------------------------------------------ administration


def policy_payload(percent=None, **overrides):
    data = policy_data(percent, **overrides)
    for band in data["bands"]:
        band["upper_bound"] = band["upper_bound"] and str(band["upper_bound"])
    for cell in data["cells"]:
        cell["max_ratio"] = str(cell["max_ratio"])
    return {**data, "valuable_amount": str(data["valuable_amount"]), "note": "2027 matrix"}


def test_publishing_a_policy_version(api):
    percent = {**SPEC_PERCENT, ("A", "le1000"): (2, 3, 5, 10)}
    response = api.post("/api/v1/approval-policies/", policy_payload(percent), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["version"], body["is_active"], len(body["bands"]), len(body["cells"])) == (
        2,
        True,
        3,
        36,
    )
    assert body["bands"][-1] == {"code": "gt5000", "upper_bound": None}
    preview = api.get(PREVIEW, {**SMALL_A, "replenish_qty": "15"}).json()
    assert (preview["policy_version"], preview["chain"]) == (2, [WD])
    assert PolicyVersion.objects.get(version=1).is_active
    event = AuditEvent.objects.get(action="policyversion.publish")
    assert (event.actor_username, event.after["version"]) == ("admin", 2)


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d["bands"].pop(), "bands"),  # no open top band
        (lambda d: d["cells"][0].update(band="le9"), "cells"),
        (lambda d: d["cells"][0].update(max_ratio="0.5"), "cells"),  # above the next tier
        (lambda d: d["cells"][0].update(tier="qc"), "cells"),
        (lambda d: d.update(bands=[]), "bands"),
    ],
)
def test_bad_policies_are_400_and_publish_nothing(api, change, field):
    payload = policy_payload()
    change(payload)
    response = api.post("/api/v1/approval-policies/", payload, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert PolicyVersion.objects.count() == 1


@pytest.mark.parametrize(
    "change, missing",
    [
        (lambda d: d.update(cells=[]), "Class A, band le1000 has no workshop director limit"),
        (lambda d: d["cells"].pop(), "Class C, band gt5000 has no executive GM limit"),
    ],
)
def test_an_active_policy_without_a_complete_matrix_is_400(api, change, missing):
    """R-A2/R-A5: a hole in the matrix would route that cell's requests to the GM."""
    payload = policy_payload()
    change(payload)
    response = api.post("/api/v1/approval-policies/", payload, format="json")
    assert response.status_code == 400
    assert missing in response.json()["cells"][0]
    assert response.json()["detail"] == response.json()["cells"][0]
    assert PolicyVersion.objects.count() == 1
    assert not AuditEvent.objects.filter(action="policyversion.publish").exists()


def test_an_inactive_draft_may_be_incomplete(api):
    response = api.post(
        "/api/v1/approval-policies/", policy_payload(cells=[], is_active=False), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["is_active"] is False


def test_only_administrators_publish_policies(user):
    client = client_for(user)
    assert client.get("/api/v1/approval-policies/").json()["count"] == 1
    response = client.post("/api/v1/approval-policies/", policy_payload(), format="json")
    assert response.status_code == 403


def test_tier_assignments_and_delegations_are_audited_master_data(api, user):
    WorkshopFactory(code="WS1")
    created = api.post(
        "/api/v1/tier-assignments/",
        {"user": user.username, "tier": WD, "workshop": "WS1"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    plant_wide = api.post(
        "/api/v1/tier-assignments/", {"user": user.username, "tier": PM}, format="json"
    )
    assert plant_wide.json()["workshop"] is None
    assert api.get("/api/v1/tier-assignments/", {"plant_wide": "true"}).json()["count"] == 1
    assert TierAssignment.objects.filter(user=user).count() == 2
    assert AuditEvent.objects.filter(action="tierassignment.create").count() == 2
    UserFactory(username="sub")
    today = timezone.localdate()
    delegation = {"principal": user.username, "delegate": "sub", "starts": str(today)}
    bad = api.post(
        "/api/v1/delegations/",
        {**delegation, "ends": str(today - timedelta(days=1))},
        format="json",
    )
    assert bad.status_code == 400
    good = api.post("/api/v1/delegations/", {**delegation, "ends": str(today)}, format="json")
    assert good.status_code == 201, good.json()
    assert api.get("/api/v1/delegations/", {"active_on": str(today)}).json()["count"] == 1
    assert AuditEvent.objects.filter(action="delegation.create").count() == 1


def test_only_administrators_assign_tiers(user):
    response = client_for(user).post(
        "/api/v1/tier-assignments/", {"user": user.username, "tier": "gm"}, format="json"
    )
    assert response.status_code == 403
