"""Scanner flows as single POSTs: issue to a work order, add a return line, receive a return
and transfer stock by scanning labels; bad scans are 400 and write nothing."""

import pytest

from audit.models import AuditEvent
from inventory.models import LedgerEntry, StockBalance
from returns.models import ReturnState
from returns.services.return_drafting import return_submit
from returns.services.return_qc import return_qc_verdict
from tests.builders import location, receive
from tests.factories import MaterialFactory
from tests.returns.builders import approve_all, draft_return, line

pytestmark = pytest.mark.django_db


def written():
    return (
        LedgerEntry.objects.count(),
        sorted(StockBalance.objects.values_list("id", "quantity")),
        AuditEvent.objects.count(),
    )


def on_hand(material, code):
    return str(StockBalance.objects.get(material=material, location__code=code).quantity)


def test_issue_by_scanning_a_lot_label_takes_it_from_the_only_shelf(api, work_order, tube):
    response = api.post(
        f"/api/v1/work-orders/{work_order.pk}/issue-scan/",
        {"code": "L:TUBE|T1", "quantity": "10"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["work_order"] == "WO-1"
    assert on_hand(tube, "A") == "390.0000"
    entry = LedgerEntry.objects.get(doc_id=response.json()["number"])
    assert (entry.quantity, entry.lot.batch_no, entry.device_id) == (-10, "T1", "HH-07")


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"code": "L:TUBE|T1"}, "quantity", "does not carry one"),
        ({"code": "L:TUBE|NOPE", "quantity": "1"}, "code", "Nothing is known by the code"),
        ({"code": "LOC:A", "quantity": "1"}, "code", "is not a material, lot or serial"),
        ({"code": "(01)09506000134353", "quantity": "1"}, "code", "not valid"),
        ({"code": "L:TUBE|T1", "quantity": "1", "location": "M:TUBE"}, "location", "not a loc"),
        ({"code": "L:TUBE|T1", "quantity": "1000"}, "location", "scan the location"),
    ],
)
def test_bad_issue_scans_are_400_and_write_nothing(api, work_order, payload, field, message):
    before = written()
    response = api.post(f"/api/v1/work-orders/{work_order.pk}/issue-scan/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert message in str(response.json()[field])
    assert written() == before


def test_transfer_by_scanning_locations_and_a_lot(api, tube, shelf):
    location("B")
    payload = {"from_location": "LOC:A", "code": "L:TUBE|T1", "to_location": "B", "quantity": "7"}
    response = api.post("/api/v1/stock/transfer-scan/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(e["quantity"] for e in response.json()) == ["-7.0000", "7.0000"]
    assert (on_hand(tube, "A"), on_hand(tube, "B")) == ("493.0000", "7.0000")


def test_transfer_of_a_serial_takes_one_unit(api, user, shelf):
    motor = MaterialFactory(code="MOTOR", tracking="serial")
    receive(motor, shelf, 1, user, batch_no="M1", serials=["SN-9"])
    location("B")
    payload = {"from_location": "A", "code": "S:MOTOR|SN-9", "to_location": "LOC:B"}
    response = api.post("/api/v1/stock/transfer-scan/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert {e["serial"] for e in response.json()} == {"SN-9"}
    assert on_hand(motor, "B") == "1.0000"


def test_return_line_added_by_scan(api, work_order, admin, tube, lot):
    request = draft_return(work_order, admin, [line(tube, 5, lot=lot)])
    url = f"/api/v1/returns/{request.pk}/lines/"
    response = api.post(url, {"code": "L:TUBE|T1", "quantity": "3"}, format="json")
    assert response.status_code == 201, response.json()
    assert [(ln["lot"], ln["quantity"]) for ln in response.json()["lines"]][-1] == ("T1", "3.0000")
    neither = api.post(url, {"quantity": "3"}, format="json")
    assert neither.status_code == 400 and "material" in neither.json()


@pytest.fixture
def inspected(work_order, clerk, qc, tube, lot):
    request = draft_return(work_order, clerk, [line(tube, 20, lot=lot)])
    request = return_submit(return_request=request, actor=clerk)
    approve_all(request)
    verdicts = [{"line": ln, "verdict": "good"} for ln in request.lines.all()]
    return return_qc_verdict(return_request=request, verdicts=verdicts, actor=qc)


def receive_scan(api, request, lines, **extra):
    body = {"slip": request.number, "lines": lines, **extra}
    return api.post("/api/v1/returns/receive-scan/", body, format="json")


def test_keeper_scans_slip_and_lines_and_the_return_is_posted(api, inspected, tube):
    scans = [
        {"code": "L:TUBE|T1", "quantity": "12"},
        {"code": "L:TUBE|T1", "quantity": "8"},  # a second box of the same lot
    ]
    response = receive_scan(api, inspected, scans)
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == ReturnState.POSTED
    assert response.json()["lines"][0]["received_qty"] == "20.0000"
    assert on_hand(tube, "A") == "420.0000"


def test_receive_scan_without_posting(api, inspected):
    response = receive_scan(api, inspected, [{"code": "L:TUBE|T1", "quantity": "20"}], post=False)
    assert response.status_code == 200 and response.json()["state"] == ReturnState.RECEIVED


@pytest.mark.parametrize(
    "slip, scans, field, message",
    [
        (None, [{"code": "M:GLUE", "quantity": "1"}], "lines", "is not on return slip"),
        (None, [{"code": "L:TUBE|T1", "quantity": "19"}], "receive_note", "note"),
        (None, [{"code": "L:TUBE|T1", "quantity": "21"}], "received_qty", "more"),
        ("RT-209901-0001", [{"code": "L:TUBE|T1"}], "slip", "Nothing is known"),
        ("LOC:A", [{"code": "L:TUBE|T1"}], "slip", "is not a return slip"),
    ],
)
def test_receive_scan_mismatches_are_400_and_write_nothing(
    api, inspected, slip, scans, field, message
):
    MaterialFactory(code="GLUE")
    before = written()
    response = api.post(
        "/api/v1/returns/receive-scan/",
        {"slip": slip or inspected.number, "lines": scans},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert message in str(response.json()[field])
    assert written() == before
    inspected.refresh_from_db()
    assert inspected.state == ReturnState.INSPECTED
