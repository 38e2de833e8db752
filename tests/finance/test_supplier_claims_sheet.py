"""The month-end workbook's "Supplier claims" sheet (R-S2, R-J1): the claims posted in the
month with supplier, number, amount, state and age in days."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from finance.month_end import month_end_compute
from finance.workbook import month_end_workbook
from materials.models import LocationKind
from returns.models import SupplierReturn
from returns.services.supplier_claims import supplier_claim_credit
from tests.builders import batch_material, location, receive, with_roles
from tests.factories import SupplierFactory
from tests.returns.supplier_builders import mc_user, posted_supplier_return, sr_line

pytestmark = pytest.mark.django_db


def test_claims_posted_in_the_month_with_amount_state_and_age(user, tmp_path):
    keeper = with_roles(user, "keeper")
    supplier = SupplierFactory(code="SUP-ALU", name="Foshan Aluminium Co.")
    area = location("SR", kind=LocationKind.SUPPLIER_RETURN)
    tube = batch_material(code="TUBE", standard_cost=Decimal("10"))
    receive(tube, area, 10, keeper, batch_no="D1", supplier=supplier)
    lot = tube.lots.get()
    open_claim = posted_supplier_return(supplier, [sr_line(tube, 4, area, lot)], keeper)
    closed = posted_supplier_return(supplier, [sr_line(tube, 6, area, lot)], keeper)
    supplier_claim_credit(supplier_return=closed, actor=mc_user(), credit_note="CN", amount=60)
    # posted three days ago (services stamp the current time; only the test moves it)
    SupplierReturn.objects.filter(pk=open_claim.pk).update(
        posted_at=timezone.now() - timedelta(days=3, hours=1)
    )
    month_end = month_end_compute(month=timezone.localdate().replace(day=1))
    path = tmp_path / "month.xlsx"
    month_end_workbook(month_end, path)
    rows = [tuple(r) for r in load_workbook(path)["Supplier claims"].iter_rows(values_only=True)]
    body = [row for row in rows if row[2] in (open_claim.number, closed.number)]
    by_number = {row[2]: row for row in body}
    assert by_number[open_claim.number][:5] == (
        "SUP-ALU",
        "Foshan Aluminium Co.",
        open_claim.number,
        40,
        "posted, claim open",
    )
    assert by_number[open_claim.number][5] == 3
    assert by_number[closed.number][3:] == (60, "claim closed", 0)
