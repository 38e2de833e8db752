"""Supplier-return pages (R-S2, R-U2): list with filters and search, a new return picked
from one supplier's stock in the supplier-return area (on hand per lot shown), the detail's
actions with "I confirm" where they cannot be undone, the printable slip with its barcode,
the inbox showing the signature steps, the menu entry for the warehouse."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import steps_of
from inventory.models import StockBalance
from inventory.scanning import slip_result
from returns.models import SupplierReturn, SupplierReturnState
from tests.builders import batch_material, receive, with_roles
from tests.factories import SupplierFactory, UserFactory
from tests.returns.supplier_builders import (
    draft_supplier_return,
    posted_supplier_return,
    signed_supplier_return,
    signer,
    sr_line,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="SUP-ALU", name="Foshan Aluminium Co.")


@pytest.fixture
def stock(user, supplier_area, supplier):
    """12 tubes of SUP-ALU's lot D1 lying in the supplier-return area SR."""
    tube = batch_material(code="TUBE", standard_cost=Decimal("10"))
    receive(tube, supplier_area, 12, user, batch_no="D1", supplier=supplier)
    return tube, tube.lots.get()


@pytest.fixture
def keeper_client(client, user):
    client.force_login(user)
    return client


def test_new_page_shows_on_hand_per_lot_and_creates(keeper_client, stock, supplier, supplier_area):
    tube, lot = stock
    page = keeper_client.get(reverse("returns:supplier_return_new"), {"supplier": "SUP-ALU"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "D1" in text and "12" in text and 'name="viewport"' in text
    balance = StockBalance.objects.get(location=supplier_area, lot=lot)
    too_much = keeper_client.post(
        reverse("returns:supplier_return_new"),
        {"supplier": "SUP-ALU", "reason": "Cracked", f"qty_{balance.pk}": "13"},
    )
    assert too_much.status_code == 400
    assert "Only 12 of TUBE / D1 is on hand at SR; 13 asked." in too_much.content.decode()
    assert not SupplierReturn.objects.exists()
    done = keeper_client.post(
        reverse("returns:supplier_return_new"),
        {"supplier": "SUP-ALU", "reason": "Cracked", f"qty_{balance.pk}": "12"},
    )
    supplier_return = SupplierReturn.objects.get()
    assert done.status_code == 302 and done.url == supplier_return.get_absolute_url()
    assert supplier_return.claim_amount == Decimal("120.00")


def test_list_filters_and_searches(keeper_client, user, stock, supplier, supplier_area):
    tube, lot = stock
    first = draft_supplier_return(supplier, [sr_line(tube, 2, supplier_area, lot)], user)
    second = draft_supplier_return(supplier, [sr_line(tube, 3, supplier_area, lot)], user)
    url = reverse("returns:supplier_return_list")
    page = keeper_client.get(url, {"q": second.number[-4:]})
    assert second.number in page.content.decode() and first.number not in page.content.decode()
    page = keeper_client.get(url, {"state": "posted", "supplier": "SUP-ALU"})
    assert first.number not in page.content.decode()
    page = keeper_client.get(url, {"state": "draft", "supplier": "SUP-ALU"})
    assert first.number in page.content.decode()
    assert reverse("returns:supplier_return_list") in keeper_client.get("/").content.decode()


def test_detail_actions_through_to_credit(keeper_client, user, stock, supplier, supplier_area):
    tube, lot = stock
    supplier_return = draft_supplier_return(supplier, [sr_line(tube, 12, supplier_area, lot)], user)

    def act(action, data=None):
        url = reverse(
            "returns:supplier_return_action", kwargs={"pk": supplier_return.pk, "action": action}
        )
        return keeper_client.post(url, data or {})

    assert act("post").status_code == 302  # not confirmed: nothing done
    assert act("post", {"confirmed": "1"}).status_code == 409
    assert act("submit").status_code == 302
    detail = keeper_client.get(supplier_return.get_absolute_url())
    assert "awaiting signatures" in detail.content.decode()
    inbox_user = signer("warehouse_supervisor")
    keeper_client.force_login(inbox_user)
    inbox = keeper_client.get(reverse("approvals:inbox"))
    assert supplier_return.number in inbox.content.decode()
    step = steps_of(supplier_return).get(state=StepState.PENDING)
    keeper_client.post(reverse("approvals:decide", args=[step.pk, "approve"]), {"comment": ""})
    keeper_client.force_login(signer("mc_supervisor"))
    step = steps_of(supplier_return).get(state=StepState.PENDING)
    keeper_client.post(reverse("approvals:decide", args=[step.pk, "approve"]), {"comment": ""})
    keeper_client.force_login(user)
    supplier_return.refresh_from_db()
    assert supplier_return.state == SupplierReturnState.SIGNED
    assert act("amount", {"amount": "100"}).status_code == 302
    today = timezone.localdate().isoformat()
    assert act("acknowledge", {"name": "", "on": today}).status_code == 400
    assert act("acknowledge", {"name": "Chen Wei", "on": today}).status_code == 302
    assert act("post", {"confirmed": "1"}).status_code == 302
    supplier_return.refresh_from_db()
    assert (supplier_return.state, supplier_return.claim_amount) == (
        SupplierReturnState.POSTED,
        Decimal("100.00"),
    )
    assert (
        act("credit", {"credit_note": "CN-1", "amount": "100", "confirmed": "1"}).status_code == 302
    )
    twice = act("credit", {"credit_note": "CN-2", "amount": "1", "confirmed": "1"})
    assert twice.status_code == 409
    assert "already closed" in twice.content.decode()


def test_replacement_page_closes_the_claim(
    keeper_client, user, stock, supplier, supplier_area, shelf
):
    tube, lot = stock
    supplier_return = posted_supplier_return(supplier, [sr_line(tube, 4, supplier_area, lot)], user)
    url = reverse(
        "returns:supplier_return_action", kwargs={"pk": supplier_return.pk, "action": "replacement"}
    )
    line_ = supplier_return.lines.get()
    data = {"line": line_.pk, "quantity": "4", "location": "A", "batch_no": "D2", "confirmed": "1"}
    wrong = keeper_client.post(url, {**data, "location": "SR"})
    assert wrong.status_code == 400
    assert keeper_client.post(url, data).status_code == 302
    supplier_return.refresh_from_db()
    assert supplier_return.state == SupplierReturnState.CLOSED
    assert StockBalance.objects.get(location=shelf, lot__batch_no="D2").quantity == 4


def test_print_slip_has_the_barcode(keeper_client, user, stock, supplier, supplier_area):
    tube, lot = stock
    supplier_return = signed_supplier_return(supplier, [sr_line(tube, 2, supplier_area, lot)], user)
    page = keeper_client.get(reverse("returns:supplier_return_print", args=[supplier_return.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'data-payload="{supplier_return.number}"' in text and "<svg" in text
    assert "Chen Wei" in text


def test_people_outside_the_warehouse_are_refused(client, user, stock, supplier, supplier_area):
    tube, lot = stock
    supplier_return = draft_supplier_return(supplier, [sr_line(tube, 2, supplier_area, lot)], user)
    clerk = with_roles(UserFactory(username="line-clerk"), "clerk")
    client.force_login(clerk)
    assert client.get(reverse("returns:supplier_return_list")).status_code == 403
    assert client.get(supplier_return.get_absolute_url()).status_code == 403
    assert client.get(reverse("returns:supplier_return_new")).status_code == 403


def test_slip_number_link_and_scan_open_the_supplier_return(
    keeper_client, user, stock, supplier, supplier_area
):
    tube, lot = stock
    supplier_return = draft_supplier_return(supplier, [sr_line(tube, 2, supplier_area, lot)], user)
    page = keeper_client.get(reverse("returns:slip_print", args=[supplier_return.number]))
    assert page.url == reverse("returns:supplier_return_print", args=[supplier_return.pk])
    assert slip_result(supplier_return.number) == {
        "type": "supplier_return",
        "id": supplier_return.pk,
        "number": supplier_return.number,
        "state": "draft",
        "actions": ["cancel", "submit"],
    }
