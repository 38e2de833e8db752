"""POST /api/v1/scan/: internal Code128 payloads, slip numbers and real GS1 element strings."""

import pytest

from materials.models import LocationKind, TrackingMode
from returns.models import ReasonCode, ReturnRequest, ReturnState
from tests.builders import batch_material, days_from_today, location, receive, released_work_order
from tests.factories import LocationFactory, MaterialFactory

pytestmark = pytest.mark.django_db
GS = "\x1d"


@pytest.fixture
def glue(user):
    material = batch_material(code="GLUE", gtin="09506000134352")
    receive(material, location("A"), 12, user, batch_no="ABC123", expiry_date=days_from_today(40))
    return material


def scan(api, code):
    return api.post("/api/v1/scan/", {"code": code}, format="json")


def test_lot_label_gives_material_stock_expiry_and_status(api, glue):
    body = scan(api, "L:GLUE|ABC123").json()
    assert body["type"] == "lot" and body["material"]["code"] == "GLUE"
    assert body["lot"]["expiry_date"] == str(days_from_today(40))
    assert body["lot"]["inspection_status"] == "passed" and body["lot"]["is_expired"] is False
    assert body["on_hand"] == [{"lot": "ABC123", "location": "A", "quantity": "12.0000"}]


def test_material_location_and_serial_labels(api, user):
    motor = MaterialFactory(code="MOTOR", tracking=TrackingMode.SERIAL)
    receive(motor, location("B"), 1, user, batch_no="M1", serials=["SN-9"])
    assert scan(api, "M:MOTOR").json()["type"] == "material"
    assert scan(api, "LOC:B").json()["on_hand"][0]["quantity"] == "1.0000"
    serial = scan(api, "S:MOTOR|SN-9").json()
    assert serial["serial"] == {"serial_no": "SN-9", "status": "in_stock", "location": "B"}
    assert scan(api, "B").json()["type"] == "location"  # a bare location code


@pytest.mark.parametrize(
    "code",
    [
        "(01)09506000134352(17)261231(10)ABC123(30)12",
        f"]C101095060001343521726123110ABC123{GS}3012",
        f"01095060001343521726123110ABC123{GS}3012",
    ],
)
def test_gs1_both_notations(api, glue, code):
    response = scan(api, code)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["gs1"] == {
        "gtin": "09506000134352",
        "batch_no": "ABC123",
        "expiry_date": "2026-12-31",
        "serial_no": None,
        "quantity": "12",
    }
    assert body["material"]["code"] == "GLUE" and body["lot"]["batch_no"] == "ABC123"


def test_gs1_serial_and_variable_quantity(api, glue):
    body = scan(api, "(01)09506000134352(21)SN0042(37)3").json()
    assert (body["gs1"]["serial_no"], body["gs1"]["quantity"]) == ("SN0042", "3")


@pytest.mark.parametrize(
    "code, message",
    [
        ("(01)09506000134353", "not valid"),  # wrong check digit
        ("(01)09506000134352(17)261399", "cannot be read"),  # month 13
        ("(99", "cannot be read"),
        ("", "Nothing was scanned"),
        ("X" * 201, "too long"),
    ],
)
def test_malformed_codes_are_400(api, glue, code, message):
    response = scan(api, code)
    assert response.status_code == 400
    assert message in response.json()["code"][0]


@pytest.mark.parametrize(
    "code",
    ["M:NOPE", "L:GLUE|NOPE", "LOC:NOWHERE", "RT-202611-9999", "(01)04012345123456", "garbage"],
)
def test_unknown_codes_are_404(api, glue, code):
    response = scan(api, code)
    assert response.status_code == 404
    assert "Nothing is known by the code" in response.json()["detail"]


def test_slip_number_opens_the_slip_with_its_next_actions(api, user, glue):
    work_order = released_work_order(user, components=[(glue, 1, 0)])
    ReturnRequest.objects.create(
        number="RT-202611-0001",
        work_order=work_order,
        applicant=user,
        reason=ReasonCode.objects.get(kind="return", code="LEFTOVER"),
        state=ReturnState.SUBMITTED,
    )
    body = scan(api, "RT-202611-0001").json()
    assert (body["type"], body["state"]) == ("return_request", "submitted")
    assert body["actions"] == ["cancel", "reject", "review"]


def test_scrap_location_is_resolved_too(api):
    LocationFactory(code="QA-SCRAP", kind=LocationKind.SCRAP)
    assert scan(api, "LOC:QA-SCRAP").json()["location"]["kind"] == "scrap"
