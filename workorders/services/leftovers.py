"""Leftovers registered for next use (登记下次使用, R-W6): a completed order's leftover carried
over to the next work order of the same material, and borrowed whole-pack surplus deducted
from the next order's issue (seed 003 §5.8.2).

Ledger choice: a carry-over posts a pair of ``ISSUE`` entries (doc ``carry_over``): a
reversing one (+q) on the order the material leaves and a normal one (−q) on the order it
goes to, at the same lot and location the first order's net issue came from (newest first).
So the first order's net issued goes down (its leftover on the close-out shrinks, its
returnable quantity too), the next order's issued goes up (its remaining to issue drops by
q), total stock is unchanged (+q and −q on one balance), and no ``RETURN`` entry is written:
the material never went back to the warehouse, so return statistics and month-end return
counts stay true. Serial-tracked material is refused (its units would have to be named):
return it and issue it again.
"""

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.formatting import quantity as quantity_text
from core.services import document_number_next
from core.transactions import atomic_service
from inventory.models import Lot, MovementType
from inventory.services import Movement, entries_summary, ledger_post, validate_quantity
from materials.models import Location, Material, TrackingMode
from org.access import permission_require
from workorders.closeout import line_usage_of
from workorders.leftovers import CARRY_OVER_DOC, borrowed_surplus, net_issue_positions
from workorders.models import (
    ISSUABLE_STATUSES,
    LeftoverCarryOver,
    WorkOrder,
    WorkOrderLine,
    WorkOrderStatus,
)
from workorders.selectors import ZERO, line_progress, material_totals
from workorders.services.lifecycle import NOT_ON_WORK_ORDER, WRONG_STATE

CARRY_OVER_PERMISSION = "workorders.change_workorder"

CARRY_OVER_SAME_ORDER = _("Choose another work order to carry the leftover over to.")
CARRY_OVER_TARGET_STATE = _(
    "Work order %(number)s is %(status)s: leftovers can be carried over only to a released "
    "or in-progress work order."
)
CARRY_OVER_OTHER_MATERIAL = _(
    "Work order %(number)s does not use %(material)s: a leftover goes only to an order of the "
    "same material."
)
CARRY_OVER_NOT_NEEDED = _(
    "Carrying over %(qty)s of %(material)s exceeds what work order %(number)s still needs "
    "(%(remaining)s)."
)
CARRY_OVER_EXCEEDS_LEFTOVER = _(
    "Carrying over %(qty)s of %(material)s exceeds the leftover on work order %(number)s "
    "(%(leftover)s)."
)
CARRY_OVER_ALREADY = _(
    "The leftover of %(material)s on work order %(number)s was already carried over "
    "(%(carry_over)s)."
)
CARRY_OVER_SERIALS = _(
    "%(material)s is serial-tracked: return the units and issue them to the next order."
)
CARRY_OVER_NO_POSITION = _("The net issue of %(material)s to %(number)s does not cover %(qty)s.")


def orders_locked(*work_orders: WorkOrder) -> dict[int, WorkOrder]:
    """The work orders' rows locked in id order (no deadlock between two carry-overs)."""
    rows = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("bom", "product")
        .filter(pk__in=[wo.pk for wo in work_orders])
        .order_by("pk")
    )
    return {wo.pk: wo for wo in rows}


def text(quantity: Decimal, material: Material) -> str:
    return quantity_text(quantity, material.uom.code)


def ensure_target(target: WorkOrder, source: WorkOrder, material: Material) -> WorkOrderLine:
    """R-W6: a released or in-progress order of the same material; returns its line."""
    if target.pk == source.pk:
        raise ValidationError({"to_work_order": CARRY_OVER_SAME_ORDER})
    if target.status not in ISSUABLE_STATUSES:
        raise ValidationError(
            {
                "to_work_order": CARRY_OVER_TARGET_STATE
                % {"number": target.number, "status": target.get_status_display()}
            }
        )
    line = WorkOrderLine.objects.filter(work_order=target, material=material).first()
    if line is None:
        raise ValidationError(
            {
                "to_work_order": CARRY_OVER_OTHER_MATERIAL
                % {"number": target.number, "material": material.code}
            }
        )
    return line


def remaining_of(line: WorkOrderLine) -> Decimal:
    return line_progress(line, material_totals([line.work_order_id]))["remaining_to_issue"]


def carry_over_movements(
    source: WorkOrder, target: WorkOrder, material: Material, quantity: Decimal
) -> tuple[list[Movement], list[Movement]]:
    """The reversing issue on ``source`` and the issue on ``target``, lot by lot and
    location by location from the source's newest net issue (module docstring)."""
    back, forth, left = [], [], quantity
    positions = net_issue_positions(source, material.pk)
    lots = Lot.objects.in_bulk({p["lot_id"] for p in positions if p["lot_id"]})
    places = Location.objects.in_bulk({p["location_id"] for p in positions})
    for number, position in enumerate(positions, start=1):
        if left <= 0:
            break
        take = min(left, position["quantity"])
        left -= take
        common = {
            "material": material,
            "location": places[position["location_id"]],
            "movement_type": MovementType.ISSUE,
            "lot": lots.get(position["lot_id"]),
            "doc_line": number,
        }
        back.append(Movement(quantity=take, remark=f"carry-over to {target.number}", **common))
        forth.append(Movement(quantity=-take, remark=f"carry-over from {source.number}", **common))
    if left > 0:
        raise ValidationError(
            {
                "quantity": CARRY_OVER_NO_POSITION
                % {
                    "material": material.code,
                    "number": source.number,
                    "qty": text(quantity, material),
                }
            }
        )
    return back, forth


def carry_over_post(
    *,
    source: WorkOrder,
    target: WorkOrder,
    material: Material,
    quantity: Decimal,
    actor: AbstractBaseUser,
    device: str,
    borrowed: bool,
) -> LeftoverCarryOver:
    """Book ``quantity`` from ``source`` to ``target`` (both locked, checked by the caller)."""
    back, forth = carry_over_movements(source, target, material, quantity)
    number = document_number_next(prefix="CO")
    common = {"doc_type": CARRY_OVER_DOC, "doc_id": number, "actor": actor, "device": device}
    common["work_order_locked"] = True  # both held FOR UPDATE by the caller (orders_locked)
    entries = ledger_post(movements=back, work_order=source, **common)
    entries += ledger_post(movements=forth, work_order=target, **common)
    carry_over = LeftoverCarryOver.objects.create(
        number=number,
        work_order=source,
        to_work_order=target,
        material=material,
        quantity=quantity,
        borrowed=borrowed,
        carried_by=actor,
    )
    audit_record(
        actor=actor,
        device=device,
        action="workorder.carry_over",
        obj=source,
        after={
            "carry_over": number,
            "to_work_order": target.number,
            "material": material.code,
            "quantity": quantity,
            "borrowed": borrowed,
            "entries": entries_summary(entries),
        },
    )
    return carry_over


@atomic_service
def work_order_carry_over(
    *,
    work_order: WorkOrder,
    material: Material,
    to_work_order: WorkOrder,
    quantity: Decimal | int | str,
    actor: AbstractBaseUser,
    device: str = "",
) -> LeftoverCarryOver:
    """Register a completed order's leftover for next use (R-W6): ``quantity`` (at most the
    leftover, at most what ``to_work_order`` still needs) moves in the ledger to a released or
    in-progress order of the same material; the close-out's leftover item shrinks by it."""
    permission_require(actor, CARRY_OVER_PERMISSION, _("carry leftovers over"))
    if material.tracking == TrackingMode.SERIAL:
        raise ValidationError({"material": CARRY_OVER_SERIALS % {"material": material.code}})
    rows = orders_locked(work_order, to_work_order)
    source, target = rows[work_order.pk], rows[to_work_order.pk]
    if source.status != WorkOrderStatus.COMPLETED:
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": source.number,
                "status": source.get_status_display(),
                "action": _("carried over from"),
            },
        )
    line, usage = line_usage_of(source, material.pk)
    if line is None:
        raise ValidationError(
            {"material": NOT_ON_WORK_ORDER % {"material": material.code, "number": source.number}}
        )
    target_line = ensure_target(target, source, material)
    quantity = validate_quantity(quantity, material=material)
    earlier = source.leftover_carry_overs.filter(material=material).last()
    if usage["leftover"] <= 0 and earlier is not None:
        raise StateConflict(
            CARRY_OVER_ALREADY,
            params={"material": material.code, "number": source.number, "carry_over": earlier},
        )
    if quantity > usage["leftover"]:
        raise ValidationError(
            {
                "quantity": CARRY_OVER_EXCEEDS_LEFTOVER
                % {
                    "qty": text(quantity, material),
                    "material": material.code,
                    "number": source.number,
                    "leftover": text(usage["leftover"], material),
                }
            }
        )
    remaining = remaining_of(target_line)
    if quantity > remaining:
        raise ValidationError(
            {
                "quantity": CARRY_OVER_NOT_NEEDED
                % {
                    "qty": text(quantity, material),
                    "material": material.code,
                    "number": target.number,
                    "remaining": text(remaining, material),
                }
            }
        )
    return carry_over_post(
        source=source,
        target=target,
        material=material,
        quantity=quantity,
        actor=actor,
        device=device,
        borrowed=False,
    )


def borrowed_surplus_deduct(
    *,
    work_order: WorkOrder,
    requirements: dict[int, WorkOrderLine],
    lines: Sequence[Any],
    actor: AbstractBaseUser,
    device: str = "",
) -> tuple[list[Any], list[LeftoverCarryOver]]:
    """Seed 003 §5.8.2: before ``work_order`` (locked) is issued a material, the borrowed
    whole-pack surplus other orders left at the line is booked to it (``carry_over_post``,
    ``borrowed``) and the issue lines are reduced by it; ``requirements``' ``issued_total``
    follows. Returns the lines still to issue from the warehouse and the deductions. Only
    for materials whose lines all have a positive quantity and are not serial-tracked."""
    deductions = []
    lines = list(lines)
    for material_id in dict.fromkeys(line.material.pk for line in lines):
        mine = [line for line in lines if line.material.pk == material_id]
        requirement = requirements.get(material_id)
        material = mine[0].material
        if requirement is None or material.tracking == TrackingMode.SERIAL:
            continue
        if not getattr(requirement, "borrowed_elsewhere", True):
            continue
        if any(Decimal(line.quantity) <= 0 for line in mine):
            continue
        issued = -(requirement.issued_total or ZERO)
        remaining = requirement.required_qty + requirement.loss_allowance_qty - issued
        wanted = min(sum(Decimal(line.quantity) for line in mine), remaining)
        sources = borrowed_surplus(material_id, exclude_id=work_order.pk)
        if wanted <= 0 or not sources:
            continue
        locked = orders_locked(*(row["work_order"] for row in sources))
        deducted = ZERO
        for row in sources:
            take = min(row["quantity"], wanted - deducted)
            if take <= 0:
                break
            deductions.append(
                carry_over_post(
                    source=locked[row["work_order"].pk],
                    target=work_order,
                    material=material,
                    quantity=take,
                    actor=actor,
                    device=device,
                    borrowed=True,
                )
            )
            deducted += take
        requirement.issued_total = (requirement.issued_total or ZERO) - deducted
        lines = reduced(lines, material_id, deducted)
    return lines, deductions


def reduced(lines: list[Any], material_id: int, deducted: Decimal) -> list[Any]:
    """The issue lines with ``deducted`` taken off the material's lines, first line first;
    a line covered entirely is dropped."""
    result = []
    for line in lines:
        if line.material.pk == material_id and deducted > 0:
            take = min(deducted, Decimal(line.quantity))
            deducted -= take
            if Decimal(line.quantity) - take <= 0:
                continue
            line = replace(line, quantity=Decimal(line.quantity) - take)
        result.append(line)
    return result
