"""Creating a return request, adding lines, and its way through the approval chain (R-R3, R-R4)."""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from approvals.routing import return_chain
from core.errors import StateConflict
from core.transactions import atomic_service
from inventory.models import Lot
from materials.models import Material
from org.access import scope_require
from returns.models import (
    Condition,
    ReasonCode,
    RequestKind,
    ReturnLine,
    ReturnRequest,
    ReturnState,
)
from returns.selectors import returnable_qty
from returns.services.common import (
    NO_LINES,
    WRONG_STATE,
    Actor,
    audit,
    ensure_applicant,
    locked,
    request_cancel,
    request_decide,
    request_reject,
    request_submit,
    validate_reason,
    work_order_locked,
    wrong_state_params,
)
from returns.services.return_lines import (
    ensure_returnable,
    exceeds_issued,
    line_summary,
    return_line_build,
)
from workorders.models import WorkOrder

NOT_A_DRAFT_ACTION = _("changed")


@atomic_service
def return_create(
    *,
    work_order: WorkOrder,
    reason: ReasonCode,
    lines: list[dict],
    applicant: Actor,
    explanation: str = "",
    device: str = "",
    submit: bool = False,
) -> ReturnRequest:
    """A draft return slip (R-R2). ``lines``: dicts of ``return_line_build`` arguments.
    With ``submit`` it is submitted in the same transaction, so a refused submit leaves no
    stray draft (the page's "submit" button, the API's ``submit``).

    The work order is locked so two slips cannot both claim the same returnable quantity.
    """
    work_order = work_order_locked(work_order)
    scope_require(applicant, work_order.workshop_id, "work_order")
    ensure_returnable(work_order)
    validate_reason(reason, RequestKind.RETURN)
    if not lines:
        raise ValidationError({"lines": NO_LINES})
    return_request = ReturnRequest.objects.create(
        work_order=work_order,
        reason=reason,
        applicant=applicant,
        explanation=explanation,
        warehouse_category=lines[0]["material"].warehouse_category,
    )
    created = [return_line_build(return_request, **line) for line in lines]
    audit(
        return_request,
        actor=applicant,
        device=device,
        action="create",
        details={
            "work_order": work_order.number,
            "reason": reason.code,
            "lines": [line_summary(line) for line in created],
        },
    )
    if submit:
        return return_submit(return_request=return_request, actor=applicant, device=device)
    return return_request


@atomic_service
def return_line_add(
    *,
    return_request: ReturnRequest,
    material: Material,
    quantity: Decimal | None,
    actor: Actor,
    lot: Lot | None = None,
    serials: Sequence[str] = (),
    condition: str = Condition.GOOD,
    excess_explanation: str = "",
    device: str = "",
) -> ReturnLine:
    """Add a (scanned) line to a draft or a rejected slip (edited before it is submitted
    again, issue #15) with the same validation as ``return_create``."""
    return_request = locked(return_request, actor=actor)
    if return_request.state not in (ReturnState.DRAFT, ReturnState.REJECTED):
        raise StateConflict(
            WRONG_STATE, params=wrong_state_params(return_request, NOT_A_DRAFT_ACTION)
        )
    ensure_applicant(return_request, actor, NOT_A_DRAFT_ACTION)
    work_order_locked(return_request.work_order)
    line = return_line_build(
        return_request,
        material=material,
        quantity=quantity,
        lot=lot,
        serials=serials,
        condition=condition,
        excess_explanation=excess_explanation,
    )
    audit(
        return_request,
        actor=actor,
        device=device,
        action="line_add",
        details={"line": line_summary(line)},
    )
    return line


# ---------------------------------------------------------------------------- approval


@atomic_service
def return_submit(
    *, return_request: ReturnRequest, actor: Actor, device: str = ""
) -> ReturnRequest:
    """Number RT-YYYYMM-NNNN on the first submit; the supervisor (and for BOM changes the
    technical department) must review (R-A4)."""
    return_request = locked(return_request, actor=actor)
    if return_request.state == ReturnState.REJECTED:
        ensure_still_returnable(return_request)
    return request_submit(
        return_request,
        actor=actor,
        device=device,
        tiers=return_chain(return_request.reason),
        context={"reason": return_request.reason.code},
    )


def ensure_still_returnable(return_request: ReturnRequest) -> None:
    """R-R6 on a resubmit: while the slip was rejected its lines did not hold their
    quantity, so another slip may have returned it meanwhile. Lines without an excess
    explanation must still fit in what is returnable (the work order locked, as at create)."""
    work_order = work_order_locked(return_request.work_order)
    wanted = defaultdict(Decimal)
    for line in return_request.lines.filter(excess_explanation="").select_related(
        "material", "lot"
    ):
        wanted[(line.material, line.lot)] += line.quantity
    for (material, lot), quantity in wanted.items():
        available = returnable_qty(work_order=work_order, material=material, lot=lot)
        if quantity > available:
            raise exceeds_issued("lines", quantity, material, lot, work_order, available)


def return_review(
    *,
    return_request: ReturnRequest,
    actor: Actor,
    approve: bool = True,
    comment: str = "",
    device: str = "",
) -> ReturnRequest:
    """The supervisor's (or technical department's) decision on the current step."""
    return request_decide(
        slip=return_request, actor=actor, approve=approve, comment=comment, device=device
    )


def return_reject(
    *, return_request: ReturnRequest, actor: Actor, reason: str, device: str = ""
) -> ReturnRequest:
    """Back to the applicant from any step before posting; a reason is required."""
    return request_reject(slip=return_request, actor=actor, reason=reason, device=device)


def return_cancel(
    *, return_request: ReturnRequest, actor: Actor, device: str = ""
) -> ReturnRequest:
    """The applicant withdraws the slip before it is posted."""
    return request_cancel(slip=return_request, actor=actor, device=device)
