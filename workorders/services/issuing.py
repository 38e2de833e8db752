"""Issuing material to a work order, borrowed issues and their regularisation (R-W3)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.fields import QuantityField, format_qty
from core.services import document_number_next
from core.transactions import atomic_service
from inventory.models import InspectionStatus, LedgerEntry, MovementType
from inventory.services import (
    Movement,
    entries_summary,
    ledger_post,
    one_movement_per_unit,
    serials_in_stock,
    validate_location,
    validate_lot,
    validate_quantity,
    validate_serials,
)
from org.access import not_found, scope_queryset
from workorders.models import (
    ISSUABLE_STATUSES,
    MaterialIssue,
    WorkOrder,
    WorkOrderLine,
    WorkOrderStatus,
)
from workorders.services.leftovers import borrowed_surplus_deduct
from workorders.services.lifecycle import (
    NOT_ON_WORK_ORDER,
    WRONG_STATE,
    locked,
)

BORROW_REGULARISE_HOURS = 24  # R-W3: a borrowed issue is regularised within 24 h


LOT_NOT_PASSED = _("Lot %(lot)s is %(status)s: only lots passed by QC can be issued.")
LOCATION_NOT_USABLE = _("Location %(location)s holds %(kind)s stock, which cannot be issued.")
ISSUE_EXCEEDS_REQUIREMENT = _(
    "Issuing %(qty)s of %(material)s exceeds what work order %(number)s still needs "
    "(%(remaining)s). Raise a replenishment request or a borrowed issue."
)
NO_LINES = _("Give at least one line.")


NOT_BORROWED = _("Issue %(number)s is not a borrowed issue.")
ALREADY_REGULARISED = _("Borrowed issue %(number)s was already regularised.")


@dataclass(frozen=True)
class IssueLine:
    material: object
    quantity: Decimal
    location: object
    lot: object = None
    serials: tuple = field(default_factory=tuple)


def borrowed_elsewhere() -> Exists:
    """Whether another order holding material at the line (in progress or completed) had
    the line's material by a borrowed issue: only then is its surplus looked for (seed 003
    §5.8.2), so an ordinary issue costs no extra statement."""
    borrowed_issues = MaterialIssue.objects.filter(is_borrowed=True).values("number")
    return Exists(
        LedgerEntry.objects.filter(
            material_id=OuterRef("material_id"),
            movement_type=MovementType.ISSUE,
            doc_type="issue",
            doc_id__in=borrowed_issues,
            work_order__status__in=[WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED],
        ).exclude(work_order_id=OuterRef("work_order_id"))
    )


def issue_requirements(
    work_order: WorkOrder, scope_of: AbstractBaseUser | AnonymousUser | None = None
) -> tuple[WorkOrder, dict[int, WorkOrderLine]]:
    """The work order locked (as ``locked``: its row only) with its requirement lines by
    material, each annotated with ``issued_total`` (the ledger's issue entries, negative), in
    one query (issue #17), and ``borrowed_elsewhere`` (``borrowed_elsewhere``); a work order
    without lines is locked on its own. ``scope_of``: a user whose workshops the work order
    must belong to (``org.access.scope_queryset``), else the 404 of an unknown id; the API
    passes the requester instead of fetching the order in scope before locking it (one query
    less, issue #17; the state read under the lock is the one acted on either way)."""
    issued = (
        LedgerEntry.objects.filter(
            work_order_id=OuterRef("work_order_id"),
            material_id=OuterRef("material_id"),
            movement_type=MovementType.ISSUE,
        )
        .order_by()
        .values("material_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    rows = WorkOrderLine.objects.filter(work_order_id=work_order.pk)
    if scope_of is not None:
        rows = scope_queryset(rows, scope_of, "work_order__workshop")
    lines = list(
        rows.select_related("work_order")
        .select_for_update(of=("work_order",))
        .annotate(
            issued_total=Subquery(issued, output_field=QuantityField()),
            borrowed_elsewhere=borrowed_elsewhere(),
        )
    )
    if lines:
        return lines[0].work_order, {line.material_id: line for line in lines}
    if scope_of is None:
        return locked(work_order), {}
    orders = scope_queryset(WorkOrder.objects.filter(pk=work_order.pk), scope_of)
    order = orders.select_for_update(of=("self",)).select_related("bom", "product").first()
    if order is None:
        raise not_found(WorkOrder)
    return order, {}


def issue_movements(
    work_order: WorkOrder,
    requirements: dict[int, WorkOrderLine],
    lines: Sequence[IssueLine],
    *,
    borrowed: bool,
) -> list[Movement]:
    """Validate each issue line (R-W3, R-R8 for lots) against ``requirements``
    (``issue_requirements``) and turn it into ledger movements."""
    issued = {pk: -(line.issued_total or 0) for pk, line in requirements.items()}
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
        remaining = requirement.required_qty + requirement.loss_allowance_qty - issued[material.pk]
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
        issued[material.pk] += quantity
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
def work_order_issue(
    *,
    work_order: WorkOrder,
    lines: Sequence[IssueLine],
    actor: AbstractBaseUser,
    device: str = "",
    borrowed: bool = False,
    note: str = "",
    posting_date: date | None = None,
    scope_of: AbstractBaseUser | AnonymousUser | None = None,
) -> MaterialIssue:
    """Issue material to a work order (领料); ``borrowed`` (借料) may exceed the requirement
    and must be regularised within 24 h (R-W3). ``posting_date``: the day the material
    really left, today's when None (R-L6). ``scope_of``: answer 404 unless the work order
    is in this user's workshops (``issue_requirements``; ``work_order`` may then be an
    unfetched ``WorkOrder(pk=…)``). A normal issue is first reduced by the borrowed
    whole-pack surplus other orders left at the line (seed 003 §5.8.2,
    ``borrowed_surplus_deduct``); the returned issue's ``deductions`` lists those
    carry-overs, and an issue the surplus covers entirely posts no warehouse entry."""
    work_order, requirements = issue_requirements(work_order, scope_of)
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
    deductions = []
    if not borrowed:  # seed 003 §5.8.2: borrowed surplus at the line goes first
        lines, deductions = borrowed_surplus_deduct(
            work_order=work_order,
            requirements=requirements,
            lines=lines,
            actor=actor,
            device=device,
        )
    movements = issue_movements(work_order, requirements, lines, borrowed=borrowed)
    now = timezone.now()
    issue = MaterialIssue.objects.create(
        number=document_number_next(prefix="IS"),
        work_order=work_order,
        is_borrowed=borrowed,
        due_at=now + timedelta(hours=BORROW_REGULARISE_HOURS) if borrowed else None,
        note=note,
        issued_by=actor,
    )
    entries = (
        ledger_post(
            movements=movements,
            doc_type="issue",
            doc_id=issue.number,
            actor=actor,
            device=device,
            work_order=work_order,
            work_order_locked=True,  # issue_requirements: FOR UPDATE
            posting_date=posting_date,
        )
        if movements
        else []
    )
    issue.deductions = deductions
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
            "posting_date": str(entries[0].posting_date) if entries else None,
            "entries": entries_summary(entries),
            "deducted": [
                {"carry_over": d.number, "from": d.work_order.number, "quantity": d.quantity}
                for d in deductions
            ],
        },
    )
    return issue


@atomic_service
def borrow_regularise(
    *, issue: MaterialIssue, actor: AbstractBaseUser, device: str = "", note: str = ""
) -> MaterialIssue:
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
