"""R-U2: labels and slips carry Code128 barcodes whose payload the scanner resolves."""

import re

import pytest
from django.test import Client

from returns.models import ReasonCode, ReturnRequest
from tests.builders import batch_material, location, receive, released_work_order, with_roles
from tests.factories import UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin):
    client = Client()
    client.force_login(admin)
    return client


def payloads(html):
    return re.findall(r'data-payload="([^"]+)"', html)


def test_barcode_images(browser):
    svg = browser.get("/print/labels/barcode.svg", {"code": "LOC:A"})
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = browser.get("/print/labels/barcode.png", {"code": "LOC:A"})
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert browser.get("/print/labels/barcode.gif", {"code": "x"}).status_code == 404
    assert Client().get("/print/labels/barcode.svg", {"code": "x"}).status_code == 302


def test_label_sheet_payloads_scan_back(browser, api, user):
    glue = batch_material(code="GLUE")
    receive(glue, location("A"), 3, user, batch_no="G1")
    page = browser.get(
        "/print/labels/", {"material": "GLUE", "lot": "GLUE|G1", "location": "A", "copies": "2"}
    ).content.decode()
    found = payloads(page)
    assert found == ["M:GLUE", "L:GLUE|G1", "LOC:A"] * 2
    kinds = [
        api.post("/api/v1/scan/", {"code": p}, format="json").json()["type"] for p in found[:3]
    ]
    assert kinds == ["material", "lot", "location"]


def test_printable_slip_carries_its_number_as_barcode(browser, api, user):
    glue = batch_material(code="GLUE")
    work_order = released_work_order(user, components=[(glue, 1, 0)])
    ReturnRequest.objects.create(
        number="RT-202611-0007",
        work_order=work_order,
        applicant=user,
        reason=ReasonCode.objects.get(kind="return", code="LEFTOVER"),
    )
    page = browser.get("/print/slips/RT-202611-0007/")
    assert page.status_code == 200
    assert payloads(page.content.decode()) == ["RT-202611-0007"]
    scanned = api.post("/api/v1/scan/", {"code": "RT-202611-0007"}, format="json").json()
    assert scanned["type"] == "return_request"
    assert browser.get("/print/slips/RT-209901-0001/").status_code == 404
    # another workshop's clerk learns nothing by guessing the sequential number
    outsider = with_roles(
        UserFactory(username="clerk-ws2"), "clerk", workshops=[WorkshopFactory(code="WS-OTHER")]
    )
    client = Client()
    client.force_login(outsider)
    assert client.get("/print/slips/RT-202611-0007/").status_code == 404
