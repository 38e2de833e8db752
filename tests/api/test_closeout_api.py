"""Close-out over the API (R-W4, R-W5): checklist, finished-goods receipt, sign-off, leftover
declaration and close — shapes, status codes, and nothing written on errors."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import AuditEvent
from inventory.models import LedgerEntry, StockBalance
from tests.factories import MaterialFactory, UserFactory
from tests.workorders.test_closeout import (
    CODES,
    completed_work_order,
    in_every_department,
    in_progress_work_order,
    return_leftover,
    sign_all,
)
from workorders.models import LeftoverDeclaration, SignOff

pytestmark = pytest.mark.django_db


def written():
    """Everything an endpoint here may write."""
    return (
        LedgerEntry.objects.count(),
        sorted(StockBalance.objects.values_list("id", "quantity")),
        SignOff.objects.count(),
        LeftoverDeclaration.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def user(user):
    return in_every_department(user)


@pytest.fixture
def completed(user):
    return completed_work_order(user)


def url(work_order, action):
    return f"/api/v1/work-orders/{work_order.pk}/{action}/"


# ---------------------------------------------------------------------------- GET closeout


def test_closeout_shows_the_checklist_deadline_and_overdue_flag(api, completed):
    response = api.get(url(completed, "closeout"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["work_order"], body["status"], body["can_close"]) == ("WO-1", "completed", False)
    assert [i["code"] for i in body["items"]] == CODES
    assert [i["code"] for i in body["items"] if not i["ok"]] == [
        "qc_passed",
        "finished_goods_received",
        "leftovers_returned",
        "sign_offs",
    ]
    leftovers = next(i for i in body["items"] if i["code"] == "leftovers_returned")
    assert leftovers["label"] == "Leftover material returned or declared consumed"
    assert leftovers["detail"] == {"open": [{"material": "TUBE", "quantity": "32.0000"}]}
    [line] = body["items"][1]["detail"]["lines"]
    assert (line["standard"], line["allowance"], line["variance_pct"]) == (
        "160.0000",
        "8.0000",
        "25.00",
    )
    assert body["leftover_deadline"] is not None and body["leftover_overdue"] is False


def test_closeout_is_overdue_24_hours_after_completion(api, completed):
    completed.completed_at -= timedelta(hours=25)
    completed.save()
    assert api.get(url(completed, "closeout")).json()["leftover_overdue"] is True


def test_closeout_queries_are_constant(api, user, completed):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url(completed, "closeout")).status_code == 200
        return len(ctx)

    baseline = queries()
    sign_all(completed, user)
    return_leftover(completed, completed.lines.get().material, 32, user)
    assert queries() == baseline


def test_closeout_of_an_unknown_work_order_is_404(api):
    assert api.get("/api/v1/work-orders/999/closeout/").status_code == 404


# ---------------------------------------------------------------------------- receive output


def test_receive_output_books_finished_goods_against_the_work_order(api, completed):
    response = api.post(
        url(completed, "receive-output"), {"location": "FG", "quantity": "76"}, format="json"
    )
    assert response.status_code == 201, response.json()
    [entry] = response.json()
    assert (entry["material"], entry["quantity"], entry["work_order"], entry["doc_type"]) == (
        completed.product.code,
        "76.0000",
        "WO-1",
        "fg_receipt",
    )
    assert entry["movement_type"] == "receipt" and entry["device_id"] == "HH-07"


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"quantity": "0"}, "quantity", "greater than zero"),
        ({"quantity": "abc"}, "quantity", "valid number"),
        ({"location": "NOWHERE"}, "location", "does not exist"),
        ({"batch_no": "B1"}, "lot", "not batch-tracked"),
        ({"serials": ["S1"]}, "serials", "not serial-tracked"),
    ],
)
def test_bad_receive_output_is_400_and_writes_nothing(api, completed, payload, field, message):
    before = written()
    body = {"location": "FG", "quantity": "1", **payload}
    response = api.post(url(completed, "receive-output"), body, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert written() == before


def test_receive_output_on_a_closed_work_order_is_409(api, user, completed):
    return_leftover(completed, completed.lines.get().material, 32, user)
    api.post(url(completed, "receive-output"), {"location": "FG", "quantity": "76"}, format="json")
    sign_all(completed, user)
    assert api.post(url(completed, "close")).status_code == 200
    before = written()
    response = api.post(
        url(completed, "receive-output"), {"location": "FG", "quantity": "1"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "Work order WO-1 is closed; it cannot be received from."
    assert written() == before


# ---------------------------------------------------------------------------- sign-off


def test_sign_off_then_the_same_role_again_is_409(api, completed):
    response = api.post(url(completed, "sign-off"), {"role": "qc", "note": "AQL 0.65"})
    assert response.status_code == 201, response.json()
    assert {k: response.json()[k] for k in ("work_order", "role", "note", "signed_by")} == {
        "work_order": "WO-1",
        "role": "qc",
        "note": "AQL 0.65",
        "signed_by": "admin",
    }
    before = written()
    again = api.post(url(completed, "sign-off"), {"role": "qc"})
    assert again.status_code == 409
    assert again.json()["detail"] == "Work order WO-1 was already signed off by QC."
    assert written() == before


@pytest.mark.parametrize(
    "payload, field",
    [({"role": "boss"}, "role"), ({}, "role"), ({"role": "qc", "note": "x" * 201}, "note")],
)
def test_bad_sign_off_is_400_and_writes_nothing(api, completed, payload, field):
    before = written()
    response = api.post(url(completed, "sign-off"), payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert written() == before


def test_sign_off_before_completion_is_409(api, user):
    work_order = in_progress_work_order(user)
    before = written()
    response = api.post(url(work_order, "sign-off"), {"role": "production"})
    assert response.status_code == 409
    assert "is in progress; it cannot be signed off" in response.json()["detail"]
    assert written() == before


# ---------------------------------------------------------------------------- declare leftover


def test_declare_leftover_clears_the_leftover_item(api, completed):
    response = api.post(
        url(completed, "declare-leftover"),
        {"material": "TUBE", "quantity": "32", "note": "bent at the press"},
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["material"], response.json()["declared_by"]) == ("TUBE", "admin")
    items = api.get(url(completed, "closeout")).json()["items"]
    assert next(i for i in items if i["code"] == "leftovers_returned")["ok"] is True
    again = api.post(
        url(completed, "declare-leftover"), {"material": "TUBE", "quantity": "1", "note": "again"}
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"material": "TUBE", "quantity": "1", "note": ""}, "note", "may not be blank"),
        ({"material": "TUBE", "quantity": "1"}, "note", "required"),
        ({"material": "TUBE", "note": "x"}, "quantity", "required"),
        ({"material": "NOPE", "quantity": "1", "note": "x"}, "material", "does not exist"),
        (
            {"material": "STRANGER", "quantity": "1", "note": "x"},
            "material",
            "is not required by work order WO-1",
        ),
        (
            {"material": "TUBE", "quantity": "33", "note": "x"},
            "quantity",
            "exceeds the leftover expected on work order WO-1 (32 PCS)",
        ),
    ],
)
def test_bad_declaration_is_400_and_writes_nothing(api, completed, payload, field, message):
    MaterialFactory(code="STRANGER")
    before = written()
    response = api.post(url(completed, "declare-leftover"), payload, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert written() == before


# ---------------------------------------------------------------------------- close


def test_close_is_409_with_the_open_items_then_closes(api, user, completed):
    before = written()
    blocked = api.post(url(completed, "close"))
    assert blocked.status_code == 409
    body = blocked.json()
    assert body["detail"].startswith("Work order WO-1 cannot be closed; open close-out items: ")
    assert [i["code"] for i in body["open_items"]] == [
        "qc_passed",
        "finished_goods_received",
        "leftovers_returned",
        "sign_offs",
    ]
    sign_offs = body["open_items"][-1]
    assert sign_offs["ok"] is False
    assert sign_offs["detail"]["missing"] == ["production", "qc", "warehouse", "finance"]
    assert written() == before

    return_leftover(completed, completed.lines.get().material, 32, user)
    api.post(url(completed, "receive-output"), {"location": "FG", "quantity": "76"}, format="json")
    for role in ("production", "qc", "warehouse", "finance"):
        assert api.post(url(completed, "sign-off"), {"role": role}).status_code == 201
    assert api.get(url(completed, "closeout")).json()["can_close"] is True

    closed = api.post(url(completed, "close"))
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    again = api.post(url(completed, "close"))
    assert again.status_code == 409
    assert again.json() == {
        "detail": "Work order WO-1 is closed; it cannot be closed.",
        "open_items": [],
    }


def test_close_in_progress_is_409_with_no_open_items(api, user):
    """The documented 409 body (``open_items``) also when the state, not the list, refuses."""
    work_order = in_progress_work_order(user)
    response = api.post(url(work_order, "close"))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Work order WO-1 is in progress; it cannot be closed.",
        "open_items": [],
    }


# ---------------------------------------------------------------------------- permissions


@pytest.mark.parametrize(
    "action, payload",
    [
        ("receive-output", {"location": "FG", "quantity": "1"}),
        ("sign-off", {"role": "qc"}),
        ("declare-leftover", {"material": "TUBE", "quantity": "1", "note": "x"}),
        ("close", {}),
    ],
)
def test_close_out_actions_need_their_permission(completed, action, payload):
    outsider = UserFactory(username="nobody")
    completed.workshop.members.add(outsider)  # in scope, without the permission
    client = APIClient()
    client.force_authenticate(outsider)
    before = written()
    assert client.post(url(completed, action), payload, format="json").status_code == 403
    assert client.get(url(completed, "closeout")).status_code == 200
    assert written() == before
