"""Supplier claims on the scorecard (#18 item 6): the supplier returns whose claim was
open at any time in the month (posted before its end, not closed before its start), with
their ages — the one place the scorecard page and its "Claims" sheet read them from.
"""

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.excel import Column
from core.months import month_bounds
from returns.models import SupplierReturn, SupplierReturnState

# supplier_code, supplier_name: the supplier; number: the supplier return's slip number;
# state: its label ("open", "closed"); opened: its date; closed: its date or None;
# age_days: days open (up to the month's end while open).
CLAIM_KEYS = ("supplier_code", "supplier_name", "number", "state", "opened", "closed", "age_days")


def supplier_claim_rows(month: date) -> list[dict]:
    """Claims (posted supplier returns, R-S2) open at any time in ``month``, oldest first;
    an open claim's age runs to the month's end, or to today in the current month."""
    start, end = month_bounds(month)
    claims = (
        SupplierReturn.objects.filter(posted_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .filter(state__in=[SupplierReturnState.POSTED, SupplierReturnState.CLOSED])
        .select_related("supplier")
        .order_by("posted_at", "id")
    )
    last_day = min(timezone.localdate(), (end - timedelta(days=1)).date())
    rows = []
    for claim in claims:
        opened = timezone.localtime(claim.posted_at).date()
        closed = timezone.localtime(claim.closed_at).date() if claim.closed_at else None
        rows.append(
            {
                "supplier_code": claim.supplier.code,
                "supplier_name": claim.supplier.name,
                "number": claim.number,
                "state": claim.get_state_display(),
                "opened": opened,
                "closed": closed,
                "age_days": ((closed or last_day) - opened).days,
            }
        )
    return rows


def claims_of(month: date, supplier_code: str | None = None) -> list[dict]:
    """The month's claims, of one supplier when ``supplier_code`` is given."""
    rows = supplier_claim_rows(month)
    return [row for row in rows if supplier_code in (None, row["supplier_code"])]


def claim_columns() -> list[Column]:
    return [
        Column(_("Supplier"), 12),
        Column(_("Supplier name"), 28),
        Column(_("Claim"), 16),
        Column(_("State"), 12),
        Column(_("Opened"), 12),
        Column(_("Closed"), 12),
        Column(_("Age (days)"), 10),
    ]


def claim_row(row: dict) -> tuple:
    return tuple(row[key] for key in CLAIM_KEYS)
