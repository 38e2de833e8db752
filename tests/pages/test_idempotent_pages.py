"""Issue #16 item 2: the scanning pages' POSTs honour an Idempotency-Key (the hidden field a
form renders, or the header htmx sends) with the API's rule (core.idempotency.once): the
same key and body again get the first outcome and book nothing twice, another key books
again, the key reused for another body is refused with a clear message."""

import re

import pytest
from django.urls import reverse

from core.idempotency import PAGE_FIELD, REPLAYED_HEADER
from core.models import IdempotencyKey
from inventory.models import LedgerEntry, MovementType, StockBalance
from returns.models import ReasonCode, ReturnRequest
from tests.browser.scenario import gs1, scenario_build
from tests.builders import batch_material, location, receive

pytestmark = pytest.mark.django_db

TRANSFER = reverse("stock:transfer")
NEW_RETURN = reverse("returns:new_return")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def keeper(role_client):
    shelf = location("WH1-A01")
    location("WH1-A02", warehouse=shelf.warehouse)
    tube = batch_material(code="TUBE")
    client = role_client("keeper")
    receive(tube, shelf, 50, client.user, batch_no="B1")
    return client


def transfer(quantity="5", key="key-1"):
    return {
        "from_location": "LOC:WH1-A01",
        "code": "L:TUBE|B1",
        "to_location": "LOC:WH1-A02",
        "quantity": quantity,
        "remark": "",
        "confirmed": "1",
        PAGE_FIELD: key,
    }


def moved():
    """Transfers booked (the incoming entry of each) and what is on the second shelf."""
    pairs = LedgerEntry.objects.filter(movement_type=MovementType.TRANSFER, quantity__gt=0).count()
    balance = StockBalance.objects.filter(location__code="WH1-A02").first()
    return pairs, balance.quantity if balance else 0


def messages_of(client, response):
    return client.get(response["Location"]).content.decode()


def test_the_form_sent_twice_books_once_and_says_so(keeper):
    first = keeper.post(TRANSFER, transfer())
    second = keeper.post(TRANSFER, transfer())
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == TRANSFER
    assert second[REPLAYED_HEADER] == "true" and REPLAYED_HEADER not in first
    assert moved() == (1, 5)
    assert "That was sent twice: it was done once, not again." in messages_of(keeper, second)


def test_another_key_books_again(keeper):
    keeper.post(TRANSFER, transfer(key="key-1"))
    keeper.post(TRANSFER, transfer(key="key-2"))
    assert moved() == (2, 10)


def test_without_a_key_the_page_works_as_before(keeper):
    keeper.post(TRANSFER, {**transfer(), PAGE_FIELD: ""})
    keeper.post(TRANSFER, {**transfer(), PAGE_FIELD: ""})
    assert moved() == (2, 10) and not IdempotencyKey.objects.exists()


def test_the_key_reused_for_another_body_is_refused_clearly(keeper):
    keeper.post(TRANSFER, transfer(quantity="5"))
    refused = keeper.post(
        TRANSFER, transfer(quantity="7"), HTTP_REFERER=f"http://testserver{TRANSFER}"
    )
    assert refused.status_code == 303 and refused["Location"] == f"http://testserver{TRANSFER}"
    assert "This Idempotency-Key was used for a different request." in messages_of(keeper, refused)
    htmx = keeper.post(TRANSFER, transfer(quantity="8"), **HTMX)
    assert htmx.status_code == 422
    assert htmx.content.decode() == "This Idempotency-Key was used for a different request."
    assert moved() == (1, 5)


def test_a_refused_check_is_replayed_and_a_new_render_has_a_new_key(keeper):
    wrong = {**transfer(), "code": "L:TUBE|NOPE", "confirmed": ""}
    first = keeper.post(TRANSFER, wrong)
    second = keeper.post(TRANSFER, wrong)
    assert first.status_code == second.status_code == 400
    assert second.content == first.content and second[REPLAYED_HEADER] == "true"
    keys = re.findall(rf'name="{PAGE_FIELD}" value="([0-9a-f-]+)"', first.content.decode())
    assert len(keys) == 1 and keys[0] != "key-1"
    assert moved() == (0, 0)


@pytest.fixture
def clerk(client, reference_data):
    scene = scenario_build()
    client.force_login(scene.users["clerk"])
    client.scene = scene
    return client


def return_form(client, key):
    return {
        "work_order": client.scene.work_order.number,
        "reason": ReasonCode.objects.get(code="SUPPLIER_DEFECT").pk,
        "explanation": "split tubes",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-material": "TUBE",
        "form-0-lot": "B1",
        "form-0-serials": "",
        "form-0-quantity": "5",
        "form-0-condition": "defective",
        "form-0-excess_explanation": "",
        "action": "submit",
        PAGE_FIELD: key,
    }


def test_a_return_submitted_twice_is_created_once(clerk):
    first = clerk.post(NEW_RETURN, return_form(clerk, "k-return"))
    second = clerk.post(NEW_RETURN, return_form(clerk, "k-return"))
    slip = ReturnRequest.objects.get()
    detail = reverse("returns:request_detail", kwargs={"kind": "return", "pk": slip.pk})
    assert first["Location"] == second["Location"] == detail
    assert slip.lines.count() == 1


def test_htmx_scans_carry_their_own_key_in_the_header(clerk):
    """The scan posts the whole form, hidden key field included; the header wins, so every
    scan is its own request and the form's key stays free for Submit."""
    scan = {**return_form(clerk, "k-form"), "action": "scan", "code": gs1(2)}
    first = clerk.post(NEW_RETURN, scan, HTTP_IDEMPOTENCY_KEY="scan-1", **HTMX)
    other = clerk.post(NEW_RETURN, {**scan, "code": gs1(1)}, HTTP_IDEMPOTENCY_KEY="scan-2", **HTMX)
    again = clerk.post(NEW_RETURN, scan, HTTP_IDEMPOTENCY_KEY="scan-1", **HTMX)
    assert first.status_code == other.status_code == again.status_code == 200
    assert 'data-scan-outcome="ok"' in first.content.decode()
    assert 'value="7"' in first.content.decode() and 'value="6"' in other.content.decode()
    assert again.content == first.content and again[REPLAYED_HEADER] == "true"
    assert not IdempotencyKey.objects.filter(key="k-form").exists()
    clerk.post(NEW_RETURN, return_form(clerk, "k-form"))
    assert ReturnRequest.objects.count() == 1


def test_a_wrong_label_is_refused_with_its_message(clerk):
    scan = {**return_form(clerk, "k"), "action": "scan", "code": "NOPE-42"}
    html = clerk.post(NEW_RETURN, scan, HTTP_IDEMPOTENCY_KEY="s", **HTMX).content.decode()
    assert 'data-scan-outcome="refused"' in html
    assert 'data-scan-message="Nothing is known by the code NOPE-42."' in html
