"""The warehouse's stock pages: goods receipt creating its lot (R-M4, R-S1) with labels to
print (R-U2), transfer and adjustment with a reason; each checked, then confirmed."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from inventory.models import InspectionStatus, LedgerEntry, Lot, MovementType, StockBalance
from tests.browser.scenario import GTIN
from tests.builders import batch_material, location, receive
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

RECEIVE = reverse("stock:receive")
TRANSFER = reverse("stock:transfer")
ADJUST = reverse("stock:adjust")


@pytest.fixture
def shelves(db):
    shelf = location("WH1-A01")
    location("WH1-A02", warehouse=shelf.warehouse)
    return shelf


@pytest.fixture
def tube(shelves):
    SupplierFactory(code="ACME-T", name="Acme Tubes")
    return batch_material(code="TUBE", gtin=GTIN)


def receipt(**extra):
    return {
        "code": "M:TUBE",
        "location": "LOC:WH1-A01",
        "quantity": "40",
        "batch_no": "B7",
        "expiry_date": "2031-05-31",
        "supplier": "ACME-T",
        "certificate_no": "COA-77",
        "inspection_status": "passed",
        "reference": "PO-9",
        **extra,
    }


def test_receipt_is_checked_confirmed_then_creates_the_lot_and_offers_labels(role_client, tube):
    client = role_client("keeper")
    check = client.post(RECEIVE, receipt())
    html = check.content.decode()
    assert check.status_code == 200 and 'data-testid="confirm-step"' in html
    assert "new lot" in html and "Acme Tubes" in html and "<dd>passed</dd>" in html
    assert not Lot.objects.exists() and not LedgerEntry.objects.exists()

    done = client.post(RECEIVE, {**receipt(), "confirmed": "1"})
    assert done.status_code == 302
    lot = Lot.objects.get(material=tube, batch_no="B7")
    assert (str(lot.expiry_date), lot.supplier.name, lot.certificate_no) == (
        "2031-05-31",
        "Acme Tubes",
        "COA-77",
    )
    assert lot.inspection_status == InspectionStatus.PASSED
    entry = LedgerEntry.objects.get()
    assert (entry.movement_type, entry.quantity, entry.location.code) == (
        MovementType.RECEIPT,
        40,
        "WH1-A01",
    )
    assert StockBalance.objects.get(lot=lot).quantity == 40
    assert AuditEvent.objects.filter(action="stock.receive", object_id=entry.doc_id).exists()
    page = client.get(done["Location"]).content.decode()
    assert entry.doc_id in page and 'data-testid="print-labels"' in page
    assert 'name="lot" value="TUBE|B7"' in page
    labels = client.get(reverse("print:labels"), {"lot": "TUBE|B7"})
    assert labels.status_code == 200 and "L:TUBE|B7" in labels.content.decode()


def test_a_gs1_label_fills_batch_expiry_and_quantity(role_client, tube):
    client = role_client("keeper")
    data = {"code": f"(01){GTIN}(17)301231(10)G5(30)12", "location": "WH1-A01"}
    data["inspection_status"] = "pending"
    client.post(RECEIVE, {**data, "confirmed": "1"})
    lot = Lot.objects.get(batch_no="G5")
    assert str(lot.expiry_date) == "2030-12-31"
    assert StockBalance.objects.get(lot=lot).quantity == 12


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"code": "NOPE"}, "Nothing is known by the code NOPE."),
        ({"location": "LOC:NOWHERE"}, "Nothing is known by the code LOC:NOWHERE."),
        ({"quantity": ""}, "Give the quantity: the label of TUBE"),
        ({"batch_no": ""}, "batch"),
        ({"quantity": "-3"}, "greater than zero"),
    ],
)
def test_bad_receipts_are_shown_and_book_nothing(role_client, tube, extra, message):
    response = role_client("keeper").post(RECEIVE, {**receipt(**extra), "confirmed": "1"})
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()
    assert not LedgerEntry.objects.exists() and not StockBalance.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "qc", "production_manager", "finance"])
def test_only_the_keeper_may_book_stock(role_client, tube, role):
    client = role_client(role)
    for url in (RECEIVE, TRANSFER, ADJUST):
        assert client.get(url).status_code == 403
    assert client.post(RECEIVE, {**receipt(), "confirmed": "1"}).status_code == 403
    assert not LedgerEntry.objects.exists()


@pytest.fixture
def stocked(admin, tube, shelves):
    receive(tube, shelves, 50, admin, batch_no="B1")
    return tube


def test_transfer_moves_the_lot_after_confirmation(role_client, stocked):
    client = role_client("keeper")
    data = {"from_location": "WH1-A01", "code": "L:TUBE|B1", "to_location": "LOC:WH1-A02"}
    data["quantity"] = "15"
    check = client.post(TRANSFER, data).content.decode()
    assert 'data-testid="confirm-step"' in check
    assert LedgerEntry.objects.filter(movement_type=MovementType.TRANSFER).count() == 0
    assert client.post(TRANSFER, {**data, "confirmed": "1"}).status_code == 302
    balances = dict(StockBalance.objects.values_list("location__code", "quantity"))
    assert balances == {"WH1-A01": 35, "WH1-A02": 15}
    assert LedgerEntry.objects.filter(movement_type=MovementType.TRANSFER).count() == 2


def test_transfer_refusals_book_nothing(role_client, stocked):
    client = role_client("keeper")
    same = {"from_location": "WH1-A01", "code": "L:TUBE|B1", "to_location": "WH1-A01"}
    response = client.post(TRANSFER, {**same, "quantity": "5", "confirmed": "1"})
    assert response.status_code == 400
    assert "Source and destination locations are the same." in response.content.decode()
    too_much = {**same, "to_location": "WH1-A02", "quantity": "80", "confirmed": "1"}
    assert client.post(TRANSFER, too_much).status_code == 400
    assert LedgerEntry.objects.filter(movement_type=MovementType.TRANSFER).count() == 0
    assert StockBalance.objects.get(location__code="WH1-A01").quantity == 50


def test_adjustment_needs_a_reason_and_books_after_confirmation(role_client, stocked):
    client = role_client("keeper")
    data = {"location": "WH1-A01", "code": "L:TUBE|B1", "quantity": "-4", "reason": ""}
    refused = client.post(ADJUST, {**data, "confirmed": "1"})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    data["reason"] = "count 2026-12: 4 crushed"
    assert 'data-testid="confirm-step"' in client.post(ADJUST, data).content.decode()
    assert not LedgerEntry.objects.filter(movement_type=MovementType.ADJUSTMENT).exists()
    assert client.post(ADJUST, {**data, "confirmed": "1"}).status_code == 302
    entry = LedgerEntry.objects.get(movement_type=MovementType.ADJUSTMENT)
    assert (entry.quantity, entry.remark) == (-4, "count 2026-12: 4 crushed")
    assert StockBalance.objects.get().quantity == 46


def test_an_adjustment_below_zero_is_refused(role_client, stocked):
    data = {"location": "WH1-A01", "code": "L:TUBE|B1", "quantity": "-60", "reason": "lost"}
    response = role_client("keeper").post(ADJUST, {**data, "confirmed": "1"})
    assert response.status_code == 400
    assert StockBalance.objects.get().quantity == 50
    assert not LedgerEntry.objects.filter(movement_type=MovementType.ADJUSTMENT).exists()


def test_the_menu_offers_the_stock_pages_to_the_keeper_only(role_client, shelves):
    home = role_client("keeper").get("/").content.decode()
    assert all(url in home for url in (RECEIVE, TRANSFER, ADJUST))
    clerk_home = role_client("clerk", username="clerk2").get("/").content.decode()
    assert not any(url in clerk_home for url in (RECEIVE, TRANSFER, ADJUST))
