"""A work order's life: create, release (freezes the requirements), output, complete, cancel
(R-W1, R-W2). Each write locks the work order first and audits the change."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.fields import QTY
from core.states import transition_require
from core.transactions import atomic_service
from materials.models import Bom, Material
from org.models import Workshop
from workorders.models import (
    ISSUABLE_STATUSES,
    WORK_ORDER_TRANSITIONS,
    OutputReport,
    ProductionLine,
    WorkOrder,
    WorkOrderLine,
    WorkOrderStatus,
)

WRONG_STATE = _("Work order %(number)s is %(status)s; it cannot be %(action)s.")
BOM_OTHER_PRODUCT = _("BOM %(bom)s is not a BOM of product %(product)s.")
BOM_INACTIVE = _("BOM %(bom)s is not active.")
BOM_EMPTY = _("BOM %(bom)s has no lines.")
PLANNED_QTY_POSITIVE = _("Planned quantity must be greater than zero.")
NOT_ON_WORK_ORDER = _("%(material)s is not required by work order %(number)s.")


OUTPUT_EMPTY = _("Report a good or scrap quantity greater than zero.")


QTY_NEGATIVE = _("Quantity cannot be negative.")
NO_OUTPUT = _("Report output before completing work order %(number)s.")
HAS_MOVEMENTS = _("Work order %(number)s has stock movements; it cannot be cancelled.")


def locked(work_order: WorkOrder) -> WorkOrder:
    """The work order row only: its BOM and product stay unlocked, so postings whose
    foreign-key checks read them never wait for an issue (issue #12)."""
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("bom", "product")
        .get(pk=work_order.pk)
    )


def ensure_transition(work_order: WorkOrder, target: str, action: str) -> None:
    transition_require(
        work_order,
        target,
        WORK_ORDER_TRANSITIONS,
        message=WRONG_STATE,
        params={
            "number": work_order.number,
            "status": work_order.get_status_display(),
            "action": action,
        },
        field="status",
    )


def status_change(
    work_order: WorkOrder,
    status: str,
    *,
    actor: AbstractBaseUser | None,
    device: str,
    action: str,
    **fields: Any,
) -> WorkOrder:
    """Set the new status (and time stamps), save and audit; the caller checked the move."""
    before = snapshot(work_order)
    work_order.status = status
    for name, value in fields.items():
        setattr(work_order, name, value)
    work_order.save(update_fields=["status", *fields, "updated_at"])
    audit_record(
        actor=actor,
        device=device,
        action=action,
        obj=work_order,
        before=before,
        after=snapshot(work_order),
    )
    return work_order


def snapshot(work_order: WorkOrder) -> dict[str, Any]:
    return {
        "status": work_order.status,
        "planned_qty": work_order.planned_qty,
        "bom": work_order.bom_id,
    }


def plan_validate(*, product: Material, bom: Bom, planned_qty: Decimal | int | str) -> None:
    if Decimal(planned_qty) <= 0:
        raise ValidationError({"planned_qty": PLANNED_QTY_POSITIVE})
    if bom.product_id != product.pk:
        raise ValidationError({"bom": BOM_OTHER_PRODUCT % {"bom": bom, "product": product.code}})
    if not bom.is_active:
        raise ValidationError({"bom": BOM_INACTIVE % {"bom": bom}})


@atomic_service
def work_order_create(
    *,
    number: str,
    product: Material,
    bom: Bom,
    planned_qty: Decimal,
    workshop: Workshop,
    actor: AbstractBaseUser,
    device: str = "",
    line: ProductionLine | None = None,
    planned_start: date | None = None,
    planned_end: date | None = None,
) -> WorkOrder:
    plan_validate(product=product, bom=bom, planned_qty=planned_qty)
    work_order = WorkOrder(
        number=number,
        product=product,
        bom=bom,
        planned_qty=planned_qty,
        workshop=workshop,
        line=line,
        planned_start=planned_start,
        planned_end=planned_end,
    )
    work_order.full_clean()
    work_order.save()
    audit_record(
        actor=actor,
        device=device,
        action="workorder.create",
        obj=work_order,
        after=snapshot(work_order),
    )
    return work_order


@atomic_service
def work_order_release(
    *, work_order: WorkOrder, actor: AbstractBaseUser, device: str = ""
) -> WorkOrder:
    """Freeze the requirement lines from the BOM version (R-M3, R-W2)."""
    work_order = locked(work_order)
    ensure_transition(work_order, WorkOrderStatus.RELEASED, _("released"))
    bom_lines = list(work_order.bom.lines.all())
    if not bom_lines:
        raise ValidationError({"bom": BOM_EMPTY % {"bom": work_order.bom}})
    WorkOrderLine.objects.bulk_create(
        [
            WorkOrderLine(
                work_order=work_order,
                material_id=bl.material_id,
                qty_per_unit=bl.qty_per_unit,
                loss_pct=bl.loss_pct,
                required_qty=(work_order.planned_qty * bl.qty_per_unit).quantize(QTY),
                loss_allowance_qty=(
                    work_order.planned_qty * bl.qty_per_unit * bl.loss_pct / 100
                ).quantize(QTY),
            )
            for bl in bom_lines
        ]
    )
    return status_change(
        work_order,
        WorkOrderStatus.RELEASED,
        actor=actor,
        device=device,
        action="workorder.release",
        released_at=timezone.now(),
    )


@atomic_service
def work_order_report_output(
    *,
    work_order: WorkOrder,
    good_qty: Decimal | int | str,
    scrap_qty: Decimal | int | str = 0,
    actor: AbstractBaseUser,
    device: str = "",
    note: str = "",
) -> OutputReport:
    work_order = locked(work_order)
    if work_order.status not in ISSUABLE_STATUSES:
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": work_order.number,
                "status": work_order.get_status_display(),
                "action": _("reported on"),
            },
        )
    good_qty, scrap_qty = Decimal(good_qty), Decimal(scrap_qty)
    if good_qty < 0 or scrap_qty < 0:
        raise ValidationError({"good_qty": QTY_NEGATIVE})
    if good_qty + scrap_qty == 0:
        raise ValidationError({"good_qty": OUTPUT_EMPTY})
    report = OutputReport.objects.create(
        work_order=work_order, good_qty=good_qty, scrap_qty=scrap_qty, note=note, reported_by=actor
    )
    audit_record(
        actor=actor,
        device=device,
        action="workorder.output",
        obj=work_order,
        after={"good_qty": good_qty, "scrap_qty": scrap_qty, "note": note},
    )
    return report


@atomic_service
def work_order_complete(
    *, work_order: WorkOrder, actor: AbstractBaseUser, device: str = ""
) -> WorkOrder:
    """Completion starts the 24 h clock for returning leftovers (R-W5)."""
    work_order = locked(work_order)
    ensure_transition(work_order, WorkOrderStatus.COMPLETED, _("completed"))
    if not work_order.outputs.exists():
        raise ValidationError(NO_OUTPUT % {"number": work_order.number})
    return status_change(
        work_order,
        WorkOrderStatus.COMPLETED,
        actor=actor,
        device=device,
        action="workorder.complete",
        completed_at=timezone.now(),
    )


@atomic_service
def work_order_cancel(
    *, work_order: WorkOrder, actor: AbstractBaseUser, device: str = ""
) -> WorkOrder:
    work_order = locked(work_order)
    ensure_transition(work_order, WorkOrderStatus.CANCELLED, _("cancelled"))
    if work_order.ledger_entries.exists():
        raise StateConflict(HAS_MOVEMENTS, params={"number": work_order.number})
    return status_change(
        work_order, WorkOrderStatus.CANCELLED, actor=actor, device=device, action="workorder.cancel"
    )
