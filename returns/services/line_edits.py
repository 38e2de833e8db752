"""Edit before it counts (issue #15): the applicant changes a line's quantity or removes the
line of a draft or a rejected request, then (re)submits it. A removed line is deleted, not
zeroed; every edit is audited and refused with a 409 in any other state."""

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import StateConflict
from core.transactions import atomic_service
from inventory.services import validate_quantity, validate_serials
from materials.models import Material
from returns.models import (
    DefectKind,
    ReplenishLine,
    ReplenishRequest,
    ReplenishState,
    ReturnLine,
    ReturnRequest,
    ReturnState,
)
from returns.selectors import RETURN_LINE_CLOSED, replenish_amount, returnable_qty
from returns.services.common import (
    WRONG_STATE,
    Actor,
    R,
    audit,
    ensure_applicant,
    locked,
    work_order_locked,
    wrong_state_params,
)
from returns.services.debts import (
    ZERO,
    citations_fresh,
    citations_record,
    ensure_replaced_covered,
)
from returns.services.replenish import (
    MATERIAL_TWICE,
    citations_check,
    replenish_lines_validate,
    stored_lines,
)
from returns.services.return_lines import exceeds_issued, line_summary

EDITABLE = {
    ReturnRequest: {ReturnState.DRAFT, ReturnState.REJECTED},
    ReplenishRequest: {ReplenishState.DRAFT, ReplenishState.REJECTED},
}
EDITED = _("edited")
LAST_LINE = _("A request keeps at least one line: withdraw %(request)s instead.")


def editable(slip: R, *, actor: Actor) -> R:
    """The request locked, in a state its applicant may edit (draft or rejected)."""
    slip = locked(slip, actor=actor)
    if slip.state not in EDITABLE[type(slip)]:
        raise StateConflict(WRONG_STATE, params=wrong_state_params(slip, EDITED))
    ensure_applicant(slip, actor, EDITED)
    return slip


def may_edit(slip: ReturnRequest | ReplenishRequest, user: Actor) -> bool:
    """Whether the page shows the line editing controls (the services decide)."""
    return slip.state in EDITABLE[type(slip)] and (
        user.pk == slip.applicant_id or user.is_superuser
    )


def ensure_not_last(slip: ReturnRequest | ReplenishRequest) -> None:
    if slip.lines.count() <= 1:
        raise StateConflict(LAST_LINE, params={"request": str(slip)})


# ---------------------------------------------------------------------------- returns


@atomic_service
def return_line_remove(*, return_line: ReturnLine, actor: Actor, device: str = "") -> ReturnRequest:
    """Delete a line of a draft or rejected return."""
    return_request = editable(return_line.request, actor=actor)
    line = return_request.lines.select_related("material", "lot", "location").get(pk=return_line.pk)
    ensure_not_last(return_request)
    ensure_replaced_covered(line, ZERO)
    removed = line_summary(line)
    line.delete()
    audit(
        return_request,
        actor=actor,
        device=device,
        action="line_remove",
        details={"line": removed},
    )
    return return_request


@atomic_service
def return_line_change(
    *,
    return_line: ReturnLine,
    quantity: Decimal | None,
    actor: Actor,
    excess_explanation: str | None = None,
    device: str = "",
) -> ReturnLine:
    """Change the quantity (and the excess explanation) of a draft or rejected return's
    line; the quantity guard (R-R6) counts the line's own quantity as available again."""
    return_request = editable(return_line.request, actor=actor)
    work_order = work_order_locked(return_request.work_order)
    line = return_request.lines.select_related("material", "lot", "location").get(pk=return_line.pk)
    before = line_summary(line)
    quantity = validate_quantity(quantity, material=line.material)
    validate_serials(material=line.material, quantity=quantity, serials=line.serials)
    if excess_explanation is not None:
        line.excess_explanation = excess_explanation.strip()[:300]
    available = returnable_qty(work_order=work_order, material=line.material, lot=line.lot)
    if return_request.state not in RETURN_LINE_CLOSED:
        available += line.quantity  # the line counted itself as open
    if quantity > available and not line.excess_explanation:
        raise exceeds_issued(
            "excess_explanation", quantity, line.material, line.lot, work_order, available
        )
    ensure_replaced_covered(line, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity", "excess_explanation"])
    audit(
        return_request,
        actor=actor,
        device=device,
        action="line_change",
        details={"line_before": before, "line": line_summary(line)},
    )
    return line


# ---------------------------------------------------------------------------- replenishments


def replenish_line_summary(line: ReplenishLine) -> dict:
    return {"material": line.material.code, "quantity": line.quantity}


def amount_refresh(replenish_request: ReplenishRequest) -> None:
    """The amount at standard cost follows the lines (R-A4's valuable-amount step)."""
    lines = replenish_request.lines.select_related("material")
    replenish_request.amount = replenish_amount((line.material, line.quantity) for line in lines)
    replenish_request.save(update_fields=["amount", "updated_at"])


@atomic_service
def replenish_line_add(
    *,
    replenish_request: ReplenishRequest,
    material: Material,
    quantity: Decimal | None,
    actor: Actor,
    citations: Sequence[dict] = (),
    device: str = "",
) -> ReplenishLine:
    """Add a line to a draft or rejected replenishment, validated as at create: a material
    of the work order, one line per material, one-for-one citations for a defect (R-P2)."""
    replenish_request = editable(replenish_request, actor=actor)
    [fresh] = citations_fresh([{"citations": list(citations)}])
    work_order = work_order_locked(replenish_request.work_order)
    if replenish_request.lines.filter(material=material).exists():
        raise ValidationError({"material": MATERIAL_TWICE % {"material": material.code}})
    [(material, quantity, checked)] = replenish_lines_validate(
        work_order,
        replenish_request.reason,
        [{"material": material, "quantity": quantity, "citations": fresh["citations"]}],
    )
    line = ReplenishLine.objects.create(
        request=replenish_request, material=material, quantity=quantity
    )
    citations_record(replenish_line=line, citations=checked)
    amount_refresh(replenish_request)
    audit(
        replenish_request,
        actor=actor,
        device=device,
        action="line_add",
        details={"line": replenish_line_summary(line), "amount": replenish_request.amount},
    )
    return line


@atomic_service
def replenish_line_remove(
    *, replenish_line: ReplenishLine, actor: Actor, device: str = ""
) -> ReplenishRequest:
    """Delete a line (and its one-for-one citations) of a draft or rejected replenishment."""
    replenish_request = editable(replenish_line.request, actor=actor)
    line = replenish_request.lines.select_related("material").get(pk=replenish_line.pk)
    ensure_not_last(replenish_request)
    removed = replenish_line_summary(line)
    line.delete()
    amount_refresh(replenish_request)
    audit(
        replenish_request,
        actor=actor,
        device=device,
        action="line_remove",
        details={"line": removed, "amount": replenish_request.amount},
    )
    return replenish_request


@atomic_service
def replenish_line_change(
    *, replenish_line: ReplenishLine, quantity: Decimal | None, actor: Actor, device: str = ""
) -> ReplenishLine:
    """Change a line's quantity; a defect replenishment stays one-for-one (R-P2), so its
    quantity must still equal the defective quantity it cites."""
    replenish_request = editable(replenish_line.request, actor=actor)
    work_order_locked(replenish_request.work_order)
    line = replenish_request.lines.select_related("material").get(pk=replenish_line.pk)
    before = replenish_line_summary(line)
    line.quantity = validate_quantity(quantity, material=line.material)
    line.save(update_fields=["quantity"])
    if replenish_request.reason.defect_kind != DefectKind.NONE:
        # A refusal rolls the saved quantity back with the transaction.
        citations_check(
            request_lines=stored_lines(replenish_request),
            work_order=replenish_request.work_order,
            exclude_request=replenish_request,
        )
    amount_refresh(replenish_request)
    audit(
        replenish_request,
        actor=actor,
        device=device,
        action="line_change",
        details={
            "line_before": before,
            "line": replenish_line_summary(line),
            "amount": replenish_request.amount,
        },
    )
    return line
