"""The ledger export and the recall lists (R-L1, R-L3), opened back with openpyxl."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.utils import translation

from inventory.models import Serial
from reports.ledger import ledger_workbook, recall_workbook
from reports.registry import export_params_clean
from tests.builders import days_from_today
from tests.reports.conftest import assert_finance_format, body, column, opened

pytestmark = pytest.mark.django_db

QTY, AMOUNT = "Quantity", "Amount"


def export(builder, kind, params):
    target = BytesIO()
    rows = builder(export_params_clean(kind, params), target)
    return rows, opened(target)


def ledger_sql_totals():
    """Σ quantity and Σ quantity × standard cost over the whole ledger, by hand."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COUNT(*), SUM(e.quantity), SUM(e.quantity * m.standard_cost)
               FROM inventory_ledgerentry e JOIN materials_material m ON m.id = e.material_id"""
        )
        count, qty, amount = cursor.fetchone()
    return count, Decimal(str(qty)), Decimal(str(amount)).quantize(Decimal("0.01"))


def totals(sheet, *headers):
    return [Decimal(str(sheet.cell(sheet.max_row, column(sheet, h)).value)) for h in headers]


def test_ledger_export_is_formatted_and_its_totals_equal_sql(floor):
    rows, workbook = export(ledger_workbook, "ledger", {})
    sheet = workbook["Ledger"]
    count, qty, amount = ledger_sql_totals()
    assert rows == len(body(sheet)) == count == 13
    assert totals(sheet, AMOUNT) == [amount] == [Decimal("50814.48")]
    # tubes and motors are not added together: no quantity total, each row with its unit
    assert sheet.cell(sheet.max_row, column(sheet, QTY)).value is None
    assert sum(r[column(sheet, QTY) - 1] for r in body(sheet)) == qty == Decimal(43)
    assert {r[column(sheet, "Unit") - 1] for r in body(sheet)} == {"PCS"}
    assert_finance_format(sheet, qty_headers=[QTY], money_headers=[AMOUNT])
    first = dict(zip([c.value for c in sheet[1]], body(sheet)[0], strict=True))
    assert (first["Movement"], first["Material"], first["Lot"], first["Location"]) == (
        "receipt", "TUBE", "T1", "A"
    )  # fmt: skip
    assert first["Time"].date() == days_from_today(0) and first["User"] == "keeper1"


def test_ledger_filters(floor):
    params = {"lot": "T1", "movement_type": "issue", "material": "TUBE"}
    _, workbook = export(ledger_workbook, "ledger", params)
    sheet = workbook["Ledger"]
    issued = [(r[column(sheet, "Work order") - 1], r[column(sheet, QTY) - 1]) for r in body(sheet)]
    assert issued == [("WO-1", -20), ("WO-2", -5)]
    _, workbook = export(ledger_workbook, "ledger", {"work_order": "WO-2", "location": "B"})
    assert len(body(workbook["Ledger"])) == 1
    yesterday = days_from_today(-1).isoformat()
    _, workbook = export(ledger_workbook, "ledger", {"date_to": yesterday})
    assert body(workbook["Ledger"]) == []
    _, workbook = export(ledger_workbook, "ledger", {"date_from": days_from_today(0).isoformat()})
    assert len(body(workbook["Ledger"])) == 13


def test_ledger_without_cost_visibility_has_no_amounts(floor):
    params = {**export_params_clean("ledger", {}), "costs": False}
    target = BytesIO()
    ledger_workbook(params, target)
    headers = [c.value for c in opened(target)["Ledger"][1]]
    assert AMOUNT not in headers and QTY in headers


def test_recall_of_a_lot_lists_every_movement_work_order_and_location(floor):
    rows, workbook = export(recall_workbook, "recall", {"material": "TUBE", "lot": "T1"})
    assert workbook.sheetnames == ["Movements", "Work orders", "Locations now"]
    movements = workbook["Movements"]
    documents = [r[column(movements, "Document type") - 1] for r in body(movements)]
    assert documents == ["receipt", "transfer", "transfer", "issue", "issue", "return"]
    assert_finance_format(movements, qty_headers=[QTY], money_headers=[AMOUNT])
    work_orders = workbook["Work orders"]
    assert [r[:4] + r[4:8] for r in body(work_orders)] == [
        ("WO-1", floor.wo1.product.code, floor.wo1.workshop.code, "in progress", 20, 0, 3, 17),
        ("WO-2", floor.wo2.product.code, floor.wo2.workshop.code, "in progress", 5, 0, 0, 5),
    ]
    assert_finance_format(work_orders, qty_headers=["Issued", "Net consumed"])
    locations = workbook["Locations now"]
    assert [r[:1] + r[3:] for r in body(locations)] == [("A", 23), ("B", 5)]
    balances = sum(b.quantity for b in floor.t1.balances.all())
    assert totals(locations, "On hand") == [balances] == [Decimal(28)]
    assert rows == 6 + 2 + 2


def test_recall_of_a_serial_follows_that_unit_only(floor):
    _, workbook = export(recall_workbook, "recall", {"material": "MOTOR", "serial": "SN1"})
    movements = body(workbook["Movements"])
    assert [(r[1], r[5], r[7]) for r in movements] == [("receipt", "SN1", 1), ("issue", "SN1", -1)]
    assert [r[0] for r in body(workbook["Work orders"])] == ["WO-1"]
    assert body(workbook["Locations now"]) == []  # consumed by WO-1
    _, workbook = export(recall_workbook, "recall", {"material": "MOTOR", "serial": "SN2"})
    assert [r[0] for r in body(workbook["Locations now"])] == [
        Serial.objects.get(serial_no="SN2").location.code
    ]


def test_recall_of_a_work_order_lists_every_lot_it_consumed(floor):
    _, workbook = export(recall_workbook, "recall", {"work_order": "WO-1"})
    assert workbook.sheetnames == ["Movements", "Lots consumed"]
    assert len(body(workbook["Movements"])) == 5
    lots = workbook["Lots consumed"]
    assert [(r[0], r[2], r[4], *r[5:9]) for r in body(lots)] == [
        ("MOTOR", "M1", None, 1, 0, 0, 1),
        ("TUBE", "T1", "Acme", 20, 0, 3, 17),
        ("TUBE", "T2", None, 15, 2, 0, 17),
    ]
    assert [r[9] for r in body(lots)] == ["PCS", "PCS", "PCS"]  # each lot with its unit
    assert lots.cell(lots.max_row, 1).value == "TUBE"  # no totals row adding up mixed units


def test_headers_follow_the_users_language(floor):
    target = BytesIO()
    with translation.override("zh-hans"):
        ledger_workbook(export_params_clean("ledger", {}), target)
    sheet = opened(target).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert "数量" in headers and "金额" in headers and "物料" in headers
    assert sheet.cell(sheet.max_row, 1).value == "合计"
