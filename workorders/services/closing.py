"""Close-out (R-W4): finished goods received against output, department sign-offs,
declared leftovers, then closing."""

from collections.abc import Collection, Iterable
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.fields import format_qty
from core.formatting import quantity as quantity_text
from core.services import document_number_next
from core.transactions import atomic_service
from inventory.models import LedgerEntry
from inventory.services import ledger_post, receipt_movements, receipt_summary, validate_quantity
from materials.models import Location, Material
from org.access import permission_require
from workorders.closeout import ensure_closeable, line_usage_of
from workorders.models import (
    LeftoverDeclaration,
    SignOff,
    SignOffRole,
    WorkOrder,
    WorkOrderStatus,
)
from workorders.selectors import FG_RECEIPT_DOC, finished_goods_received, output_totals
from workorders.services.lifecycle import (
    NOT_ON_WORK_ORDER,
    WRONG_STATE,
    ensure_transition,
    locked,
    status_change,
)
from workorders.signals import leftover_declared

# Who signs the close-out for each department (R-W4) and who books finished goods in:
# the permissions of org.roles, checked here so pages and the API answer alike.
SIGN_OFF_PERMISSIONS = {
    SignOffRole.PRODUCTION: "workorders.change_workorder",
    SignOffRole.QC: "returns.give_qc_verdict",
    SignOffRole.WAREHOUSE: "inventory.add_ledgerentry",
    SignOffRole.FINANCE: "finance.confirm_month",
}
RECEIVE_OUTPUT_PERMISSION = "inventory.add_ledgerentry"


def sign_off_roles_of(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    """The departments ``user`` may sign the close-out for."""
    return {role for role, perm in SIGN_OFF_PERMISSIONS.items() if user.has_perm(perm)}


RECEIPT_EXCEEDS_OUTPUT = _(
    "Receiving %(qty)s of %(product)s exceeds the good output not yet received "
    "(%(outstanding)s): report the output first."
)


RECEIVABLE_STATUSES = {WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED}
CLOSE_OUT_STATUSES = {WorkOrderStatus.COMPLETED}

ALREADY_SIGNED = _("Work order %(number)s was already signed off by %(role)s.")
ALREADY_DECLARED = _("The leftover of %(material)s on work order %(number)s was already declared.")
NOTE_REQUIRED = _("Explain how the leftover was consumed.")
DECLARE_EXCEEDS_LEFTOVER = _(
    "Declaring %(qty)s of %(material)s consumed exceeds the leftover expected on work order "
    "%(number)s (%(leftover)s)."
)
UNKNOWN_ROLE = _("%(role)s is not a sign-off role.")


def ensure_status(work_order: WorkOrder, allowed: Collection[str], action: str | Promise) -> None:
    if work_order.status not in allowed:
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": work_order.number,
                "status": work_order.get_status_display(),
                "action": action,
            },
        )


def ensure_requirement(work_order: WorkOrder, material: Material) -> None:
    if not work_order.lines.filter(material=material).exists():
        raise ValidationError(
            {
                "material": NOT_ON_WORK_ORDER
                % {"material": material.code, "number": work_order.number}
            }
        )


def ensure_output_outstanding(work_order: WorkOrder, quantity: Decimal | int | str) -> None:
    """Finished goods are received only against reported good output (R-W4 compares them)."""
    good = output_totals(work_order)["good"] or Decimal(0)
    outstanding = good - finished_goods_received(work_order)
    quantity = validate_quantity(quantity, material=work_order.product)
    if quantity > outstanding:
        raise ValidationError(
            {
                "quantity": RECEIPT_EXCEEDS_OUTPUT
                % {
                    "qty": format_qty(quantity),
                    "product": work_order.product.code,
                    "outstanding": format_qty(outstanding),
                }
            }
        )


@atomic_service
def work_order_receive_output(
    *,
    work_order: WorkOrder,
    location: Location,
    quantity: Decimal | int | str,
    actor: AbstractBaseUser | None,
    device: str = "",
    batch_no: str = "",
    serials: Iterable[str] = (),
) -> list[LedgerEntry]:
    """Finished goods of the work order into the warehouse (``RECEIPT``, doc ``fg_receipt``);
    the close-out compares their total with the good output (R-W4)."""
    if actor is not None:
        permission_require(actor, RECEIVE_OUTPUT_PERMISSION, _("receive finished goods"))
    work_order = locked(work_order)
    ensure_status(work_order, RECEIVABLE_STATUSES, _("received from"))
    ensure_output_outstanding(work_order, quantity)
    movements = receipt_movements(
        material=work_order.product,
        location=location,
        quantity=quantity,
        batch_no=batch_no,
        serials=serials,
        remark=work_order.number,
    )
    number = document_number_next(prefix="FG")
    entries = ledger_post(
        movements=movements,
        doc_type=FG_RECEIPT_DOC,
        doc_id=number,
        actor=actor,
        device=device,
        work_order=work_order,
        work_order_locked=True,  # locked() above
    )
    audit_record(
        actor=actor,
        device=device,
        action="workorder.receive_output",
        obj=work_order,
        after={"receipt": number, **receipt_summary(entries)},
    )
    return entries


@atomic_service
def work_order_sign_off(
    *, work_order: WorkOrder, role: str, actor: AbstractBaseUser, note: str = "", device: str = ""
) -> SignOff:
    """One sign-off per department on a completed work order (R-W4)."""
    work_order = locked(work_order)
    ensure_status(work_order, CLOSE_OUT_STATUSES, _("signed off"))
    if role not in SignOffRole.values:
        raise ValidationError({"role": UNKNOWN_ROLE % {"role": role}})
    if actor is not None:
        permission_require(
            actor,
            SIGN_OFF_PERMISSIONS[role],
            _("sign off for %(department)s") % {"department": SignOffRole(role).label},
        )
    if work_order.sign_offs.filter(role=role).exists():
        raise StateConflict(
            ALREADY_SIGNED,
            params={"number": work_order.number, "role": SignOffRole(role).label},
        )
    sign_off = SignOff(work_order=work_order, role=role, signed_by=actor, note=note)
    sign_off.full_clean(validate_constraints=False)
    sign_off.save()
    audit_record(
        actor=actor,
        device=device,
        action="workorder.sign_off",
        obj=work_order,
        after={"role": role, "note": note},
    )
    return sign_off


@atomic_service
def work_order_declare_leftover(
    *,
    work_order: WorkOrder,
    material: Material,
    quantity: Decimal | int | str,
    note: str,
    actor: AbstractBaseUser,
    device: str = "",
) -> LeftoverDeclaration:
    """Production declares ``quantity`` of a material's leftover consumed instead of returned
    (R-W4, R-W6): at most the leftover expected, counted as over-quota consumption; sends
    ``leftover_declared`` (flagged ``over_allowance`` above the line's loss allowance)."""
    work_order = locked(work_order)
    ensure_status(work_order, CLOSE_OUT_STATUSES, _("declared on"))
    ensure_requirement(work_order, material)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": NOTE_REQUIRED})
    if work_order.leftover_declarations.filter(material=material).exists():
        raise StateConflict(
            ALREADY_DECLARED, params={"material": material.code, "number": work_order.number}
        )
    quantity = validate_quantity(quantity, material=material)
    line, usage = line_usage_of(work_order, material.pk)
    if quantity > usage["leftover"]:
        raise ValidationError(
            {
                "quantity": DECLARE_EXCEEDS_LEFTOVER
                % {
                    "qty": quantity_text(quantity, material.uom.code),
                    "material": material.code,
                    "number": work_order.number,
                    "leftover": quantity_text(usage["leftover"], material.uom.code),
                }
            }
        )
    declaration = LeftoverDeclaration(
        work_order=work_order, material=material, quantity=quantity, note=note, declared_by=actor
    )
    declaration.full_clean(validate_constraints=False)
    declaration.save()
    over_allowance = quantity > usage["allowance"]
    audit_record(
        actor=actor,
        device=device,
        action="workorder.declare_leftover",
        obj=work_order,
        after={
            "material": material.code,
            "quantity": quantity,
            "note": note,
            "over_allowance": over_allowance,
        },
    )
    leftover_declared.send(
        sender=LeftoverDeclaration,
        work_order=work_order,
        line=line,
        quantity=quantity,
        allowance=usage["allowance"],
        over_allowance=over_allowance,
        declaration=declaration,
        actor=actor,
    )
    return declaration


@atomic_service
def work_order_close(
    *, work_order: WorkOrder, actor: AbstractBaseUser, device: str = ""
) -> WorkOrder:
    """completed → closed once every close-out item is done (R-W4); else ``CloseOutBlocked``."""
    work_order = locked(work_order)
    ensure_transition(work_order, WorkOrderStatus.CLOSED, _("closed"))
    ensure_closeable(work_order)
    return status_change(
        work_order,
        WorkOrderStatus.CLOSED,
        actor=actor,
        device=device,
        action="workorder.close",
        closed_at=timezone.now(),
    )
