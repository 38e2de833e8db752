"""A small factory floor for the exports: two tube lots and three serial motors received,
a transfer, two work orders with issues, a return and a replenishment."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from inventory.models import MovementType
from inventory.services import Movement, ledger_post, stock_transfer
from materials.models import TrackingMode
from tests.builders import batch_material, location, receive, released_work_order
from tests.factories import MaterialFactory, SupplierFactory
from workorders.services.issuing import IssueLine, work_order_issue


def issue(work_order, user, material, qty, where, lot, serials=()):
    line = IssueLine(material, Decimal(qty), where, lot=lot, serials=tuple(serials))
    work_order_issue(work_order=work_order, actor=user, lines=[line])


def post(kind, material, qty, where, *, lot, work_order, number, user):
    sign = 1 if kind == MovementType.RETURN else -1
    ledger_post(
        movements=[Movement(material, where, Decimal(qty) * sign, kind, lot=lot)],
        doc_type=kind,
        doc_id=number,
        actor=user,
        device="HH-07",
        work_order=work_order,
    )


@pytest.fixture
def floor(user):
    shelf, line_side = location("A"), location("B")
    tube = batch_material(code="TUBE", name="Alu tube", standard_cost=Decimal("1234.5"))
    motor = MaterialFactory(
        code="MOTOR", tracking=TrackingMode.SERIAL, standard_cost=Decimal("99.99")
    )
    receive(
        tube, shelf, 50, user, batch_no="T1", supplier=SupplierFactory(code="ACME", name="Acme")
    )
    receive(tube, shelf, 30, user, batch_no="T2")
    receive(motor, shelf, 3, user, batch_no="M1", serials=["SN1", "SN2", "SN3"])
    t1, t2, m1 = tube.lots.get(batch_no="T1"), tube.lots.get(batch_no="T2"), motor.lots.get()
    stock_transfer(
        material=tube, from_location=shelf, to_location=line_side, quantity=10, actor=user, lot=t1
    )
    wo1 = released_work_order(user, components=[(tube, 4, 5), (motor, 1, 0)], planned_qty=10)
    wo2 = released_work_order(user, components=[(tube, 1, 0)], planned_qty=10, number="WO-2")
    issue(wo1, user, tube, 20, shelf, t1)
    issue(wo1, user, tube, 15, shelf, t2)
    issue(wo1, user, motor, 1, shelf, m1, serials=["SN1"])
    issue(wo2, user, tube, 5, line_side, t1)
    post(MovementType.RETURN, tube, 3, shelf, lot=t1, work_order=wo1, number="RT-1", user=user)
    post(MovementType.REPLENISH, tube, 2, shelf, lot=t2, work_order=wo1, number="RP-1", user=user)
    return SimpleNamespace(
        user=user, shelf=shelf, line_side=line_side, tube=tube, motor=motor,
        t1=t1, t2=t2, m1=m1, wo1=wo1, wo2=wo2,
    )  # fmt: skip


def opened(target):
    """The workbook written to a path or a binary file, read back with openpyxl."""
    if hasattr(target, "seek"):
        target.seek(0)
    return load_workbook(target)


def body(sheet):
    """Data rows without the header and the totals row."""
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return rows[:-1] if rows and rows[-1][0] == "Total" else rows


def column(sheet, header):
    headers = [cell.value for cell in sheet[1]]
    return headers.index(header) + 1


def assert_finance_format(sheet, qty_headers=(), money_headers=()):
    """Bold frozen header, autofilter over the data, 4 dp quantities, 2 dp money with
    thousands separators, and a bold totals row."""
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    last = sheet.max_row
    assert sheet.auto_filter.ref.startswith("A1:") and sheet.auto_filter.ref.endswith(str(last - 1))
    assert sheet.cell(last, 1).value == "Total" and sheet.cell(last, 1).font.bold
    for header in qty_headers:
        assert sheet.cell(2, column(sheet, header)).number_format == "#,##0.0000", header
    for header in money_headers:
        assert sheet.cell(2, column(sheet, header)).number_format == "#,##0.00", header
