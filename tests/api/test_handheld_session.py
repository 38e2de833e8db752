"""The acceptance session of a handheld (issue #4): scan the lot → the return slip with its
line → submit → (approval and QC at their desks) → the keeper scans the slip and its lines
→ posted. Every handheld POST is sent twice with the same Idempotency-Key: identical
answers, one booking, and the audit trail names the device."""

import json

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from audit.models import AuditEvent
from core.models import IdempotencyKey
from inventory.models import LedgerEntry, StockBalance
from org.services import api_token_issue, role_groups_sync
from returns.models import ReturnRequest
from returns.services.return_qc import return_qc_verdict
from tests.factories import UserFactory
from tests.returns.builders import approve_all

pytestmark = pytest.mark.django_db


def handheld(user, role, device):
    role_groups_sync()
    user.groups.add(Group.objects.get(name=role))
    _token, raw_key = api_token_issue(
        name=device, kind="device", user=user, actor=user, device_id=device
    )
    client = APIClient(HTTP_X_DEVICE_ID=device)
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw_key}")
    return client


class Session:
    """Posts each step twice with one key and checks the retry is a faithful replay."""

    def __init__(self):
        self.steps = 0

    def post(self, client, url, body):
        self.steps += 1
        key = f"session-step-{self.steps}"
        first, retry = (
            client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key) for _ in range(2)
        )
        assert first.status_code < 300, first.content
        assert (retry.status_code, retry.content) == (first.status_code, first.content)
        assert retry["Idempotent-Replayed"] == "true"
        return json.loads(first.content)


def test_handheld_return_session_books_once(work_order, clerk, qc, tube, lot):
    keeper = UserFactory(username="keeper7")
    work_order.workshop.members.add(clerk)
    line_side = handheld(clerk, "clerk", "HH-21")
    warehouse = handheld(keeper, "keeper", "HH-22")
    session = Session()

    scanned = session.post(line_side, "/api/v1/scan/", {"code": "L:TUBE|T1"})
    assert (scanned["type"], scanned["lot"]["batch_no"]) == ("lot", "T1")
    slip = session.post(
        line_side,
        "/api/v1/returns/",
        {
            "work_order": "WO-1",
            "reason": "LEFTOVER",
            "lines": [{"material": scanned["material"]["code"], "lot": "T1", "quantity": "20"}],
        },
    )
    url = f"/api/v1/returns/{slip['id']}/"
    with_line = session.post(line_side, url + "lines/", {"code": "L:TUBE|T1", "quantity": "5"})
    assert len(with_line["lines"]) == 2
    submitted = session.post(line_side, url + "submit/", {})
    assert submitted["number"].startswith("RT-")

    request = ReturnRequest.objects.get(pk=slip["id"])
    approve_all(request)  # at the supervisor's desk
    return_qc_verdict(
        return_request=request,
        verdicts=[{"line": ln, "verdict": "good"} for ln in request.lines.all()],
        actor=qc,
    )

    posted = session.post(
        warehouse,
        "/api/v1/returns/receive-scan/",
        {
            "slip": submitted["number"],
            "lines": [
                {"code": "L:TUBE|T1", "quantity": "20"},
                {"code": "L:TUBE|T1", "quantity": "5"},
            ],
        },
    )
    assert posted["state"] == "posted"

    entries = LedgerEntry.objects.filter(doc_type="return")
    assert sorted(e.quantity for e in entries) == [5, 20]
    assert {e.device_id for e in entries} == {"HH-22"}
    assert StockBalance.objects.get(material=tube, lot=lot, location__code="A").quantity == 425
    assert ReturnRequest.objects.count() == 1
    devices = dict(
        AuditEvent.objects.filter(
            object_id=str(slip["id"]), action__startswith="return"
        ).values_list("action", "device_id")
    )
    assert (devices["return.create"], devices["return.line_add"]) == ("HH-21", "HH-21")
    assert (devices["return.receive"], devices["return.post"]) == ("HH-22", "HH-22")


@pytest.mark.parametrize("key", [None, "big-1"])
def test_an_oversized_body_is_413_and_writes_nothing(api, settings, key):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = {"material": "M1", "location": "A", "quantity": "1", "reference": "x" * 2000}
    response = api.post("/api/v1/stock/receive/", body, format="json", **headers)
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}
    assert not LedgerEntry.objects.exists() and not IdempotencyKey.objects.exists()
