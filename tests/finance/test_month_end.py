"""R-J1/R-J3: the month-end summary equals an independent SQL aggregation, recomputing it
changes nothing, finance's confirmation locks it, and the workbook is what finance expects."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core.errors import StateConflict
from core.models import OutboxEvent
from finance.models import MonthEndDocument, MonthEndLine
from finance.month_end import month_bounds, month_end_compute, month_end_confirm
from inventory.models import MovementType
from inventory.services import Movement, ledger_post
from tests.builders import location, receive, released_work_order
from tests.factories import MaterialCategoryFactory, MaterialFactory, UomFactory

pytestmark = pytest.mark.django_db


def post(kind, material, qty, *, work_order, number, reason, user):
    sign = 1 if kind == MovementType.RETURN else -1
    ledger_post(
        movements=[Movement(material, location("A"), Decimal(qty) * sign, kind)],
        doc_type=kind,
        doc_id=number,
        actor=user,
        work_order=work_order,
        reason_code=reason,
    )


@pytest.fixture
def month(user, settings):
    settings.MONTH_END_SPOT_CHECK_AMOUNT = "500"
    tube = MaterialFactory(
        code="TUBE",
        uom=UomFactory(code="M", name="metres"),
        standard_cost=Decimal("18.5"),
        category=MaterialCategoryFactory(code="ALU", approval_class="A"),
        approval_class="A",
    )
    screw = MaterialFactory(code="SCREW", standard_cost=Decimal("0.0625"))
    receive(tube, location("A"), 1000, user)
    receive(screw, location("A"), 10000, user)
    work_order = released_work_order(user, components=[(tube, 4, 0), (screw, 8, 0)])
    post(
        MovementType.RETURN,
        tube,
        "12.5",
        work_order=work_order,
        number="RT-1",
        reason="LEFTOVER",
        user=user,
    )
    post(
        MovementType.REPLENISH,
        tube,
        "40",
        work_order=work_order,
        number="RP-1",
        reason="OPERATOR_SCRAP",
        user=user,
    )  # 740.00 > 500: flagged
    post(
        MovementType.REPLENISH,
        screw,
        "800",
        work_order=work_order,
        number="RP-2",
        reason="MATERIAL_DEFECT",
        user=user,
    )  # 50.00
    return timezone.localdate().replace(day=1)


def sql_totals(month):
    """An independent aggregation of the same ledger rows, written by hand."""
    start, end = month_bounds(month)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT e.movement_type, SUM(ABS(e.quantity)), SUM(ABS(e.quantity) * m.standard_cost)
               FROM inventory_ledgerentry e JOIN materials_material m ON m.id = e.material_id
               WHERE e.created_at >= %s AND e.created_at < %s
                 AND e.movement_type IN ('return', 'replenish')
               GROUP BY e.movement_type""",
            [start, end],
        )
        return {
            kind: (Decimal(str(q)), Decimal(str(a)).quantize(Decimal("0.01")))
            for kind, q, a in cursor.fetchall()
        }


def summary_totals(month_end):
    totals = {}
    for line in month_end.lines.all():
        qty, amount = totals.get(line.kind, (Decimal(0), Decimal(0)))
        totals[line.kind] = (qty + line.quantity, amount + line.amount)
    return totals


def test_summary_equals_sql_and_recomputing_changes_nothing(month):
    month_end = month_end_compute(month=month)
    assert (
        summary_totals(month_end)
        == sql_totals(month)
        == {
            "return": (Decimal("12.5"), Decimal("231.25")),
            "replenish": (Decimal("840"), Decimal("790.00")),
        }
    )
    rows = (MonthEndLine.objects.count(), MonthEndDocument.objects.count())
    month_end_compute(month=month)
    assert (MonthEndLine.objects.count(), MonthEndDocument.objects.count()) == rows == (3, 3)


def test_points_responsibility_and_spot_check_flags(month):
    month_end = month_end_compute(month=month)
    documents = {d.number: d for d in month_end.documents.all()}
    # ledger rows without slips: no point entries (finance.points), so no penalty points
    assert (documents["RP-1"].responsible_party, documents["RP-1"].points) == ("production", 0)
    assert documents["RP-1"].flagged and not documents["RP-2"].flagged
    assert documents["RP-2"].responsible_party == "supplier"
    assert not documents["RT-1"].flagged


def test_confirmed_month_is_locked_and_announced_to_the_erp(month, admin, month_over):
    month_end = month_end_confirm(month_end=month_end_compute(month=month), actor=admin)
    event = OutboxEvent.objects.get(topic="month.closed")
    assert event.payload["month"] == f"{month:%Y-%m}"
    assert event.payload["totals"]["replenish"]["amount"] == "790.00"
    with pytest.raises(StateConflict, match="confirmed by finance"):
        month_end_compute(month=month)
    with pytest.raises(CommandError, match="confirmed by finance"):
        call_command("month_end", "--month", f"{month:%Y-%m}")
    with pytest.raises(StateConflict):
        month_end_confirm(month_end=month_end, actor=admin)


def test_months_are_cut_in_the_factorys_time_zone():
    start, end = month_bounds(date(2026, 10, 1))
    shanghai = ZoneInfo("Asia/Shanghai")
    assert start == datetime(2026, 10, 1, tzinfo=shanghai)
    assert end == datetime(2026, 11, 1, tzinfo=shanghai)
    assert month_bounds(date(2026, 12, 1))[1] == datetime(2027, 1, 1, tzinfo=shanghai)
