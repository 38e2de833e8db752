"""Return lines and their rules: what may come back from a work order, in one category, no
more than was issued (R-R1, R-R2, R-R8 for lots and serials)."""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import StateConflict
from core.fields import format_qty
from inventory.models import InspectionStatus, LedgerEntry, Lot, Serial, SerialStatus
from inventory.services import validate_lot, validate_quantity, validate_serials
from materials.models import Material
from returns.models import Condition, ReturnLine, ReturnRequest
from returns.selectors import returnable_qty
from workorders.models import WorkOrder, WorkOrderStatus

RETURNABLE_WORK_ORDER = {WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED}

WORK_ORDER_NOT_RETURNABLE = _(
    "Work order %(number)s is %(status)s: nothing can be returned from it."
)
MIXED_CATEGORIES = _(
    "%(material)s is kept in warehouse category %(category)s, but this slip holds "
    "%(slip_category)s: one return slip holds one warehouse category."
)
CONDITION_UNKNOWN = _("Unknown condition %(condition)s.")
RETURN_EXCEEDS_ISSUED = _(
    "Returning %(qty)s of %(material)s%(lot)s exceeds what work order %(number)s can still "
    "return (%(available)s: issued and replenished, less returned and on open return slips). "
    "Explain the excess, e.g. a temporary issue."
)
SERIAL_NOT_ISSUED = _("Serial number %(serial)s was not issued to work order %(number)s.")
LINE_NOT_ON_REQUEST = _("Line %(line)s is not a line of %(request)s.")
LINE_TWICE = _("Line %(line)s is given twice.")
LOT_EXPIRED_NOT_GOOD = _("Lot %(lot)s expired on %(expiry)s: it cannot go back to good stock.")
LOT_FAILED_NOT_GOOD = _("Lot %(lot)s is %(status)s: it cannot go back to good stock.")


def ensure_returnable(work_order: WorkOrder) -> None:
    released_with_issues = (
        work_order.status == WorkOrderStatus.RELEASED and work_order.issues.exists()
    )
    if work_order.status not in RETURNABLE_WORK_ORDER and not released_with_issues:
        raise StateConflict(
            WORK_ORDER_NOT_RETURNABLE,
            params={"number": work_order.number, "status": work_order.get_status_display()},
        )


def serials_issued_to(
    *, work_order: WorkOrder, material: Material, lot: Lot | None, serials: Sequence[str]
) -> list[Serial]:
    """The serial units given, each issued and last moved to ``work_order``."""
    units = {
        s.serial_no: s for s in Serial.objects.filter(material=material, serial_no__in=serials)
    }
    last_work_order = dict(
        LedgerEntry.objects.filter(serial__in=list(units.values()))
        .order_by("serial_id", "id")
        .values_list("serial_id", "work_order_id")
    )
    for serial_no in serials:
        unit = units.get(serial_no)
        if (
            unit is None
            or unit.status != SerialStatus.ISSUED
            or unit.lot_id != getattr(lot, "pk", None)
            or last_work_order.get(unit.pk) != work_order.pk
        ):
            raise ValidationError(
                {"serials": SERIAL_NOT_ISSUED % {"serial": serial_no, "number": work_order.number}}
            )
    return [units[s] for s in serials]


def ensure_one_category(return_request: ReturnRequest, material: Material) -> None:
    """R-M2: one return slip holds materials of one warehouse category."""
    if material.warehouse_category_id != return_request.warehouse_category_id:
        raise ValidationError(
            {
                "lines": MIXED_CATEGORIES
                % {
                    "material": material.code,
                    "category": material.warehouse_category.code,
                    "slip_category": return_request.warehouse_category.code,
                }
            }
        )


def exceeds_issued(
    field: str,
    quantity: Decimal,
    material: Material,
    lot: Lot | None,
    work_order: WorkOrder,
    available: Decimal,
) -> ValidationError:
    """The R-R6 refusal on ``field``: more than the work order can still return."""
    params = {
        "qty": format_qty(quantity),
        "material": material.code,
        "lot": f" / {lot.batch_no}" if lot else "",
        "number": work_order.number,
        "available": format_qty(max(available, 0)),
    }
    return ValidationError({field: RETURN_EXCEEDS_ISSUED % params})


def return_line_build(
    return_request: ReturnRequest,
    *,
    material: Material,
    quantity: Decimal,
    lot: Lot | None = None,
    serials: Sequence[str] = (),
    condition: str = Condition.GOOD,
    excess_explanation: str = "",
) -> ReturnLine:
    """The one validation of a return line, for new slips and scanned additions alike:
    warehouse category (R-M2), quantity, lot (expired allowed, R-R8), serials, and the
    quantity guard (R-R6). Saves the line so later lines count it as open."""
    work_order = return_request.work_order
    ensure_one_category(return_request, material)
    quantity = validate_quantity(quantity, material=material)
    validate_lot(material=material, lot=lot, allow_expired=True)
    serials = list(serials or [])
    validate_serials(material=material, quantity=quantity, serials=serials)
    if serials:
        serials_issued_to(work_order=work_order, material=material, lot=lot, serials=serials)
    if condition not in Condition.values:
        raise ValidationError({"condition": CONDITION_UNKNOWN % {"condition": condition}})
    excess_explanation = (excess_explanation or "").strip()
    available = returnable_qty(work_order=work_order, material=material, lot=lot)
    if quantity > available and not excess_explanation:
        raise exceeds_issued("excess_explanation", quantity, material, lot, work_order, available)
    return ReturnLine.objects.create(
        request=return_request,
        material=material,
        lot=lot,
        serials=serials,
        quantity=quantity,
        condition=condition,
        excess_explanation=excess_explanation[:300],
    )


def line_summary(line: ReturnLine) -> dict:
    return {
        "material": line.material.code,
        "lot": line.lot.batch_no if line.lot else None,
        "serials": line.serials,
        "quantity": line.quantity,
        "condition": line.condition,
        "excess_explanation": line.excess_explanation,
        "verdict": line.verdict,
        "defect_rate": line.defect_rate,
        "received_qty": line.received_qty,
        "foreign_qty": line.foreign_qty,
        "location": line.location.code if line.location else None,
        "receive_note": line.receive_note,
    }


def numbered_lines(return_request: ReturnRequest) -> list[ReturnLine]:
    """The request's lines in order, each with ``position`` (1, 2, …) for messages."""
    lines = list(return_request.lines.select_related("material", "lot", "location"))
    for position, line in enumerate(lines, start=1):
        line.position = position
    return lines


def lines_given(
    return_request: ReturnRequest, items: Iterable[dict]
) -> tuple[list[tuple[ReturnLine, dict]], list[ReturnLine]]:
    """Pair each item with its line (``item["line"]``: a ReturnLine or its id).

    Returns the pairs and the lines no item named.
    """
    lines = {line.pk: line for line in numbered_lines(return_request)}
    seen, pairs = set(), []
    for item in items:
        line_id = getattr(item["line"], "pk", item["line"])
        if line_id in seen:
            raise ValidationError({"lines": LINE_TWICE % {"line": line_id}})
        if line_id not in lines:
            raise ValidationError(
                {"lines": LINE_NOT_ON_REQUEST % {"line": line_id, "request": return_request}}
            )
        seen.add(line_id)
        pairs.append((lines[line_id], item))
    return pairs, [line for pk, line in lines.items() if pk not in seen]


def ensure_good_stock_allowed(line: ReturnLine) -> None:
    """R-R8: expired lots and lots that failed inspection never go back to good stock."""
    lot = line.lot
    if lot is None:
        return
    if lot.is_expired():
        raise ValidationError(
            {"verdict": LOT_EXPIRED_NOT_GOOD % {"lot": lot.batch_no, "expiry": lot.expiry_date}}
        )
    if lot.inspection_status in (InspectionStatus.FAILED, InspectionStatus.QUARANTINE):
        raise ValidationError(
            {
                "verdict": LOT_FAILED_NOT_GOOD
                % {"lot": lot.batch_no, "status": lot.get_inspection_status_display()}
            }
        )
