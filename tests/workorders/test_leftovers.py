# ruff: noqa: F811 - the close-out scenario's fixtures (user, completed, tube) are imported
"""R-W6 leftovers handled honestly (with R-W3, R-W4, R-W5): declared consumed with a quantity
(over-quota consumption, ``leftover_declared``), carried over to the next work order of the
material (登记下次使用), borrowed whole-pack surplus deducted from the next order's issue
(seed 003 §5.8.2), and the bad inputs refused with nothing written.

Scenario (as ``test_closeout``): WO-1 needs 2 TUBE per unit with 5 % loss, planned 100;
200 issued from shelf A, output 76 + 4 = 80, so standard 160, allowance 8 and 32 TUBE are
leftover. WO-2 is a released order of another product using TUBE at 1 per unit, planned
20 (20 required + 1 allowance = 21 to issue).
"""

from datetime import timedelta
from decimal import Decimal
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone, translation

from audit.models import AuditEvent
from core.errors import StateConflict
from inventory.models import LedgerEntry, MovementType, StockBalance
from tests.builders import location, receive, released_work_order
from tests.factories import MaterialFactory
from tests.workorders.test_closeout import (  # noqa: F401 - fixtures: completed, tube, user
    completed,
    item,
    return_leftover,
    stock_state,
    tube,
    user,
)
from workorders.closeout import closeout_checklist
from workorders.leftovers import borrowed_surplus, carry_over_targets
from workorders.models import LeftoverCarryOver, LeftoverDeclaration, WorkOrderLine
from workorders.selectors import attach_progress
from workorders.services.closing import work_order_declare_leftover
from workorders.services.issuing import IssueLine, work_order_issue
from workorders.services.leftovers import work_order_carry_over
from workorders.services.lifecycle import (
    work_order_cancel,
    work_order_complete,
    work_order_report_output,
)
from workorders.signals import leftover_declared

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_order(user, tube):
    return released_work_order(user, components=[(tube, "1", "5")], planned_qty=20, number="WO-2")


@pytest.fixture
def signals():
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    leftover_declared.connect(receiver)
    yield sent
    leftover_declared.disconnect(receiver)


def progress(work_order):
    work_order.refresh_from_db()
    attach_progress([work_order])
    return work_order.lines.all()[0].progress


def usage(work_order):
    variance = item(work_order, "consumption_variance")["detail"]["lines"]
    return variance[0]


def ledger_holds():
    out = StringIO()
    call_command("check_ledger", stdout=out)
    return out.getvalue()


def writes():
    """Everything a refused call must leave as it was."""
    return (
        *stock_state(),
        LeftoverDeclaration.objects.count(),
        LeftoverCarryOver.objects.count(),
        AuditEvent.objects.count(),
    )


# ---------------------------------------------------------------------------- declared consumed


def test_declare_with_quantity_clears_the_item_and_counts_as_over_quota(
    user, completed, tube, signals
):
    declaration = work_order_declare_leftover(
        work_order=completed, material=tube, quantity="32", note="bent at the press", actor=user
    )
    assert declaration.quantity == Decimal("32")
    assert item(completed, "leftovers_returned") == {
        "code": "leftovers_returned",
        "label": item(completed, "leftovers_returned")["label"],
        "ok": True,
        "detail": {"open": []},
    }
    line = usage(completed)
    assert (line["declared"], line["over_quota"], line["leftover"]) == (True, Decimal("32"), 0)
    # sent once, inside the transaction, flagged: 32 declared > the 8 allowed for the output
    assert len(signals) == 1
    sent = signals[0]
    assert (sent["work_order"], sent["line"].material, sent["quantity"]) == (
        completed,
        tube,
        Decimal("32"),
    )
    assert (sent["allowance"], sent["over_allowance"]) == (Decimal("8"), True)
    event = AuditEvent.objects.filter(action="workorder.declare_leftover").get()
    assert event.after["quantity"] == "32" or Decimal(event.after["quantity"]) == 32


def test_a_declaration_within_the_allowance_is_not_flagged_and_leaves_the_rest_open(
    user, completed, tube, signals
):
    work_order_declare_leftover(
        work_order=completed, material=tube, quantity=5, note="offcuts", actor=user
    )
    assert signals[0]["over_allowance"] is False
    assert item(completed, "leftovers_returned")["detail"]["open"] == [
        {"material": "TUBE", "quantity": Decimal("27")}
    ]


def test_the_variance_report_shows_the_declared_quantity_as_over_quota(user, completed, tube):
    from reports.variance import variance_columns, variance_lines, variance_rows

    work_order_declare_leftover(
        work_order=completed, material=tube, quantity=30, note="bent", actor=user
    )
    headers = [str(column.header) for column in variance_columns()]
    row = dict(zip(headers, next(variance_rows(variance_lines({}))), strict=True))
    assert row["Declared consumed (over quota)"] == Decimal("30")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (
            33,
            "Declaring 33 PCS of TUBE consumed exceeds the leftover expected on work order WO-1",
        ),
        (0, "Quantity must be greater than zero."),
        (-1, "Quantity must be greater than zero."),
    ],
)
def test_declaring_more_than_the_leftover_or_nothing_is_refused(
    user, completed, tube, signals, quantity, message
):
    before = writes()
    with pytest.raises(ValidationError) as refused:
        work_order_declare_leftover(
            work_order=completed, material=tube, quantity=quantity, note="x", actor=user
        )
    assert refused.value.message_dict["quantity"][0].startswith(message.split(" (")[0])
    assert writes() == before and signals == []


def test_declaring_refusal_reads_in_chinese(user, completed, tube):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        work_order_declare_leftover(
            work_order=completed, material=tube, quantity=40, note="x", actor=user
        )
    assert "超过" in refused.value.message_dict["quantity"][0]


# ---------------------------------------------------------------------------- carry over


def test_carry_over_moves_the_leftover_in_the_ledger_and_keeps_stock(
    user, completed, tube, next_order
):
    balances = sorted(StockBalance.objects.values_list("id", "quantity"))
    assert [row["work_order"] for row in carry_over_targets(completed, tube.pk)] == [next_order]
    carry_over = work_order_carry_over(
        work_order=completed, material=tube, to_work_order=next_order, quantity=20, actor=user
    )
    entries = LedgerEntry.objects.filter(doc_type="carry_over", doc_id=carry_over.number)
    assert sorted((e.work_order.number, e.movement_type, e.quantity) for e in entries) == [
        ("WO-1", MovementType.ISSUE, Decimal("20")),
        ("WO-2", MovementType.ISSUE, Decimal("-20")),
    ]
    # the completed order's net issue goes down, the next order's goes up
    assert (progress(completed)["issued"], progress(completed)["returned"]) == (180, 0)
    assert (progress(next_order)["issued"], progress(next_order)["remaining_to_issue"]) == (
        20,
        Decimal("1"),
    )
    # total stock unchanged, balances equal the ledger
    assert sorted(StockBalance.objects.values_list("id", "quantity")) == balances
    assert ledger_holds().startswith("Ledger consistent")
    assert item(completed, "leftovers_returned")["detail"]["open"] == [
        {"material": "TUBE", "quantity": Decimal("12")}
    ]
    assert AuditEvent.objects.filter(action="workorder.carry_over").count() == 1


def test_carry_over_of_the_whole_leftover_clears_the_item(user, completed, tube, next_order):
    big = released_work_order(user, components=[(tube, "1", "0")], planned_qty=40, number="WO-3")
    work_order_carry_over(
        work_order=completed, material=tube, to_work_order=big, quantity=32, actor=user
    )
    assert item(completed, "leftovers_returned")["ok"] is True
    assert "leftovers_returned" not in [
        i["code"] for i in closeout_checklist(completed) if not i["ok"]
    ]


def test_carry_over_refusals_write_nothing(user, completed, tube, next_order):
    other = released_work_order(
        user, components=[(MaterialFactory(code="BOLT"), "1", "0")], number="WO-4"
    )
    cancelled = released_work_order(user, components=[(tube, "1", "0")], number="WO-5")
    work_order_cancel(work_order=cancelled, actor=user)
    cases = [
        (other, 5, "to_work_order", "Work order WO-4 does not use TUBE"),
        (cancelled, 5, "to_work_order", "Work order WO-5 is cancelled"),
        (completed, 5, "to_work_order", "Choose another work order"),
        (next_order, 33, "quantity", "Carrying over 33 PCS of TUBE exceeds the leftover"),
        (next_order, 22, "quantity", "Carrying over 22 PCS of TUBE exceeds what work order WO-2"),
        (next_order, 0, "quantity", "Quantity must be greater than zero."),
        (next_order, -3, "quantity", "Quantity must be greater than zero."),
    ]
    before = writes()
    for target, quantity, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            work_order_carry_over(
                work_order=completed,
                material=tube,
                to_work_order=target,
                quantity=quantity,
                actor=user,
            )
        assert refused.value.message_dict[field][0].startswith(message), (target, quantity)
        assert writes() == before


def test_carrying_over_twice_is_refused(user, completed, tube):
    first = released_work_order(user, components=[(tube, "1", "0")], planned_qty=40, number="WO-6")
    second = released_work_order(user, components=[(tube, "1", "0")], planned_qty=40, number="WO-7")
    carry_over = work_order_carry_over(
        work_order=completed, material=tube, to_work_order=first, quantity=32, actor=user
    )
    before = writes()
    with pytest.raises(StateConflict) as refused:
        work_order_carry_over(
            work_order=completed, material=tube, to_work_order=second, quantity=32, actor=user
        )
    assert str(refused.value) == (
        f"The leftover of TUBE on work order WO-1 was already carried over ({carry_over.number})."
    )
    assert writes() == before


def test_carry_over_from_an_order_not_completed_is_refused(user, tube, next_order):
    with pytest.raises(StateConflict):
        work_order_carry_over(
            work_order=next_order,
            material=tube,
            to_work_order=next_order,
            quantity=1,
            actor=user,
        )


# ---------------------------------------------------------------------------- borrowed surplus


def borrowed_order(user):
    """WO-B needs 20 PAINT (10 × 2, no loss) and borrowed a whole pack of 30: 10 surplus."""
    paint = MaterialFactory(code="PAINT")
    shelf = location("P")
    receive(paint, shelf, 100, user)
    work_order = released_work_order(
        user, components=[(paint, "2", "0")], planned_qty=10, number="WO-B"
    )
    work_order_issue(
        work_order=work_order,
        actor=user,
        lines=[IssueLine(paint, Decimal(30), shelf)],
        borrowed=True,
    )
    return work_order, paint, shelf


def test_borrowed_surplus_is_deducted_from_the_next_orders_issue(user):
    borrowed, paint, shelf = borrowed_order(user)
    assert [(r["work_order"], r["quantity"]) for r in borrowed_surplus(paint.pk)] == [
        (borrowed, Decimal("10"))
    ]
    following = released_work_order(
        user, components=[(paint, "1", "0")], planned_qty=25, number="WO-C"
    )
    on_shelf = StockBalance.objects.get(material=paint, location=shelf).quantity
    issue = work_order_issue(
        work_order=following, actor=user, lines=[IssueLine(paint, Decimal(25), shelf)]
    )
    # the next order got 25: 10 from the borrowed surplus at the line, 15 from the warehouse
    assert [(d.work_order.number, d.quantity, d.borrowed) for d in issue.deductions] == [
        ("WO-B", Decimal("10"), True)
    ]
    warehouse = LedgerEntry.objects.filter(doc_type="issue", doc_id=issue.number).get()
    assert warehouse.quantity == Decimal("-15")
    assert StockBalance.objects.get(material=paint, location=shelf).quantity == on_shelf - 15
    assert (progress(following)["issued"], progress(following)["remaining_to_issue"]) == (25, 0)
    assert progress(borrowed)["issued"] == 20
    assert borrowed_surplus(paint.pk) == []
    assert ledger_holds().startswith("Ledger consistent")


def test_an_issue_the_surplus_covers_posts_no_warehouse_entry(user):
    borrowed, paint, shelf = borrowed_order(user)
    following = released_work_order(
        user, components=[(paint, "1", "0")], planned_qty=25, number="WO-C"
    )
    issue = work_order_issue(
        work_order=following, actor=user, lines=[IssueLine(paint, Decimal(6), shelf)]
    )
    assert [d.quantity for d in issue.deductions] == [Decimal("6")]
    assert not LedgerEntry.objects.filter(doc_type="issue", doc_id=issue.number).exists()
    assert [r["quantity"] for r in borrowed_surplus(paint.pk)] == [Decimal("4")]


def test_a_completed_borrowers_surplus_is_its_leftover(user):
    borrowed, paint, shelf = borrowed_order(user)
    work_order_report_output(work_order=borrowed, good_qty=10, actor=user)
    work_order_complete(work_order=borrowed, actor=user)
    assert [r["quantity"] for r in borrowed_surplus(paint.pk)] == [Decimal("10")]
    following = released_work_order(
        user, components=[(paint, "1", "0")], planned_qty=25, number="WO-C"
    )
    work_order_issue(work_order=following, actor=user, lines=[IssueLine(paint, Decimal(25), shelf)])
    assert item(borrowed, "leftovers_returned")["ok"] is True


def test_an_issue_beyond_the_need_is_refused_and_the_deduction_undone(user):
    borrowed, paint, shelf = borrowed_order(user)
    following = released_work_order(
        user, components=[(paint, "1", "0")], planned_qty=5, number="WO-C"
    )
    before = writes()
    with pytest.raises(ValidationError):  # 12 > the 5 WO-C needs, deduction included
        work_order_issue(
            work_order=following, actor=user, lines=[IssueLine(paint, Decimal(12), shelf)]
        )
    assert writes() == before
    assert WorkOrderLine.objects.filter(work_order=following).count() == 1


@override_settings(LANGUAGE_CODE="zh-hans")
def test_carry_over_refusal_reads_in_chinese(user, completed, tube, next_order):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        work_order_carry_over(
            work_order=completed, material=tube, to_work_order=next_order, quantity=40, actor=user
        )
    assert "超过" in refused.value.message_dict["quantity"][0]


# ---------------------------------------------------------------------------- migration 0006

fill = import_module("workorders.migrations.0006_leftover_quantity_carry_over").fill_quantities


def test_existing_declarations_get_the_excess_at_the_time_else_now(user, completed, tube):
    """0006: a declaration made before the quantity existed gets the line's excess when it
    was declared (32); one dated before anything was issued gets the excess now."""
    declaration = LeftoverDeclaration.objects.create(
        work_order=completed, material=tube, quantity=0, note="old", declared_by=user
    )
    return_leftover(completed, tube, 20, user)  # after the declaration: excess now 12
    fill(apps, None)
    declaration.refresh_from_db()
    assert declaration.quantity == Decimal("32")

    LeftoverDeclaration.objects.filter(pk=declaration.pk).update(
        quantity=0, declared_at=timezone.now() - timedelta(days=30)
    )
    fill(apps, None)
    declaration.refresh_from_db()
    assert declaration.quantity == Decimal("12")
