"""The ERP's work orders by number: created, or re-planned while still planned."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.transactions import atomic_service
from workorders.models import WorkOrder, WorkOrderStatus
from workorders.services.lifecycle import (
    WRONG_STATE,
    locked,
    plan_validate,
    work_order_create,
)

PLAN_FIELDS = ("product", "bom", "planned_qty", "workshop", "line", "planned_start", "planned_end")


def plan_snapshot(work_order: WorkOrder) -> dict[str, Any]:
    """What the ERP plans on a work order, as the audit trail shows it."""
    return {
        "product": work_order.product.code,
        "bom": str(work_order.bom),
        "planned_qty": work_order.planned_qty,
        "workshop": work_order.workshop.code,
        "line": work_order.line.code if work_order.line else None,
        "planned_start": work_order.planned_start,
        "planned_end": work_order.planned_end,
    }


@atomic_service
def work_order_upsert(
    *, number: str, actor: AbstractBaseUser, device: str = "", **plan: Any
) -> tuple[WorkOrder, bool]:
    """The ERP's work order by number (``plan``: the arguments of ``work_order_create``):
    created, or its plan changed while it is still planned (409 afterwards). Sent again
    unchanged it writes nothing, whatever the status. Returns ``(work_order, created)``."""
    plan = {"line": None, "planned_start": None, "planned_end": None, **plan}
    current = WorkOrder.objects.filter(number=number).first()
    if current is None:
        return work_order_create(number=number, actor=actor, device=device, **plan), True
    work_order = locked(current)
    before = plan_snapshot(work_order)
    for name in PLAN_FIELDS:
        setattr(work_order, name, plan[name])
    if plan_snapshot(work_order) == before:
        return work_order, False
    ensure_planned(work_order)
    plan_validate(product=work_order.product, bom=work_order.bom, planned_qty=plan["planned_qty"])
    work_order.full_clean()
    work_order.save()
    audit_record(
        actor=actor,
        device=device,
        action="workorder.change",
        obj=work_order,
        before=before,
        after=plan_snapshot(work_order),
    )
    return work_order, False


def ensure_planned(work_order: WorkOrder) -> None:
    if work_order.status != WorkOrderStatus.PLANNED:
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": work_order.number,
                "status": work_order.get_status_display(),
                "action": _("re-planned"),
            },
        )
