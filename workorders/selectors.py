"""Reads about work orders: per-line issued / returned / replenished / consumed (R-W2)."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Prefetch, Sum, prefetch_related_objects

from inventory.models import LedgerEntry, MovementType
from workorders.models import LeftoverDeclaration, WorkOrder, WorkOrderLine

ZERO = Decimal("0")
# {work_order_id: {material_id: {"issued", "returned", "replenished"}}}, zero when absent
Totals = defaultdict[int, defaultdict[int, dict[str, Decimal]]]
FG_RECEIPT_DOC = "fg_receipt"  # doc_type of finished-goods receipts into the warehouse
# Sign that turns a movement's ledger quantity into the line's positive counter.
COUNTED_MOVEMENTS = {
    MovementType.ISSUE: ("issued", -1),
    MovementType.REPLENISH: ("replenished", -1),
    MovementType.RETURN: ("returned", 1),
}


def material_totals(work_order_ids: Iterable[int], *, using: str | None = None) -> Totals:
    """{work_order_id: {material_id: {"issued", "returned", "replenished"}}} in one query.

    The ledger is the only source: no counters to drift (R-L2). ``using``: the database
    alias to read (a report passes its own: ``core.db.reader``).
    """
    totals = defaultdict(
        lambda: defaultdict(lambda: dict.fromkeys(("issued", "returned", "replenished"), ZERO))
    )
    rows = (
        LedgerEntry.objects.using(using)
        .filter(work_order_id__in=work_order_ids, movement_type__in=list(COUNTED_MOVEMENTS))
        .values("work_order_id", "material_id", "movement_type")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for row in rows:
        name, sign = COUNTED_MOVEMENTS[row["movement_type"]]
        totals[row["work_order_id"]][row["material_id"]][name] += sign * row["total"]
    return totals


def line_progress(line: WorkOrderLine, totals: Totals) -> dict[str, Decimal]:
    """A requirement line's counters; consumed = issued + replenished − returned."""
    counts = totals[line.work_order_id][line.material_id]
    return {
        **counts,
        "consumed": counts["issued"] + counts["replenished"] - counts["returned"],
        "remaining_to_issue": max(
            line.required_qty + line.loss_allowance_qty - counts["issued"], ZERO
        ),
    }


def attach_progress(work_orders: Iterable[WorkOrder]) -> list[WorkOrder]:
    """Set ``line.progress`` on every requirement line of the given work orders."""
    work_orders = list(work_orders)
    prefetch_related_objects(
        work_orders, Prefetch("lines", queryset=WorkOrderLine.objects.select_related("material"))
    )
    totals = material_totals([wo.pk for wo in work_orders])
    for wo in work_orders:
        for line in wo.lines.all():
            line.progress = line_progress(line, totals)
    return work_orders


def output_totals(work_order: WorkOrder) -> dict[str, Decimal | None]:
    return work_order.outputs.aggregate(good=Sum("good_qty"), scrap=Sum("scrap_qty"))


def finished_goods_received(work_order: WorkOrder) -> Decimal:
    """The finished goods booked into the warehouse against ``work_order`` so far."""
    received = LedgerEntry.objects.filter(work_order=work_order, doc_type=FG_RECEIPT_DOC)
    return received.aggregate(total=Sum("quantity"))["total"] or ZERO


def declared_quantities(
    work_order_ids: Iterable[int], *, using: str | None = None
) -> dict[tuple[int, int], Decimal]:
    """{(work_order_id, material_id): quantity declared consumed}: over-quota consumption
    (R-W6), in one query."""
    rows = LeftoverDeclaration.objects.using(using).filter(work_order_id__in=work_order_ids)
    return {
        (wo, material): quantity
        for wo, material, quantity in rows.values_list("work_order_id", "material_id", "quantity")
    }
