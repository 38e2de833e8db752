"""Consumption variance per work order equals an independent computation from the ledger."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection

from reports.registry import export_params_clean
from reports.variance import variance_workbook
from tests.reports.conftest import assert_finance_format, body, column, opened
from workorders.models import WorkOrderLine

pytestmark = pytest.mark.django_db


def consumed_by_sql():
    """Net consumption per (work order, material): −Σ of issue, replenish and return."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT w.number, m.code, -SUM(e.quantity)
               FROM inventory_ledgerentry e
               JOIN workorders_workorder w ON w.id = e.work_order_id
               JOIN materials_material m ON m.id = e.material_id
               WHERE e.movement_type IN ('issue', 'replenish', 'return')
               GROUP BY w.number, m.code"""
        )
        return {(number, code): Decimal(str(qty)) for number, code, qty in cursor.fetchall()}


def expected_rows():
    consumed = consumed_by_sql()
    rows = {}
    for line in WorkOrderLine.objects.select_related("work_order", "material"):
        key = (line.work_order.number, line.material.code)
        variance = consumed.get(key, Decimal(0)) - line.required_qty
        rows[key] = (
            consumed.get(key, Decimal(0)),
            variance,
            (variance * 100 / line.required_qty).quantize(Decimal("0.01")),
            (variance * line.material.standard_cost).quantize(Decimal("0.01")),
        )
    return rows


def export(params):
    target = BytesIO()
    rows = variance_workbook(export_params_clean("variance", params), target)
    return rows, opened(target)["Consumption variance"]


def test_variance_equals_an_independent_computation(floor):
    rows, sheet = export({})
    got = {}
    for row in body(sheet):
        values = dict(zip([c.value for c in sheet[1]], row, strict=True))
        got[(values["Work order"], values["Material"])] = tuple(
            Decimal(str(values[h]))
            for h in ("Consumed", "Variance", "Variance %", "Variance amount")
        )
    assert got == expected_rows()
    assert got[("WO-1", "TUBE")] == (34, -6, Decimal("-15.00"), Decimal("-7407.00"))
    assert rows == 3
    assert_finance_format(
        sheet, qty_headers=["Required", "Consumed", "Variance"], money_headers=["Variance amount"]
    )
    assert sheet.cell(2, column(sheet, "Variance %")).number_format == "0.00"
    total = Decimal(str(sheet.cell(sheet.max_row, column(sheet, "Variance amount")).value))
    assert total == sum(r[3] for r in expected_rows().values()) == Decimal("-14479.41")


def test_variance_filters_and_allowance_flag(floor):
    _, sheet = export({"work_order": "WO-2"})
    assert [r[0] for r in body(sheet)] == ["WO-2"]
    _, sheet = export({"status": "closed"})
    assert body(sheet) == []
    _, sheet = export({"workshop": floor.wo1.workshop.code})
    flags = {r[3]: r[column(sheet, "Over allowance") - 1] for r in body(sheet)}
    assert flags == {"MOTOR": "no", "TUBE": "no"}
