"""R-W1…R-W3: lifecycle, frozen requirements, issue/borrow, output and completion."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import StateConflict
from inventory.models import LedgerEntry, MovementType, StockBalance
from materials.models import LocationKind, TrackingMode
from tests.builders import batch_material, days_from_today, location, receive, released_work_order
from tests.factories import (
    BomFactory,
    BomLineFactory,
    LocationFactory,
    MaterialFactory,
    WorkshopFactory,
)
from workorders.models import WorkOrderStatus
from workorders.selectors import attach_progress
from workorders.services.issuing import IssueLine, borrow_regularise, work_order_issue
from workorders.services.lifecycle import (
    work_order_cancel,
    work_order_complete,
    work_order_create,
    work_order_release,
    work_order_report_output,
)

pytestmark = pytest.mark.django_db


def stock_state():
    return LedgerEntry.objects.count(), sorted(StockBalance.objects.values_list("id", "quantity"))


def progress(work_order, material):
    [wo] = attach_progress([work_order])
    return next(line.progress for line in wo.lines.all() if line.material_id == material.pk)


@pytest.fixture
def tube(user):
    material = batch_material(code="ALU-TUBE")
    receive(material, location("A"), 500, user, batch_no="T1", expiry_date=days_from_today(200))
    return material


@pytest.fixture
def work_order(user, tube):
    return released_work_order(user, components=[(tube, "2", "5")], planned_qty=100)


def test_release_freezes_requirements_from_the_bom_version(user, tube, work_order):
    [line] = work_order.lines.all()
    assert (line.required_qty, line.loss_allowance_qty) == (Decimal("200"), Decimal("10"))
    BomLineFactory(bom=work_order.bom, material=MaterialFactory())  # the BOM changes later
    assert work_order.lines.count() == 1
    assert work_order.status == WorkOrderStatus.RELEASED and work_order.released_at


def test_create_refuses_a_bom_of_another_product(user):
    bom = BomFactory()
    with pytest.raises(ValidationError, match="not a BOM of product"):
        work_order_create(
            number="X",
            product=MaterialFactory(),
            bom=bom,
            planned_qty=1,
            workshop=WorkshopFactory(),
            actor=user,
        )


def test_issue_posts_negative_entries_and_starts_production(user, tube, work_order):
    lot = tube.lots.get()
    issue = work_order_issue(
        work_order=work_order,
        actor=user,
        lines=[IssueLine(tube, Decimal("150"), location("A"), lot=lot)],
    )
    [entry] = LedgerEntry.objects.filter(doc_id=issue.number)
    assert (entry.quantity, entry.movement_type, entry.work_order) == (
        -150,
        MovementType.ISSUE,
        work_order,
    )
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.IN_PROGRESS
    assert progress(work_order, tube)["issued"] == 150
    assert progress(work_order, tube)["remaining_to_issue"] == 60


def test_issue_beyond_requirement_needs_a_replenishment(user, tube, work_order):
    lot = tube.lots.get()
    before = stock_state()
    with pytest.raises(ValidationError, match=r"exceeds what work order WO-1 still needs \(210\)"):
        work_order_issue(
            work_order=work_order,
            actor=user,
            lines=[IssueLine(tube, Decimal("211"), location("A"), lot=lot)],
        )
    assert stock_state() == before


def test_borrowed_issue_may_exceed_and_is_due_in_24_hours(user, tube, work_order):
    lot = tube.lots.get()
    issue = work_order_issue(
        work_order=work_order,
        actor=user,
        borrowed=True,
        lines=[IssueLine(tube, Decimal("250"), location("A"), lot=lot)],
    )
    assert issue.is_borrowed and issue.due_at - issue.created_at == pytest.approx(
        timedelta(hours=24), abs=timedelta(seconds=5)
    )
    borrow_regularise(issue=issue, actor=user, note="RP-202611-0001")
    with pytest.raises(StateConflict, match="already regularised"):
        borrow_regularise(issue=issue, actor=user)


@pytest.mark.parametrize(
    "case, message",
    [
        ("zero", "greater than zero"),
        ("negative", "greater than zero"),
        ("more_than_on_hand", "Not enough stock"),
        ("lot_of_other_material", "belongs to"),
        ("expired_lot", "expired"),
        ("failed_lot", "only lots passed by QC"),
        ("not_on_bom", "is not required by work order"),
        ("scrap_location", "cannot be issued"),
    ],
)
def test_bad_issue_writes_nothing(user, tube, work_order, case, message):
    lot, shelf = tube.lots.get(), location("A")
    line = IssueLine(tube, Decimal("5"), shelf, lot=lot)
    if case == "zero":
        line = IssueLine(tube, Decimal("0"), shelf, lot=lot)
    elif case == "negative":
        line = IssueLine(tube, Decimal("-5"), shelf, lot=lot)
    elif case == "more_than_on_hand":
        line = IssueLine(tube, Decimal("5"), location("EMPTY"), lot=lot)
    elif case == "lot_of_other_material":
        other = batch_material(code="IRON")
        [entry] = receive(other, shelf, 5, user, batch_no="I1")
        line = IssueLine(tube, Decimal("5"), shelf, lot=entry.lot)
    elif case == "expired_lot":
        [entry] = receive(tube, shelf, 5, user, batch_no="OLD", expiry_date=days_from_today(1))
        entry.lot.expiry_date = days_from_today(-1)
        entry.lot.save()
        line = IssueLine(tube, Decimal("5"), shelf, lot=entry.lot)
    elif case == "failed_lot":
        [entry] = receive(tube, shelf, 5, user, batch_no="BAD", inspection_status="failed")
        line = IssueLine(tube, Decimal("5"), shelf, lot=entry.lot)
    elif case == "not_on_bom":
        stranger = MaterialFactory(code="STRANGER")
        receive(stranger, shelf, 5, user)
        line = IssueLine(stranger, Decimal("5"), shelf)
    elif case == "scrap_location":
        scrap = LocationFactory(code="SCRAP", kind=LocationKind.SCRAP)
        receive(tube, scrap, 5, user, batch_no="T1")
        line = IssueLine(tube, Decimal("5"), scrap, lot=lot)
    before = stock_state()
    with pytest.raises(ValidationError, match=message):
        work_order_issue(work_order=work_order, lines=[line], actor=user)
    assert stock_state() == before


def test_serial_already_issued_cannot_be_issued_again(user):
    motor = MaterialFactory(code="MOTOR", tracking=TrackingMode.SERIAL)
    receive(motor, location("A"), 2, user, batch_no="M1", serials=["SN1", "SN2"])
    lot = motor.lots.get()
    work_order = released_work_order(user, components=[(motor, 1, 0)], planned_qty=10)
    work_order_issue(
        work_order=work_order,
        actor=user,
        lines=[IssueLine(motor, Decimal(1), location("A"), lot=lot, serials=("SN1",))],
    )
    before = stock_state()
    with pytest.raises(ValidationError, match="SN1 is unknown or not in stock"):
        work_order_issue(
            work_order=work_order,
            actor=user,
            lines=[IssueLine(motor, Decimal(1), location("A"), lot=lot, serials=("SN1",))],
        )
    assert stock_state() == before


def test_issue_to_a_planned_work_order_is_a_state_conflict(user, tube):
    bom = BomFactory(product=MaterialFactory())
    BomLineFactory(bom=bom, material=tube)
    planned = work_order_create(
        number="WO-P",
        product=bom.product,
        bom=bom,
        planned_qty=5,
        workshop=WorkshopFactory(),
        actor=user,
    )
    before = stock_state()
    with pytest.raises(StateConflict, match="WO-P is planned; it cannot be issued to"):
        work_order_issue(
            work_order=planned,
            actor=user,
            lines=[IssueLine(tube, Decimal(1), location("A"), lot=tube.lots.get())],
        )
    assert stock_state() == before


def test_output_then_complete_and_wrong_transitions(user, tube, work_order):
    with pytest.raises(ValidationError, match="Report output before completing"):
        work_order_issue(
            work_order=work_order,
            actor=user,
            lines=[IssueLine(tube, Decimal(10), location("A"), lot=tube.lots.get())],
        )
        work_order_complete(work_order=work_order, actor=user)
    work_order_report_output(
        work_order=work_order, good_qty=Decimal(98), scrap_qty=Decimal(2), actor=user
    )
    completed = work_order_complete(work_order=work_order, actor=user)
    assert completed.status == WorkOrderStatus.COMPLETED and completed.completed_at
    with pytest.raises(StateConflict):
        work_order_release(work_order=completed, actor=user)
    with pytest.raises(StateConflict):
        work_order_cancel(work_order=completed, actor=user)


def test_cancel_is_refused_once_material_moved(user, tube):
    bom = BomFactory(product=MaterialFactory())
    BomLineFactory(bom=bom, material=tube)
    planned = work_order_create(
        number="WO-C",
        product=bom.product,
        bom=bom,
        planned_qty=5,
        workshop=WorkshopFactory(),
        actor=user,
    )
    assert work_order_cancel(work_order=planned, actor=user).status == WorkOrderStatus.CANCELLED
