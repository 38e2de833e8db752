"""Reads shared by pages, API and reports."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from inventory.models import InspectionStatus, LedgerEntry, StockBalance
from materials.models import LocationKind, Material, Warehouse

# What a ledger row names, fetched per page with one small query each (prefetch_related)
# by the ledger page and the API: planning a seven-table join cost ~10 ms (73 ms on a
# loaded machine) to run it in under 1 ms (issue #17).
LEDGER_CODES = ("material", "lot", "serial", "location", "work_order", "actor")


def issuable(balances: QuerySet[StockBalance]) -> QuerySet[StockBalance]:
    """``balances`` that may go to production: on hand at a usable location, the lot (if
    any) in date and passed by QC."""
    today = timezone.localdate()
    return (
        balances.filter(
            quantity__gt=0, location__is_active=True, location__kind__in=LocationKind.usable()
        )
        .filter(Q(lot__isnull=True) | Q(lot__inspection_status=InspectionStatus.PASSED))
        .filter(
            Q(lot__isnull=True) | Q(lot__expiry_date__isnull=True) | Q(lot__expiry_date__gte=today)
        )
    )


def issuable_balances(
    *, material: Material, warehouse: Warehouse | None = None
) -> QuerySet[StockBalance]:
    """Stock that may go to production: usable location, lot in date and passed by QC."""
    balances = issuable(StockBalance.objects.filter(material=material)).select_related(
        "lot", "location"
    )
    if warehouse is not None:
        balances = balances.filter(location__warehouse=warehouse)
    return balances


def fefo_suggestion(
    *, material: Material, quantity: Decimal, warehouse: Warehouse | None = None
) -> tuple[list[dict[str, Any]], Decimal]:
    """First-expired-first-out picks covering ``quantity``; returns (picks, shortfall)."""
    remaining = Decimal(quantity)
    picks = []
    ordered = issuable_balances(material=material, warehouse=warehouse).order_by(
        F("lot__expiry_date").asc(nulls_last=True),
        F("lot__production_date").asc(nulls_last=True),
        "lot_id",
        "location__code",
    )
    for balance in ordered:
        if remaining <= 0:
            break
        take = min(balance.quantity, remaining)
        picks.append(
            {
                "lot": balance.lot,
                "location": balance.location,
                "quantity": take,
                "on_hand": balance.quantity,
            }
        )
        remaining -= take
    return picks, max(remaining, Decimal("0"))


# What a row of stock as of a day names: the key's ids and its codes.
AS_OF_KEY = (
    "material_id",
    "lot_id",
    "location_id",
    "material__code",
    "lot__batch_no",
    "location__code",
)


def stock_as_of(day: date) -> QuerySet[LedgerEntry, dict[str, Any]]:
    """On hand per material, lot and location at the end of ``day`` (R-L6): the ledger's
    quantities posted up to that day, summed per key in the database. Balances are running
    totals per key, never stored on entries, so a back-dated entry counts from its posting
    date on. The stock filters (``BalanceFilter``) narrow the rows before they are summed;
    ``quantity`` is the sum, so ``in_stock`` filters the sums."""
    return (
        LedgerEntry.objects.filter(posting_date__lte=day)
        .values(*AS_OF_KEY)
        .annotate(quantity=Sum("quantity"))
        .order_by("material__code", "lot__batch_no", "location__code")
    )


def ledger_balance_mismatches() -> list[tuple[int, int | None, int, Decimal | None, Decimal]]:
    """Balances that differ from Σ ledger (R-L2), as (material, lot, location, balance, ledger)."""
    sums = {
        (row["material_id"], row["lot_id"], row["location_id"]): row["total"]
        for row in LedgerEntry.objects.values("material_id", "lot_id", "location_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    mismatches = []
    for b in StockBalance.objects.values_list("material_id", "lot_id", "location_id", "quantity"):
        ledger = sums.pop(b[:3], Decimal("0"))
        if ledger != b[3] or b[3] < 0:
            mismatches.append((*b[:3], b[3], ledger))
    mismatches.extend((*key, None, total) for key, total in sums.items() if total != 0)
    return mismatches
