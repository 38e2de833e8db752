"""Reads about leftovers (R-W6): which orders can take a completed order's leftover, the
borrowed whole-pack surplus waiting at the line (seed 003 §5.8.2), and where a work order's
net issue of a material came from (the lots and locations a carry-over moves).

Borrowed surplus of an order for a material: what its borrowed issues (借料, issued in
whole packs without quota) left beyond what the order uses, capped by the borrowed
quantity. The system cannot tell packs, so it works with the surplus quantity:

- an order in progress: net issued − (required + loss allowance) − declared consumed;
- a completed order: its leftover on the close-out (``workorders.closeout``: excess for
  the output − declared consumed).
"""

from decimal import Decimal

from django.db.models import Max, Sum

from inventory.models import LedgerEntry, MovementType
from workorders.closeout import line_usage_of
from workorders.models import (
    ISSUABLE_STATUSES,
    LeftoverDeclaration,
    MaterialIssue,
    WorkOrder,
    WorkOrderLine,
    WorkOrderStatus,
)
from workorders.selectors import ZERO, line_progress, material_totals

ISSUE_DOC = "issue"  # doc_type of ``work_order_issue``'s entries
CARRY_OVER_DOC = "carry_over"  # doc_type of a carry-over's pair of ISSUE entries
SURPLUS_SOURCE_STATUSES = (WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED)


def carry_over_targets(work_order: WorkOrder, material_id: int) -> list[dict]:
    """Released or in-progress orders of the material that still need some, oldest first:
    ``[{"work_order", "remaining"}]`` (remaining to issue)."""
    lines = list(
        WorkOrderLine.objects.filter(
            material_id=material_id, work_order__status__in=ISSUABLE_STATUSES
        )
        .exclude(work_order_id=work_order.pk)
        .select_related("work_order")
        .order_by("work_order_id")
    )
    totals = material_totals([line.work_order_id for line in lines])
    rows = []
    for line in lines:
        remaining = line_progress(line, totals)["remaining_to_issue"]
        if remaining > 0:
            rows.append({"work_order": line.work_order, "remaining": remaining})
    return rows


def borrowed_quantities(material_id: int, *, exclude_id: int | None = None) -> dict[int, Decimal]:
    """{work_order_id: quantity issued to it by borrowed issues} for orders still holding
    material at the line (in progress or completed)."""
    borrowed_issues = MaterialIssue.objects.filter(is_borrowed=True).values("number")
    rows = (
        LedgerEntry.objects.filter(
            material_id=material_id,
            movement_type=MovementType.ISSUE,
            doc_type=ISSUE_DOC,
            doc_id__in=borrowed_issues,
            work_order__status__in=SURPLUS_SOURCE_STATUSES,
        )
        .exclude(work_order_id=exclude_id)
        .values("work_order_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {row["work_order_id"]: -row["total"] for row in rows}


def borrowed_surplus(material_id: int, *, exclude_id: int | None = None) -> list[dict]:
    """The borrowed surplus of the material at the lines, oldest order first:
    ``[{"work_order", "quantity"}]`` (module docstring)."""
    borrowed = borrowed_quantities(material_id, exclude_id=exclude_id)
    if not borrowed:
        return []
    lines = (
        WorkOrderLine.objects.filter(work_order_id__in=borrowed, material_id=material_id)
        .select_related("work_order", "material")
        .order_by("work_order_id")
    )
    totals = material_totals(list(borrowed))
    declared = dict(
        LeftoverDeclaration.objects.filter(
            work_order_id__in=borrowed, material_id=material_id
        ).values_list("work_order_id", "quantity")
    )
    rows = []
    for line in lines:
        if line.work_order.status == WorkOrderStatus.COMPLETED:
            spare = line_usage_of(line.work_order, material_id)[1]["leftover"]
        else:
            quota = line.required_qty + line.loss_allowance_qty
            consumed = line_progress(line, totals)["consumed"]
            spare = consumed - quota - declared.get(line.work_order_id, ZERO)
        quantity = min(borrowed[line.work_order_id], spare)
        if quantity > 0:
            rows.append({"work_order": line.work_order, "quantity": quantity})
    return rows


def borrowed_deductions(work_order: WorkOrder) -> dict[int, list[dict]]:
    """{material_id: borrowed surplus rows} for the requirement lines of ``work_order``
    (the issue page's "deducted" figures)."""
    return {
        material_id: rows
        for material_id in work_order.lines.values_list("material_id", flat=True)
        if (rows := borrowed_surplus(material_id, exclude_id=work_order.pk))
    }


def net_issue_positions(work_order: WorkOrder, material_id: int) -> list[dict]:
    """Where the order's net issue of a material came from, newest first:
    ``[{"lot_id", "location_id", "quantity"}]`` with quantity > 0 (issues and
    replenishments less returns, per lot and location)."""
    rows = (
        LedgerEntry.objects.filter(
            work_order_id=work_order.pk,
            material_id=material_id,
            movement_type__in=[MovementType.ISSUE, MovementType.REPLENISH, MovementType.RETURN],
        )
        .values("lot_id", "location_id")
        .annotate(total=Sum("quantity"), last=Max("id"))
        .order_by("-last")
    )
    return [
        {"lot_id": row["lot_id"], "location_id": row["location_id"], "quantity": -row["total"]}
        for row in rows
        if row["total"] < 0
    ]
