"""Return requests (退料), R-R1…R-R8: draft → submitted → supervisor reviewed → QC verdict →
warehouse receipt → posted (red-letter issue entries) → finance confirmed.

Every write locks the request row first, checks the move against ``RETURN_TRANSITIONS``,
validates, changes, and audits last (see ``returns.services``).
"""

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.routing import return_chain
from core.errors import StateConflict
from core.fields import format_qty
from core.outbox import outbox_emit
from core.transactions import atomic_service
from inventory.models import (
    InspectionStatus,
    LedgerEntry,
    MovementType,
    Serial,
    SerialStatus,
)
from inventory.services import (
    entries_summary,
    ledger_locks_take,
    ledger_post,
    one_movement_per_unit,
    validate_lot,
    validate_quantity,
    validate_serials,
)
from org.access import permission_require, scope_require
from returns.models import (
    Condition,
    RequestKind,
    ReturnLine,
    ReturnRequest,
    ReturnState,
    Verdict,
)
from returns.selectors import putaway_location, returnable_qty
from returns.services import (
    DEFECT_VERDICTS,
    NO_LINES,
    WRONG_STATE,
    audit,
    ensure_applicant,
    ensure_not_applicant,
    ensure_transition,
    locked,
    rejection_apply,
    request_cancel,
    request_decide,
    request_reject,
    request_submit,
    state_change,
    validate_reason,
    work_order_locked,
)
from workorders.models import WorkOrderStatus

FOREIGN_LIMIT = Decimal("0.02")  # R-R5: IQC refuses a defect lot with more than 2 % foreign
PERCENT = Decimal("0.01")
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
NOT_A_DRAFT_ACTION = _("changed")
LINE_NOT_ON_REQUEST = _("Line %(line)s is not a line of %(request)s.")
LINE_TWICE = _("Line %(line)s is given twice.")
VERDICT_MISSING = _("Give a QC verdict for line %(line)s (%(material)s).")
VERDICT_UNKNOWN = _("Unknown verdict %(verdict)s.")
OWN_REQUEST_QC = _("You cannot give the QC verdict on your own return.")
DEFECT_RATE_REQUIRED = _("A process defect needs the defect rate of line %(line)s (%(material)s).")
DEFECT_RATE_RANGE = _("The defect rate is a percentage from 0 to 100.")
LOT_EXPIRED_NOT_GOOD = _("Lot %(lot)s expired on %(expiry)s: it cannot go back to good stock.")
LOT_FAILED_NOT_GOOD = _("Lot %(lot)s is %(status)s: it cannot go back to good stock.")
RECEIVED_MORE = _(
    "Line %(line)s: %(received)s received is more than the %(qty)s on the slip; "
    "the applicant must correct the slip."
)
SERIALS_ALL = _("Line %(line)s is serial-tracked: receive every unit on the slip or refuse it.")
MISMATCH_NOTE = _("Line %(line)s: %(received)s received instead of %(qty)s needs a written note.")
FOREIGN_RANGE = _("Line %(line)s: foreign material must be between 0 and the quantity received.")
FOREIGN_REFUSED = _(
    "Line %(line)s (%(material)s): %(percent)s%% of the defect lot is other material, "
    "more than 2%%: refused."
)


# ---------------------------------------------------------------------------- lines


def ensure_returnable(work_order):
    released_with_issues = (
        work_order.status == WorkOrderStatus.RELEASED and work_order.issues.exists()
    )
    if work_order.status not in RETURNABLE_WORK_ORDER and not released_with_issues:
        raise StateConflict(
            WORK_ORDER_NOT_RETURNABLE,
            params={"number": work_order.number, "status": work_order.get_status_display()},
        )


def serials_issued_to(*, work_order, material, lot, serials):
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


def ensure_one_category(request, material):
    """R-M2: one return slip holds materials of one warehouse category."""
    if material.warehouse_category_id != request.warehouse_category_id:
        raise ValidationError(
            {
                "lines": MIXED_CATEGORIES
                % {
                    "material": material.code,
                    "category": material.warehouse_category.code,
                    "slip_category": request.warehouse_category.code,
                }
            }
        )


def exceeds_issued(field, quantity, material, lot, work_order, available):
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
    request,
    *,
    material,
    quantity,
    lot=None,
    serials=(),
    condition=Condition.GOOD,
    excess_explanation="",
):
    """The one validation of a return line, for new slips and scanned additions alike:
    warehouse category (R-M2), quantity, lot (expired allowed, R-R8), serials, and the
    quantity guard (R-R6). Saves the line so later lines count it as open."""
    work_order = request.work_order
    ensure_one_category(request, material)
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
        request=request,
        material=material,
        lot=lot,
        serials=serials,
        quantity=quantity,
        condition=condition,
        excess_explanation=excess_explanation[:300],
    )


def line_summary(line):
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


def numbered_lines(request):
    """The request's lines in order, each with ``position`` (1, 2, …) for messages."""
    lines = list(request.lines.select_related("material", "lot", "location"))
    for position, line in enumerate(lines, start=1):
        line.position = position
    return lines


def lines_given(request, items):
    """Pair each item with its line (``item["line"]``: a ReturnLine or its id).

    Returns the pairs and the lines no item named.
    """
    lines = {line.pk: line for line in numbered_lines(request)}
    seen, pairs = set(), []
    for item in items:
        line_id = getattr(item["line"], "pk", item["line"])
        if line_id in seen:
            raise ValidationError({"lines": LINE_TWICE % {"line": line_id}})
        if line_id not in lines:
            raise ValidationError(
                {"lines": LINE_NOT_ON_REQUEST % {"line": line_id, "request": request}}
            )
        seen.add(line_id)
        pairs.append((lines[line_id], item))
    return pairs, [line for pk, line in lines.items() if pk not in seen]


def ensure_good_stock_allowed(line):
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


# ---------------------------------------------------------------------------- create


@atomic_service
def return_create(*, work_order, reason, lines, applicant, explanation="", device=""):
    """A draft return slip (R-R2). ``lines``: dicts of ``return_line_build`` arguments.

    The work order is locked so two slips cannot both claim the same returnable quantity.
    """
    work_order = work_order_locked(work_order)
    scope_require(applicant, work_order.workshop_id, "work_order")
    ensure_returnable(work_order)
    validate_reason(reason, RequestKind.RETURN)
    if not lines:
        raise ValidationError({"lines": NO_LINES})
    request = ReturnRequest.objects.create(
        work_order=work_order,
        reason=reason,
        applicant=applicant,
        explanation=explanation,
        warehouse_category=lines[0]["material"].warehouse_category,
    )
    created = [return_line_build(request, **line) for line in lines]
    audit(
        request,
        actor=applicant,
        device=device,
        action="create",
        details={
            "work_order": work_order.number,
            "reason": reason.code,
            "lines": [line_summary(line) for line in created],
        },
    )
    return request


@atomic_service
def return_line_add(
    *,
    request,
    material,
    quantity,
    actor,
    lot=None,
    serials=(),
    condition=Condition.GOOD,
    excess_explanation="",
    device="",
):
    """Add a (scanned) line to a draft with the same validation as ``return_create``."""
    request = locked(request, actor=actor)
    if request.state != ReturnState.DRAFT:
        raise StateConflict(
            WRONG_STATE,
            params={
                "request": str(request),
                "state": request.get_state_display(),
                "action": NOT_A_DRAFT_ACTION,
            },
        )
    ensure_applicant(request, actor, NOT_A_DRAFT_ACTION)
    work_order_locked(request.work_order)
    line = return_line_build(
        request,
        material=material,
        quantity=quantity,
        lot=lot,
        serials=serials,
        condition=condition,
        excess_explanation=excess_explanation,
    )
    audit(
        request, actor=actor, device=device, action="line_add", details={"line": line_summary(line)}
    )
    return line


# ---------------------------------------------------------------------------- approval


@atomic_service
def return_submit(*, request, actor, device=""):
    """Number RT-YYYYMM-NNNN on the first submit; the supervisor (and for BOM changes the
    technical department) must review (R-A4)."""
    request = locked(request, actor=actor)
    if request.state == ReturnState.REJECTED:
        ensure_still_returnable(request)
    return request_submit(
        request,
        actor=actor,
        device=device,
        tiers=return_chain(request.reason),
        context={"reason": request.reason.code},
    )


def ensure_still_returnable(request):
    """R-R6 on a resubmit: while the slip was rejected its lines did not hold their
    quantity, so another slip may have returned it meanwhile. Lines without an excess
    explanation must still fit in what is returnable (the work order locked, as at create)."""
    work_order = work_order_locked(request.work_order)
    wanted = defaultdict(Decimal)
    for line in request.lines.filter(excess_explanation="").select_related("material", "lot"):
        wanted[(line.material, line.lot)] += line.quantity
    for (material, lot), quantity in wanted.items():
        available = returnable_qty(work_order=work_order, material=material, lot=lot)
        if quantity > available:
            raise exceeds_issued("lines", quantity, material, lot, work_order, available)


def return_review(*, request, actor, approve=True, comment="", device=""):
    """The supervisor's (or technical department's) decision on the current step."""
    return request_decide(
        request=request, actor=actor, approve=approve, comment=comment, device=device
    )


def return_reject(*, request, actor, reason, device=""):
    """Back to the applicant from any step before posting; a reason is required."""
    return request_reject(request=request, actor=actor, reason=reason, device=device)


def return_cancel(*, request, actor, device=""):
    """The applicant withdraws the slip before it is posted."""
    return request_cancel(request=request, actor=actor, device=device)


# ---------------------------------------------------------------------------- QC


def verdict_apply(line, item):
    verdict = item.get("verdict")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": VERDICT_UNKNOWN % {"verdict": verdict}})
    rate = item.get("defect_rate")
    if verdict == Verdict.PROCESS_DEFECT and rate is None:
        raise ValidationError(
            {
                "defect_rate": DEFECT_RATE_REQUIRED
                % {"line": line.position, "material": line.material.code}
            }
        )
    if rate is not None and not 0 <= Decimal(rate) <= 100:
        raise ValidationError({"defect_rate": DEFECT_RATE_RANGE})
    if verdict == Verdict.GOOD:
        ensure_good_stock_allowed(line)
    line.verdict, line.defect_rate = verdict, rate
    line.qc_note = (item.get("qc_note") or "")[:300]


@atomic_service
def return_qc_verdict(*, request, verdicts, actor, device=""):
    """R-R4: a verdict per line: good, supplier defect, or process defect with its rate."""
    permission_require(actor, "returns.give_qc_verdict", _("give QC verdicts"))
    request = locked(request, actor=actor)
    ensure_transition(request, ReturnState.INSPECTED, _("inspected"))
    if actor.pk == request.applicant_id:
        raise StateConflict(OWN_REQUEST_QC)
    pairs, missing = lines_given(request, verdicts)
    if missing:
        line = missing[0]
        raise ValidationError(
            {"lines": VERDICT_MISSING % {"line": line.position, "material": line.material.code}}
        )
    for line, item in pairs:
        verdict_apply(line, item)
    lines = [line for line, _item in pairs]
    ReturnLine.objects.bulk_update(lines, ["verdict", "defect_rate", "qc_note"])
    return state_change(
        request,
        ReturnState.INSPECTED,
        actor=actor,
        device=device,
        action="qc_verdict",
        details={"lines": [line_summary(line) for line in lines]},
        inspected_by=actor,
        inspected_at=timezone.now(),
    )


# ---------------------------------------------------------------------------- receipt


def receipt_counts(line, item):
    """What the keeper counted; every mismatch needs a written note (R-R6)."""
    numbers = {"line": line.position, "qty": format_qty(line.quantity)}
    received = item.get("received_qty")
    if received is None:
        received = line.quantity
    received = validate_quantity(received, material=line.material, field="received_qty")
    numbers["received"] = format_qty(received)
    if received > line.quantity:
        raise ValidationError({"received_qty": RECEIVED_MORE % numbers})
    if line.serials and received != line.quantity:
        raise ValidationError({"received_qty": SERIALS_ALL % numbers})
    note = (item.get("receive_note") or "").strip()
    if received != line.quantity and not note:
        raise ValidationError({"receive_note": MISMATCH_NOTE % numbers})
    foreign = Decimal(item.get("foreign_qty") or 0)
    if not 0 <= foreign <= received:
        raise ValidationError({"foreign_qty": FOREIGN_RANGE % numbers})
    line.received_qty, line.foreign_qty, line.receive_note = received, foreign, note[:300]


def foreign_refusal(lines):
    """R-R5: the reason to refuse the slip when a defect lot holds more than 2 % foreign
    material, or ``""``."""
    refused = []
    for line in lines:
        ratio = line.foreign_qty / line.received_qty
        if line.verdict in DEFECT_VERDICTS and ratio > FOREIGN_LIMIT:
            percent = format_qty((ratio * 100).quantize(PERCENT))
            refused.append(
                str(
                    FOREIGN_REFUSED
                    % {"line": line.position, "material": line.material.code, "percent": percent}
                )
            )
    return " ".join(refused)


@atomic_service
def return_receive(*, request, lines, actor, device="", post=False):
    """The keeper checks and counts. ``lines``: dicts with ``line`` and optional
    ``received_qty`` (default: the slip's quantity), ``foreign_qty``, ``location``,
    ``receive_note``; lines not given are received as on the slip.

    A defect lot with more than 2 % foreign material refuses the whole slip (R-R5): it is
    returned to the applicant as rejected, the counts recorded, and the request returned.

    With ``post`` (the keeper's receive-scan) the received slip is posted in the same
    transaction, so a refused posting leaves it unreceived too. The posting's locks are
    taken before the receipt's audit event locks the chain head (``audit_record``'s order).
    """
    permission_require(actor, "returns.receive_return", _("receive returned material"))
    if post:
        permission_require(actor, "returns.post_return", _("post returns"))
    request = locked(request, actor=actor)
    ensure_transition(request, ReturnState.RECEIVED, _("received"))
    ensure_not_applicant(request, actor, _("receive"))
    pairs, rest = lines_given(request, lines)
    pairs += [(line, {}) for line in rest]
    pairs.sort(key=lambda pair: pair[0].position)
    for line, item in pairs:
        receipt_counts(line, item)
    refusal = foreign_refusal([line for line, _item in pairs])
    if not refusal:
        for line, item in pairs:
            line.location = putaway_location(request.work_order, line, item.get("location"))
    received = [line for line, _item in pairs]
    ReturnLine.objects.bulk_update(
        received, ["received_qty", "foreign_qty", "location", "receive_note"]
    )
    details = {"lines": [line_summary(line) for line in received]}
    if refusal:
        return rejection_apply(
            request, actor=actor, device=device, reason=refusal, action="refuse", details=details
        )
    if post:
        ledger_locks_take(return_movements(request), request.work_order)
    request = state_change(
        request,
        ReturnState.RECEIVED,
        actor=actor,
        device=device,
        action="receive",
        details=details,
        received_by=actor,
        received_at=timezone.now(),
    )
    return return_post(request=request, actor=actor, device=device) if post else request


# ---------------------------------------------------------------------------- posting


def return_movements(request):
    """R-R7: red-letter issue entries, one ledger line per return line (or unit)."""
    remark = f"{request.reason.code} {request.reason.name}"
    movements = []
    for line in numbered_lines(request):
        if line.verdict == Verdict.GOOD:
            ensure_good_stock_allowed(line)  # the lot may have expired since QC
        units = []
        if line.serials:
            units = serials_issued_to(
                work_order=request.work_order,
                material=line.material,
                lot=line.lot,
                serials=line.serials,
            )
        movements += [
            replace(movement, doc_line=line.position)
            for movement in one_movement_per_unit(
                material=line.material,
                lot=line.lot,
                location=line.location,
                quantity=line.received_qty,
                movement_type=MovementType.RETURN,
                serials=units,
                remark=remark,
            )
        ]
    return movements


@atomic_service
def return_post(*, request, actor, device=""):
    """Book the received quantities back (R-R7). The row lock and state check make a
    second, concurrent posting a 409 instead of a double booking."""
    permission_require(actor, "returns.post_return", _("post returns"))
    request = locked(request, actor=actor)
    ensure_transition(request, ReturnState.POSTED, _("posted"))
    ensure_not_applicant(request, actor, _("post"))
    entries = ledger_post(
        movements=return_movements(request),
        doc_type="return",
        doc_id=request.number,
        actor=actor,
        device=device,
        work_order=request.work_order,
        reason_code=request.reason.code,
    )
    outbox_emit(
        topic="return.posted",
        payload={
            "number": request.number,
            "work_order": request.work_order.number,
            "reason": request.reason.code,
            "entries": entries_summary(entries),
        },
    )
    return state_change(
        request,
        ReturnState.POSTED,
        actor=actor,
        device=device,
        action="post",
        details={"entries": entries_summary(entries)},
        posted_by=actor,
        posted_at=timezone.now(),
    )


@atomic_service
def return_confirm(*, request, actor, device=""):
    """Finance confirms a posted return (R-R3)."""
    permission_require(actor, "returns.confirm_return", _("confirm returns"))
    request = locked(request, actor=actor)
    ensure_transition(request, ReturnState.CONFIRMED, _("confirmed"))
    ensure_not_applicant(request, actor, _("confirm"))
    return state_change(
        request,
        ReturnState.CONFIRMED,
        actor=actor,
        device=device,
        action="confirm",
        confirmed_by=actor,
        confirmed_at=timezone.now(),
    )
