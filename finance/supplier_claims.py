"""The month-end workbook's "Supplier claims" sheet (R-S2, R-J1): the supplier returns
posted in the month, with their claim amount, state and age in days (to the claim's close,
or to now while it is open; seed 003 §5.7.6 wants it closed within 7)."""

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.excel import MONEY_FORMAT, Column, Workbook, sheet_write
from core.formatting import label
from core.months import month_bounds
from finance.models import MonthEnd
from returns.models import SupplierReturn, SupplierReturnState


def supplier_claim_rows(month_end: MonthEnd, now: datetime | None = None) -> Iterable[tuple]:
    """(supplier, supplier name, number, amount, state, age in days), oldest first."""
    now = now or timezone.now()
    start, end = month_bounds(month_end.month)
    claims = (
        SupplierReturn.objects.using(month_end._state.db)
        .filter(posted_at__gte=start, posted_at__lt=end)
        .select_related("supplier")
        .order_by("posted_at", "id")
    )
    for claim in claims:
        age = ((claim.closed_at or now) - claim.posted_at).days
        yield (
            claim.supplier.code,
            claim.supplier.name,
            claim.number,
            claim.claim_amount,
            label(SupplierReturnState.choices, claim.state),
            age,
        )


def supplier_claims(workbook: Workbook, month_end: MonthEnd) -> None:
    columns = [
        Column(_("Supplier"), 14),
        Column(_("Name"), 28),
        Column(_("Document"), 18),
        Column(_("Claim amount"), 16, MONEY_FORMAT, True),
        Column(_("State"), 20),
        Column(_("Age (days)"), 12, "#,##0"),
    ]
    sheet_write(workbook, _("Supplier claims"), columns, supplier_claim_rows(month_end))
