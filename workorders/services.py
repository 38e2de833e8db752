"""Work-order writes: create, release (freezes requirements), issue and borrow, output,
complete, cancel (R-W1…R-W3). Each locks the work order first, then calls the ledger."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.fields import QTY, format_qty
from core.services import document_number_next
from core.transactions import atomic_service
from inventory.models import InspectionStatus, MovementType
from inventory.services import (
    entries_summary,
    ledger_post,
    one_movement_per_unit,
    receipt_movements,
    receipt_summary,
    serials_in_stock,
    validate_location,
    validate_lot,
    validate_quantity,
    validate_serials,
)
from org.access import permission_require
from workorders.closeout import ensure_closeable
from workorders.models import (
    ISSUABLE_STATUSES,
    WORK_ORDER_TRANSITIONS,
    LeftoverDeclaration,
    MaterialIssue,
    OutputReport,
    SignOff,
    SignOffRole,
    WorkOrder,
    WorkOrderLine,
    WorkOrderStatus,
)
from workorders.selectors import (
    FG_RECEIPT_DOC,
    finished_goods_received,
    material_totals,
    output_totals,
)

BORROW_REGULARISE_HOURS = 24  # R-W3: a borrowed issue is regularised within 24 h

# Who signs the close-out for each department (R-W4) and who books finished goods in:
# the permissions of org.roles, checked here so pages and the API answer alike.
SIGN_OFF_PERMISSIONS = {
    SignOffRole.PRODUCTION: "workorders.change_workorder",
    SignOffRole.QC: "returns.give_qc_verdict",
    SignOffRole.WAREHOUSE: "inventory.add_ledgerentry",
    SignOffRole.FINANCE: "finance.confirm_month",
}
RECEIVE_OUTPUT_PERMISSION = "inventory.add_ledgerentry"


def sign_off_roles_of(user):
    """The departments ``user`` may sign the close-out for."""
    return {role for role, perm in SIGN_OFF_PERMISSIONS.items() if user.has_perm(perm)}


WRONG_STATE = _("Work order %(number)s is %(status)s; it cannot be %(action)s.")
BOM_OTHER_PRODUCT = _("BOM %(bom)s is not a BOM of product %(product)s.")
BOM_INACTIVE = _("BOM %(bom)s is not active.")
BOM_EMPTY = _("BOM %(bom)s has no lines.")
PLANNED_QTY_POSITIVE = _("Planned quantity must be greater than zero.")
NOT_ON_WORK_ORDER = _("%(material)s is not required by work order %(number)s.")
LOT_NOT_PASSED = _("Lot %(lot)s is %(status)s: only lots passed by QC can be issued.")
LOCATION_NOT_USABLE = _("Location %(location)s holds %(kind)s stock, which cannot be issued.")
ISSUE_EXCEEDS_REQUIREMENT = _(
    "Issuing %(qty)s of %(material)s exceeds what work order %(number)s still needs "
    "(%(remaining)s). Raise a replenishment request or a borrowed issue."
)
NO_LINES = _("Give at least one line.")
OUTPUT_EMPTY = _("Report a good or scrap quantity greater than zero.")
RECEIPT_EXCEEDS_OUTPUT = _(
    "Receiving %(qty)s of %(product)s exceeds the good output not yet received "
    "(%(outstanding)s): report the output first."
)
QTY_NEGATIVE = _("Quantity cannot be negative.")
NO_OUTPUT = _("Report output before completing work order %(number)s.")
HAS_MOVEMENTS = _("Work order %(number)s has stock movements; it cannot be cancelled.")
NOT_BORROWED = _("Issue %(number)s is not a borrowed issue.")
ALREADY_REGULARISED = _("Borrowed issue %(number)s was already regularised.")


@dataclass(frozen=True)
class IssueLine:
    material: object
    quantity: Decimal
    location: object
    lot: object = None
    serials: tuple = field(default_factory=tuple)


def locked(work_order):
    """The work order row only: its BOM and product stay unlocked, so postings whose
    foreign-key checks read them never wait for an issue (issue #12)."""
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("bom", "product")
        .get(pk=work_order.pk)
    )


def ensure_transition(work_order, target, action):
    if target not in WORK_ORDER_TRANSITIONS[work_order.status]:
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": work_order.number,
                "status": work_order.get_status_display(),
                "action": action,
            },
        )


def status_change(work_order, status, *, actor, device, action, **fields):
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


def snapshot(work_order):
    return {
        "status": work_order.status,
        "planned_qty": work_order.planned_qty,
        "bom": work_order.bom_id,
    }


def plan_validate(*, product, bom, planned_qty):
    if Decimal(planned_qty) <= 0:
        raise ValidationError({"planned_qty": PLANNED_QTY_POSITIVE})
    if bom.product_id != product.pk:
        raise ValidationError({"bom": BOM_OTHER_PRODUCT % {"bom": bom, "product": product.code}})
    if not bom.is_active:
        raise ValidationError({"bom": BOM_INACTIVE % {"bom": bom}})


@atomic_service
def work_order_create(
    *,
    number,
    product,
    bom,
    planned_qty,
    workshop,
    actor,
    device="",
    line=None,
    planned_start=None,
    planned_end=None,
):
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
def work_order_release(*, work_order, actor, device=""):
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


def issue_movements(work_order, lines, *, borrowed):
    """Validate each issue line (R-W3, R-R8 for lots) and turn it into ledger movements."""
    requirements = {line.material_id: line for line in work_order.lines.all()}
    issued = material_totals([work_order.pk])[work_order.pk]
    movements = []
    for line in lines:
        material = line.material
        requirement = requirements.get(material.pk)
        if requirement is None:
            raise ValidationError(
                {
                    "material": NOT_ON_WORK_ORDER
                    % {"material": material.code, "number": work_order.number}
                }
            )
        quantity = validate_quantity(line.quantity, material=material)
        validate_lot(material=material, lot=line.lot)
        if line.lot is not None and line.lot.inspection_status != InspectionStatus.PASSED:
            raise ValidationError(
                {
                    "lot": LOT_NOT_PASSED
                    % {"lot": line.lot.batch_no, "status": line.lot.get_inspection_status_display()}
                }
            )
        validate_location(line.location)
        if not line.location.is_usable:
            raise ValidationError(
                {
                    "location": LOCATION_NOT_USABLE
                    % {"location": line.location.code, "kind": line.location.get_kind_display()}
                }
            )
        remaining = (
            requirement.required_qty
            + requirement.loss_allowance_qty
            - issued[material.pk]["issued"]
        )
        if not borrowed and quantity > remaining:
            raise ValidationError(
                {
                    "quantity": ISSUE_EXCEEDS_REQUIREMENT
                    % {
                        "qty": format_qty(quantity),
                        "material": material.code,
                        "number": work_order.number,
                        "remaining": format_qty(max(remaining, 0)),
                    }
                }
            )
        issued[material.pk]["issued"] += quantity
        serials = list(line.serials)
        validate_serials(material=material, quantity=quantity, serials=serials)
        units = (
            serials_in_stock(material=material, lot=line.lot, serials=serials) if serials else []
        )
        movements += one_movement_per_unit(
            material=material,
            lot=line.lot,
            location=line.location,
            quantity=-quantity,
            movement_type=MovementType.ISSUE,
            serials=units,
            remark="borrowed" if borrowed else "",
        )
    return movements


@atomic_service
def work_order_issue(*, work_order, lines, actor, device="", borrowed=False, note=""):
    """Issue material to a work order (领料); ``borrowed`` (借料) may exceed the requirement
    and must be regularised within 24 h (R-W3)."""
    work_order = locked(work_order)
    if work_order.status not in ISSUABLE_STATUSES:
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": work_order.number,
                "status": work_order.get_status_display(),
                "action": _("issued to"),
            },
        )
    if not lines:
        raise ValidationError({"lines": NO_LINES})
    movements = issue_movements(work_order, lines, borrowed=borrowed)
    now = timezone.now()
    issue = MaterialIssue.objects.create(
        number=document_number_next(prefix="IS"),
        work_order=work_order,
        is_borrowed=borrowed,
        due_at=now + timedelta(hours=BORROW_REGULARISE_HOURS) if borrowed else None,
        note=note,
        issued_by=actor,
    )
    entries = ledger_post(
        movements=movements,
        doc_type="issue",
        doc_id=issue.number,
        actor=actor,
        device=device,
        work_order=work_order,
    )
    if work_order.status == WorkOrderStatus.RELEASED:
        work_order.status = WorkOrderStatus.IN_PROGRESS
        work_order.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        device=device,
        action="workorder.issue",
        obj=issue,
        after={
            "work_order": work_order.number,
            "borrowed": borrowed,
            "entries": entries_summary(entries),
        },
    )
    return issue


@atomic_service
def borrow_regularise(*, issue, actor, device="", note=""):
    """Mark a borrowed issue as regularised (by a replenishment or return) before its alert."""
    issue = MaterialIssue.objects.select_for_update().get(pk=issue.pk)
    if not issue.is_borrowed:
        raise StateConflict(NOT_BORROWED, params={"number": issue.number})
    if issue.regularised_at:
        raise StateConflict(ALREADY_REGULARISED, params={"number": issue.number})
    issue.regularised_at = timezone.now()
    issue.note = (f"{issue.note} {note}".strip())[:200]
    issue.save(update_fields=["regularised_at", "note"])
    audit_record(
        actor=actor,
        device=device,
        action="workorder.borrow_regularise",
        obj=issue,
        after={"regularised_at": issue.regularised_at, "note": note},
    )
    return issue


@atomic_service
def work_order_report_output(*, work_order, good_qty, scrap_qty=0, actor, device="", note=""):
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
def work_order_complete(*, work_order, actor, device=""):
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
def work_order_cancel(*, work_order, actor, device=""):
    work_order = locked(work_order)
    ensure_transition(work_order, WorkOrderStatus.CANCELLED, _("cancelled"))
    if work_order.ledger_entries.exists():
        raise StateConflict(HAS_MOVEMENTS, params={"number": work_order.number})
    return status_change(
        work_order, WorkOrderStatus.CANCELLED, actor=actor, device=device, action="workorder.cancel"
    )


# ---------------------------------------------------------------------------- close-out (R-W4)

RECEIVABLE_STATUSES = {WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED}
CLOSE_OUT_STATUSES = {WorkOrderStatus.COMPLETED}

ALREADY_SIGNED = _("Work order %(number)s was already signed off by %(role)s.")
ALREADY_DECLARED = _("The leftover of %(material)s on work order %(number)s was already declared.")
NOTE_REQUIRED = _("Explain how the leftover was consumed.")
UNKNOWN_ROLE = _("%(role)s is not a sign-off role.")


def ensure_status(work_order, allowed, action):
    if work_order.status not in allowed:
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": work_order.number,
                "status": work_order.get_status_display(),
                "action": action,
            },
        )


def ensure_requirement(work_order, material):
    if not work_order.lines.filter(material=material).exists():
        raise ValidationError(
            {
                "material": NOT_ON_WORK_ORDER
                % {"material": material.code, "number": work_order.number}
            }
        )


def ensure_output_outstanding(work_order, quantity):
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
    *, work_order, location, quantity, actor, device="", batch_no="", serials=()
):
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
def work_order_sign_off(*, work_order, role, actor, note="", device=""):
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
def work_order_declare_leftover(*, work_order, material, note, actor, device=""):
    """Production declares a material's leftover consumed instead of returned (R-W4)."""
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
    declaration = LeftoverDeclaration(
        work_order=work_order, material=material, note=note, declared_by=actor
    )
    declaration.full_clean(validate_constraints=False)
    declaration.save()
    audit_record(
        actor=actor,
        device=device,
        action="workorder.declare_leftover",
        obj=work_order,
        after={"material": material.code, "note": note},
    )
    return declaration


@atomic_service
def work_order_close(*, work_order, actor, device=""):
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


PLAN_FIELDS = ("product", "bom", "planned_qty", "workshop", "line", "planned_start", "planned_end")


def plan_snapshot(work_order):
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
def work_order_upsert(*, number, actor, device="", **plan):
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


def ensure_planned(work_order):
    if work_order.status != WorkOrderStatus.PLANNED:
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": work_order.number,
                "status": work_order.get_status_display(),
                "action": _("re-planned"),
            },
        )
