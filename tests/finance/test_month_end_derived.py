"""Month-end lines and documents are derived rows (issue #17 item 3): grouped on the ledger's
stored columns, written without database foreign-key constraints, and still deleted or
protected as their ``on_delete`` says."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import ProtectedError

from finance.models import MonthEnd, MonthEndDocument, MonthEndLine
from finance.month_end import month_end_compute
from inventory.models import MovementType
from materials.models import Material
from returns.models import RequestKind
from tests.factories import MaterialFactory
from tests.finance.test_month_end import month, post  # noqa: F401 - the fixture
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_end(month):  # noqa: F811 - the imported fixture
    return month_end_compute(month=month)


def test_month_end_kinds_are_the_ledgers_movement_types():
    """The summary groups on ``movement_type`` and stores it as the kind."""
    assert {kind.value for kind in RequestKind} == {MovementType.RETURN, MovementType.REPLENISH}


@pytest.mark.parametrize("model", [MonthEndLine, MonthEndDocument])
def test_derived_rows_carry_no_database_foreign_keys(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    assert [name for name, c in constraints.items() if c["foreign_key"]] == []


def test_a_reversal_in_the_month_nets_out_in_its_line_and_document(month_end, user):
    """The sign is applied per group: a return and its partial reversal (a negative return
    entry) net out, as they did when each ledger row was signed."""
    tube, order = Material.objects.get(code="TUBE"), WorkOrder.objects.get(number="WO-1")
    for qty in ("5", "-2"):
        post(
            MovementType.RETURN,
            tube,
            qty,
            work_order=order,
            number="RT-2",
            reason="LEFTOVER",
            user=user,
        )
    month_end = month_end_compute(month=month_end.month)
    line = month_end.lines.get(kind=RequestKind.RETURN)
    assert (line.quantity, line.amount) == (Decimal("15.5"), Decimal("286.75"))
    assert month_end.documents.get(number="RT-2").amount == Decimal("55.50")


def test_deleting_a_month_takes_its_rows_along(month_end):
    assert month_end.lines.exists() and month_end.documents.exists()
    MonthEnd.objects.filter(pk=month_end.pk).delete()
    assert not MonthEndLine.objects.exists() and not MonthEndDocument.objects.exists()


def test_a_material_named_by_a_month_end_line_stays_protected(month_end):
    material = MaterialFactory()
    MonthEndLine.objects.create(
        month_end=month_end,
        kind=RequestKind.RETURN,
        reason_code="LEFTOVER",
        approval_class="A",
        material=material,
        quantity=1,
        amount=1,
    )
    with pytest.raises(ProtectedError):
        material.delete()
