"""The issue page (领料, R-W3): scan, FEFO suggestion, the picked lot shown before the
confirmation, then ``work_order_issue`` books it; bad input and wrong roles book nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import LedgerEntry, MovementType, StockBalance
from tests.builders import batch_material, days_from_today, location, receive, released_work_order
from workorders.models import MaterialIssue, WorkOrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(admin):
    """TUBE: lot OLD (expires in 10 days) and lot NEW (in 90) on WH1-A01; WO-1 needs 200."""
    shelf = location("WH1-A01")
    tube = batch_material(code="TUBE")
    receive(tube, shelf, 100, admin, batch_no="NEW", expiry_date=days_from_today(90))
    receive(tube, shelf, 100, admin, batch_no="OLD", expiry_date=days_from_today(10))
    work_order = released_work_order(admin, components=[(tube, "2", "0")])
    return work_order, tube, shelf


def issue_url(work_order):
    return reverse("workorders:issue", args=[work_order.pk])


def test_a_material_scan_picks_the_fefo_lot_and_confirms_before_booking(role_client, stock):
    work_order, tube, shelf = stock
    client = role_client("keeper")
    page = client.get(issue_url(work_order)).content.decode()
    assert "OLD · WH1-A01 · 100" in page and "NEW · WH1-A01 · 100" in page  # FEFO order
    assert page.index("OLD · WH1-A01") < page.index("NEW · WH1-A01")

    check = client.post(issue_url(work_order), {"code": "M:TUBE", "quantity": "30"})
    html = check.content.decode()
    assert check.status_code == 200 and 'data-testid="confirm-step"' in html
    assert 'data-testid="picked-lot">OLD' in html
    assert 'name="code" value="L:TUBE|OLD"' in html and 'name="location" value="WH1-A01"' in html
    assert not LedgerEntry.objects.filter(movement_type=MovementType.ISSUE).exists()

    booked = client.post(
        issue_url(work_order),
        {"code": "L:TUBE|OLD", "quantity": "30", "location": "WH1-A01", "confirmed": "1"},
    )
    assert booked.status_code == 302
    entry = LedgerEntry.objects.get(movement_type=MovementType.ISSUE)
    assert (entry.lot.batch_no, entry.quantity, entry.work_order) == ("OLD", -30, work_order)
    assert StockBalance.objects.get(lot__batch_no="OLD").quantity == 70
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.IN_PROGRESS
    issue = MaterialIssue.objects.get()
    assert issue.number in client.get(booked["Location"]).content.decode()


def test_scanning_a_later_lot_warns_about_fefo(role_client, stock):
    work_order, *_ = stock
    html = (
        role_client("clerk", workshops=[work_order.workshop])
        .post(issue_url(work_order), {"code": "L:TUBE|NEW", "quantity": "5"})
        .content.decode()
    )
    assert "First expired, first out suggests lot OLD." in html
    assert 'data-testid="picked-lot">NEW' in html


def test_change_goes_back_to_the_form_with_the_values(role_client, stock):
    work_order, *_ = stock
    client = role_client("keeper")
    data = {"code": "L:TUBE|OLD", "quantity": "5", "location": "WH1-A01", "edit": "1"}
    html = client.post(issue_url(work_order), data).content.decode()
    assert 'data-testid="confirm-step"' not in html and 'value="L:TUBE|OLD"' in html
    assert not MaterialIssue.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "NOPE-1", "quantity": "5"}, "Nothing is known by the code NOPE-1."),
        ({"code": "M:TUBE"}, "Give the quantity: the label of TUBE does not carry one."),
        (
            {"code": "L:TUBE|OLD", "quantity": "500", "location": "WH1-A01", "confirmed": "1"},
            "exceeds what work order WO-1 still needs",
        ),
        (
            {"code": "L:TUBE|OLD", "quantity": "5", "location": "NOWHERE", "confirmed": "1"},
            "Nothing is known by the code NOWHERE.",
        ),
    ],
)
def test_bad_input_is_shown_and_books_nothing(role_client, stock, data, message):
    work_order, *_ = stock
    response = role_client("keeper").post(issue_url(work_order), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not LedgerEntry.objects.filter(movement_type=MovementType.ISSUE).exists()
    assert not MaterialIssue.objects.exists()
    assert StockBalance.objects.get(lot__batch_no="OLD").quantity == 100


def test_roles_without_the_issue_permission_are_refused(role_client, stock):
    work_order, *_ = stock
    client = role_client("production_manager")
    assert client.get(issue_url(work_order)).status_code == 403
    data = {"code": "L:TUBE|OLD", "quantity": "5", "location": "WH1-A01", "confirmed": "1"}
    assert client.post(issue_url(work_order), data).status_code == 403
    assert not MaterialIssue.objects.exists()


def test_a_clerk_outside_the_workshop_gets_404(role_client, stock):
    work_order, *_ = stock
    assert role_client("clerk").get(issue_url(work_order)).status_code == 404


def test_a_planned_work_order_says_it_cannot_be_issued_to(role_client, admin, stock):
    work_order, *_ = stock
    work_order.status = WorkOrderStatus.PLANNED
    work_order.save(update_fields=["status"])
    client = role_client("keeper")
    assert "material cannot be issued to it" in client.get(issue_url(work_order)).content.decode()
    data = {"code": "L:TUBE|OLD", "quantity": "5", "location": "WH1-A01", "confirmed": "1"}
    response = client.post(issue_url(work_order), data)
    assert response.status_code == 409 and not MaterialIssue.objects.exists()
    assert Decimal(StockBalance.objects.get(lot__batch_no="OLD").quantity) == 100
