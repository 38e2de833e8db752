"""R-W6 on the close-out page, the issue page and the API: the three honest choices per
leftover line (return link, declare consumed with a quantity, carry over to a next order),
each asked first; the borrowed surplus shown as deducted on the issue page; the API's
declare-leftover (with quantity) and carry-over actions, errors as JSON, nothing written.

Scenario as ``test_closeout`` (32 TUBE left over on WO-1); WO-2 needs 21 TUBE."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.builders import released_work_order
from tests.workorders.test_closeout import completed_work_order
from tests.workorders.test_leftovers import borrowed_order, progress, writes
from workorders.models import LeftoverCarryOver, LeftoverDeclaration

pytestmark = pytest.mark.django_db
CONFIRMED = {"confirmed": "1"}


@pytest.fixture
def completed(admin):
    return completed_work_order(admin)


@pytest.fixture
def tube(completed):
    return completed.lines.get().material


@pytest.fixture
def next_order(admin, tube):
    return released_work_order(admin, components=[(tube, "1", "5")], planned_qty=20, number="WO-2")


def api_url(work_order, action):
    return f"/api/v1/work-orders/{work_order.pk}/{action}/"


# ---------------------------------------------------------------------------- page


def test_the_close_out_page_offers_the_three_choices(admin_client, completed, tube, next_order):
    html = admin_client.get(reverse("workorders:detail", args=[completed.pk])).content.decode()
    assert 'data-testid="leftover" data-material="TUBE"' in html
    assert "TUBE: 32 PCS left over" in html
    assert f"{reverse('returns:new_return')}?work_order=WO-1" in html
    assert 'data-testid="leftover-declare"' in html and 'data-testid="leftover-carry-over"' in html
    assert "WO-2 (needs 21 PCS)" in html  # the next orders to choose from
    assert html.count('name="confirmed"') >= 3  # declare, carry over, close: each asks first
    assert 'name="quantity" value="32"' in html


def test_declare_on_the_page_asks_first_then_books_the_quantity(admin_client, completed, tube):
    url = reverse("workorders:declare_leftover", args=[completed.pk])
    data = {"material": tube.pk, "quantity": "30", "note": "bent"}
    unconfirmed = admin_client.post(url, data)
    assert unconfirmed.status_code == 400 and not LeftoverDeclaration.objects.exists()
    done = admin_client.post(url, {**data, **CONFIRMED}, follow=True)
    assert "Leftover of TUBE declared consumed: 30 PCS." in done.content.decode()
    assert LeftoverDeclaration.objects.get().quantity == 30


def test_carry_over_on_the_page(admin_client, completed, tube, next_order):
    url = reverse("workorders:carry_over", args=[completed.pk])
    data = {"material": tube.pk, "to_work_order": next_order.pk, "quantity": "21", **CONFIRMED}
    done = admin_client.post(url, data, follow=True)
    assert "21 PCS of TUBE carried over to WO-2." in done.content.decode()
    assert progress(next_order)["remaining_to_issue"] == 0


def test_a_refused_carry_over_shows_why_on_its_row(admin_client, completed, tube, next_order):
    url = reverse("workorders:carry_over", args=[completed.pk])
    before = writes()
    data = {"material": tube.pk, "to_work_order": next_order.pk, "quantity": "25", **CONFIRMED}
    refused = admin_client.post(url, data)
    assert refused.status_code == 400
    assert "exceeds what work order WO-2 still needs (21 PCS)" in refused.content.decode()
    assert writes() == before


def test_the_leftover_section_fits_a_phone(admin_client, completed, tube, next_order):
    """390 px: stacked forms in panels, no wide table in the section."""
    html = admin_client.get(reverse("workorders:detail", args=[completed.pk])).content.decode()
    section = html[html.index('id="leftovers"') : html.index('id="requests"')]
    assert "<table" not in section and 'class="stacked"' in section


def test_the_issue_page_shows_the_borrowed_surplus_deducted(admin, admin_client):
    borrowed, paint, shelf = borrowed_order(admin)
    following = released_work_order(
        admin, components=[(paint, "1", "0")], planned_qty=25, number="WO-C"
    )
    html = admin_client.get(reverse("workorders:issue", args=[following.pk])).content.decode()
    assert "deducted: borrowed surplus from WO-B, 10" in html
    assert "from the warehouse: 15" in html


# ---------------------------------------------------------------------------- API


def test_api_declare_with_quantity(api, completed):
    response = api.post(
        api_url(completed, "declare-leftover"),
        {"material": "TUBE", "quantity": "32", "note": "bent"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Decimal(response.json()["quantity"]) == 32


@pytest.mark.parametrize("quantity", ["0", "-1", "33"])
def test_api_declare_refuses_bad_quantities(api, completed, quantity):
    before = writes()
    response = api.post(
        api_url(completed, "declare-leftover"),
        {"material": "TUBE", "quantity": quantity, "note": "x"},
        format="json",
    )
    assert response.status_code == 400 and "quantity" in response.json()
    assert writes() == before


def test_api_carry_over(api, completed, next_order):
    payload = {"material": "TUBE", "to_work_order": "WO-2", "quantity": "20"}
    response = api.post(api_url(completed, "carry-over"), payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["work_order"], body["to_work_order"], body["borrowed"]) == ("WO-1", "WO-2", False)
    assert LeftoverCarryOver.objects.get().number == body["number"]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"material": "TUBE", "to_work_order": "WO-2", "quantity": "22"}, 400, "quantity"),
        ({"material": "TUBE", "to_work_order": "NOPE", "quantity": "1"}, 400, "to_work_order"),
        ({"material": "TUBE", "to_work_order": "WO-1", "quantity": "1"}, 400, "to_work_order"),
        ({"material": "TUBE", "to_work_order": "WO-2"}, 400, "quantity"),
    ],
)
def test_api_carry_over_refusals_are_json_and_write_nothing(
    api, completed, next_order, payload, status, field
):
    before = writes()
    response = api.post(api_url(completed, "carry-over"), payload, format="json")
    assert response.status_code == status and field in response.json()
    assert writes() == before


def test_api_carry_over_from_an_unfinished_order_is_409(api, next_order, completed):
    payload = {"material": "TUBE", "to_work_order": "WO-1", "quantity": "1"}
    response = api.post(api_url(next_order, "carry-over"), payload, format="json")
    assert response.status_code == 409 and "detail" in response.json()
