"""Supplier quality scorecard (#18 item 6, R-S1, seed 003 §5.7.6, §5.9): per supplier and
month, the defect returns attributed to it.

A return line counts for a supplier when QC's verdict is ``supplier_defect``, its lot names
that supplier, and its return was posted in the month (``posted_at`` in the factory's time
zone; confirmed returns stay posted). Its quantity is what was received back and posted
(``received_qty``), its value that quantity × the material's standard cost. The rate is the
defect quantity against what the supplier delivered: the ledger's ``RECEIPT`` entries of its
lots dated (``posting_date``) in the month, per material; for the supplier as a whole only
where everything is in one unit (quantities of different units do not add up). A lot's rate
is against everything ever received into that lot.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from core.db import reader
from core.fields import MONEY
from core.formatting import quantity
from core.months import month_bounds
from inventory.models import LedgerEntry, MovementType
from materials.models import Supplier
from returns.models import ReturnLine, ReturnState, Verdict
from workorders.closeout import percent

POSTED = (ReturnState.POSTED, ReturnState.CONFIRMED)
DEFECT_QTY = Coalesce("received_qty", "quantity")
MATERIAL_KEYS = (
    "lot__supplier_id",
    "lot__supplier__code",
    "lot__supplier__name",
    "material_id",
    "material__code",
    "material__name",
    "material__uom__code",
    "material__standard_cost",
)
LOT_KEYS = (*MATERIAL_KEYS, "lot__batch_no", "lot_id")


def month_following(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def defect_lines(month: date, supplier: Supplier | None = None) -> QuerySet[ReturnLine]:
    """The month's posted supplier-defect return lines whose lot has a supplier."""
    start, end = month_bounds(month)
    lines = ReturnLine.objects.using(reader()).filter(
        verdict=Verdict.SUPPLIER_DEFECT,
        lot__supplier__isnull=False,
        request__state__in=POSTED,
        request__posted_at__gte=start,
        request__posted_at__lt=end,
    )
    return lines.filter(lot__supplier=supplier) if supplier else lines


def month_receipts(month: date, supplier: Supplier | None = None) -> QuerySet[LedgerEntry]:
    """``RECEIPT`` entries of suppliers' lots dated in the month."""
    entries = LedgerEntry.objects.using(reader()).filter(
        movement_type=MovementType.RECEIPT,
        lot__supplier__isnull=False,
        posting_date__gte=month,
        posting_date__lt=month_following(month),
    )
    return entries.filter(lot__supplier=supplier) if supplier else entries


def defect_groups(month: date, supplier: Supplier | None, keys: tuple[str, ...]) -> QuerySet:
    return (
        defect_lines(month, supplier)
        .values(*keys)
        .annotate(quantity=Sum(DEFECT_QTY), lines=Count("id"))
        .order_by("lot__supplier__code", "material__code", *keys[len(MATERIAL_KEYS) :])
    )


def ratio(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part / whole`` for pages (``core.formatting.percent``); None when not computable."""
    return part / whole if part is not None and whole else None


def value_of(row: dict) -> Decimal:
    return (row["quantity"] * row["material__standard_cost"]).quantize(MONEY)


def received_in_month(month: date, supplier: Supplier | None = None) -> list[dict]:
    """Per supplier and material, what its lots received in the month (with the unit)."""
    return list(
        month_receipts(month, supplier)
        .values(
            "lot__supplier_id",
            "lot__supplier__code",
            "lot__supplier__name",
            "material_id",
            "material__uom__code",
        )
        .annotate(received=Sum("quantity"))
        .order_by()
    )


def material_rows(month: date, supplier: Supplier | None = None) -> list[dict]:
    """Per supplier and material: defect quantity (unit), value, received in the month, %."""
    received = {
        (row["lot__supplier_id"], row["material_id"]): row["received"]
        for row in received_in_month(month, supplier)
    }
    rows = list(defect_groups(month, supplier, MATERIAL_KEYS))
    for row in rows:
        row["value"] = value_of(row)
        row["received"] = received.get((row["lot__supplier_id"], row["material_id"]))
        row["rate"] = percent(row["quantity"], row["received"])
        row["ratio"] = ratio(row["quantity"], row["received"])
    return rows


def lot_rows(month: date, supplier: Supplier | None = None) -> list[dict]:
    """Per supplier and lot: defect quantity, value, and % of all the lot ever received."""
    rows = list(defect_groups(month, supplier, LOT_KEYS))
    received = dict(
        LedgerEntry.objects.using(reader())
        .filter(movement_type=MovementType.RECEIPT, lot_id__in={row["lot_id"] for row in rows})
        .values("lot_id")
        .annotate(received=Sum("quantity"))
        .order_by()
        .values_list("lot_id", "received")
    )
    for row in rows:
        row["value"] = value_of(row)
        row["received"] = received.get(row["lot_id"])
        row["rate"] = percent(row["quantity"], row["received"])
        row["ratio"] = ratio(row["quantity"], row["received"])
    return rows


@dataclass
class SupplierTotal:
    """One supplier's month: defects and receipts per unit, the value of the defects."""

    supplier_id: int
    code: str
    name: str
    value: Decimal = Decimal("0.00")
    lines: int = 0
    defects: dict = field(default_factory=lambda: defaultdict(Decimal))  # unit → quantity
    received: dict = field(default_factory=lambda: defaultdict(Decimal))  # unit → quantity

    @property
    def unit(self) -> str | None:
        """The one unit of everything counted, or None when units are mixed (or nothing)."""
        units = set(self.defects) | set(self.received)
        return units.pop() if len(units) == 1 else None

    @property
    def quantity(self) -> Decimal | None:
        return self.defects.get(self.unit, Decimal(0)) if self.unit else None

    @property
    def received_quantity(self) -> Decimal | None:
        return self.received.get(self.unit) if self.unit else None

    @property
    def rate(self) -> Decimal | None:
        """% of the month's receipts; None where not computable (mixed units, nothing in)."""
        return percent(self.quantity, self.received_quantity) if self.unit else None

    @property
    def mixed(self) -> str:
        """``12 M, 3 PCS``: the defects in several units, each with its own."""
        return ", ".join(quantity(qty, unit) for unit, qty in sorted(self.defects.items()))

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.quantity, self.received_quantity)


def supplier_totals(month: date, supplier: Supplier | None = None) -> list[SupplierTotal]:
    """Every supplier with a defect return or a receipt in the month, by code."""
    totals = {}

    def total_of(row):
        key = row["lot__supplier_id"]
        if key not in totals:
            totals[key] = SupplierTotal(key, row["lot__supplier__code"], row["lot__supplier__name"])
        return totals[key]

    for row in material_rows(month, supplier):
        total = total_of(row)
        total.value += row["value"]
        total.lines += row["lines"]
        total.defects[row["material__uom__code"]] += row["quantity"]
    for row in received_in_month(month, supplier):
        total_of(row).received[row["material__uom__code"]] += row["received"]
    return sorted(totals.values(), key=lambda total: total.code)
