"""Replenish requests (补料), R-P1…R-P4: draft → submitted (routed by the approval matrix,
R-A2…R-A4) → approved → issued, or short with a shortage slip until stock arrives.

Every write locks the request row first, checks the move against
``REPLENISH_TRANSITIONS``, validates, changes, and audits last (see ``returns.services.common``).
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from approvals.routing import active_policy
from core.errors import StateConflict
from core.fields import format_qty
from core.transactions import atomic_service
from inventory.services import (
    validate_quantity,
)
from materials.models import Material
from org.access import scope_require
from returns.debt_selectors import DEBT_RETURN_STATES, returned_qty
from returns.models import (
    Condition,
    DefectKind,
    ReasonCode,
    ReplacementCitation,
    ReplenishLine,
    ReplenishRequest,
    ReplenishState,
    RequestKind,
    ReturnLine,
    ReturnState,
)
from returns.selectors import replaced_qty, replenish_amount, replenish_routing
from returns.services.common import (
    DEFECT_VERDICTS,
    NO_LINES,
    Actor,
    audit,
    ensure_applicant,
    ensure_transition,
    locked,
    request_cancel,
    request_reject,
    request_submit,
    validate_reason,
    work_order_locked,
)
from returns.services.debts import citations_fresh, citations_record, cited_lines_locked
from workorders.models import ISSUABLE_STATUSES, WorkOrder
from workorders.services.lifecycle import NOT_ON_WORK_ORDER

BOOKED_RETURNS = {ReturnState.POSTED, ReturnState.CONFIRMED}

WORK_ORDER_NOT_OPEN = _("Work order %(number)s is %(status)s: nothing can be replenished to it.")
MATERIAL_TWICE = _("%(material)s is given on two lines: give one line per material.")
CITATIONS_REQUIRED = _(
    "A replenishment for defective material must cite the return slip lines of the "
    "defective %(material)s (one-for-one)."
)
CITATIONS_NOT_ALLOWED = _("Only a replenishment for defective material cites return slips.")
CITATION_OTHER = _(
    "Return line %(line)s is not a return of %(material)s from work order %(number)s."
)
CITATION_NOT_DEFECT = _("Return line %(line)s was not judged defective by QC.")
CITATION_NOT_DEFECT_RETURN = _(
    "Return line %(line)s is not a defect return: neither its reason nor its condition is a defect."
)
CITATION_NOT_CITABLE = _(
    "Return slip %(request)s is %(state)s: only a submitted or posted defect return can be cited."
)
CITATION_EXCEEDS = _(
    "Return line %(line)s has %(available)s of defective %(material)s left to replace, not %(qty)s."
)
NOT_ONE_FOR_ONE = _(
    "One-for-one: the replenished %(qty)s of %(material)s must equal the defective quantity "
    "cited (%(cited)s)."
)


# ---------------------------------------------------------------------------- one-for-one


def citations_check(
    *,
    request_lines: list[tuple[Material, Decimal, list[dict]]],
    work_order: WorkOrder,
    exclude_request: ReplenishRequest | None = None,
) -> None:
    """R-P2 for every line: cited return lines are defective returns of the same work
    order and material, submitted or booked (R-P5: an unposted one is replaced first and
    returned later), not replaced already, and add up to the line quantity.

    ``request_lines``: (material, quantity, citations) with citations as dicts of
    ``return_line`` and ``quantity``.
    """
    used_here = defaultdict(Decimal)
    for material, quantity, citations in request_lines:
        cited = Decimal("0")
        for citation in citations:
            return_line = citation["return_line"]
            qty = citation["quantity"]
            citation_check(return_line, material=material, work_order=work_order)
            left = (
                returned_qty(return_line)
                - replaced_qty(return_line=return_line, exclude_request=exclude_request)
                - used_here[return_line.pk]
            )
            if qty > left:
                raise ValidationError(
                    {
                        "citations": CITATION_EXCEEDS
                        % {
                            "line": return_line.pk,
                            "available": format_qty(max(left, 0)),
                            "material": material.code,
                            "qty": format_qty(qty),
                        }
                    }
                )
            used_here[return_line.pk] += qty
            cited += qty
        if cited != quantity:
            raise ValidationError(
                {
                    "quantity": NOT_ONE_FOR_ONE
                    % {
                        "qty": format_qty(quantity),
                        "material": material.code,
                        "cited": format_qty(cited),
                    }
                }
            )


def citation_check(return_line: ReturnLine, *, material: Material, work_order: WorkOrder) -> None:
    if return_line.material_id != material.pk or return_line.request.work_order_id != work_order.pk:
        raise ValidationError(
            {
                "citations": CITATION_OTHER
                % {"line": return_line.pk, "material": material.code, "number": work_order.number}
            }
        )
    slip = return_line.request
    if slip.state not in BOOKED_RETURNS and slip.state not in DEBT_RETURN_STATES:
        raise ValidationError(
            {
                "citations": CITATION_NOT_CITABLE
                % {"request": str(slip), "state": slip.get_state_display()}
            }
        )
    if return_line.verdict and return_line.verdict not in DEFECT_VERDICTS:
        raise ValidationError({"citations": CITATION_NOT_DEFECT % {"line": return_line.pk}})
    if not return_line.verdict and not defect_declared(return_line):
        raise ValidationError({"citations": CITATION_NOT_DEFECT_RETURN % {"line": return_line.pk}})


def defect_declared(return_line: ReturnLine) -> bool:
    """Before QC's verdict a return is a defect return by its reason or the line's
    condition (R-P5)."""
    return (
        return_line.request.reason.defect_kind != DefectKind.NONE
        or return_line.condition == Condition.DEFECTIVE
    )


def stored_lines(
    replenish_request: ReplenishRequest,
) -> list[tuple[Material, Decimal, list[dict]]]:
    """The request's lines as ``citations_check`` reads them."""
    return [
        (
            line.material,
            line.quantity,
            [
                {"return_line": c.return_line, "quantity": c.quantity}
                for c in line.citations.select_related("return_line__request__reason")
            ],
        )
        for line in replenish_request.lines.select_related("material")
    ]


# ---------------------------------------------------------------------------- create


def replenish_lines_validate(
    work_order: WorkOrder, reason: ReasonCode, lines: list[dict]
) -> list[tuple[Material, Decimal, list[dict]]]:
    """Materials on the work order, one line each, valid quantities; citations exactly when
    the reason is a defect (R-P2). Returns (material, quantity, citations) triples."""
    requirements = set(work_order.lines.values_list("material_id", flat=True))
    defect = reason.defect_kind != DefectKind.NONE
    seen, checked = set(), []
    for line in lines:
        material = line["material"]
        citations = [
            {
                "return_line": c["return_line"],
                "quantity": validate_quantity(c["quantity"], material=material, field="citations"),
            }
            for c in line.get("citations") or []
        ]
        if material.pk not in requirements:
            raise ValidationError(
                {
                    "material": NOT_ON_WORK_ORDER
                    % {"material": material.code, "number": work_order.number}
                }
            )
        if material.pk in seen:
            raise ValidationError({"material": MATERIAL_TWICE % {"material": material.code}})
        seen.add(material.pk)
        if defect and not citations:
            raise ValidationError({"citations": CITATIONS_REQUIRED % {"material": material.code}})
        if citations and not defect:
            raise ValidationError({"citations": CITATIONS_NOT_ALLOWED})
        checked.append(
            (material, validate_quantity(line["quantity"], material=material), citations)
        )
    if defect:
        citations_check(request_lines=checked, work_order=work_order)
    return checked


@atomic_service
def replenish_create(
    *,
    work_order: WorkOrder,
    reason: ReasonCode,
    lines: list[dict],
    applicant: Actor,
    explanation: str = "",
    device: str = "",
    submit: bool = False,
) -> ReplenishRequest:
    """A draft replenishment. ``lines``: dicts of ``material``, ``quantity`` and, for a
    defect reason, ``citations`` [{``return_line``, ``quantity``}]. The amount is valued at
    standard cost. The work order is locked so two requests cannot cite the same defect.
    With ``submit`` it is submitted in the same transaction (no stray draft on a refusal).
    A citation of a return not yet posted opens a replacement debt (R-P5)."""
    lines = citations_fresh(lines)
    work_order = work_order_locked(work_order)
    scope_require(applicant, work_order.workshop_id, "work_order")
    if work_order.status not in ISSUABLE_STATUSES:
        raise StateConflict(
            WORK_ORDER_NOT_OPEN,
            params={"number": work_order.number, "status": work_order.get_status_display()},
        )
    validate_reason(reason, RequestKind.REPLENISH)
    if not lines:
        raise ValidationError({"lines": NO_LINES})
    checked = replenish_lines_validate(work_order, reason, lines)
    amount = replenish_amount((m, q) for m, q, _c in checked)
    replenish_request = ReplenishRequest.objects.create(
        work_order=work_order,
        reason=reason,
        applicant=applicant,
        explanation=explanation,
        amount=amount,
    )
    for material, quantity, citations in checked:
        line = ReplenishLine.objects.create(
            request=replenish_request, material=material, quantity=quantity
        )
        citations_record(replenish_line=line, citations=citations)
    audit(
        replenish_request,
        actor=applicant,
        device=device,
        action="create",
        details={
            "work_order": work_order.number,
            "reason": reason.code,
            "amount": amount,
            "lines": [
                {
                    "material": m.code,
                    "quantity": q,
                    "citations": [[c["return_line"].pk, c["quantity"]] for c in citations],
                }
                for m, q, citations in checked
            ],
        },
    )
    if submit:
        return replenish_submit(replenish_request=replenish_request, actor=applicant, device=device)
    return replenish_request


# ---------------------------------------------------------------------------- approval


@atomic_service
def replenish_submit(
    *, replenish_request: ReplenishRequest, actor: Actor, device: str = ""
) -> ReplenishRequest:
    """Number RP-YYYYMM-NNNN on the first submit; steps from the active policy version.

    One-for-one is checked again: a resubmitted request may cite returns another request
    replaced meanwhile.
    """
    replenish_request = locked(replenish_request, actor=actor)
    cited_lines_locked(
        ReplacementCitation.objects.filter(replenish_line__request=replenish_request).values_list(
            "return_line_id", flat=True
        )
    )
    work_order_locked(replenish_request.work_order)
    ensure_transition(replenish_request, ReplenishState.SUBMITTED, _("submitted"))
    ensure_applicant(replenish_request, actor, _("submit"))
    if replenish_request.reason.defect_kind != DefectKind.NONE:
        citations_check(
            request_lines=stored_lines(replenish_request),
            work_order=replenish_request.work_order,
            exclude_request=replenish_request,
        )
    policy = active_policy()
    routing = replenish_routing(
        work_order=replenish_request.work_order,
        reason=replenish_request.reason,
        lines=[
            (line.material, line.quantity)
            for line in replenish_request.lines.select_related("material")
        ],
        amount=replenish_request.amount,
        policy=policy,
    )
    return request_submit(
        replenish_request,
        actor=actor,
        device=device,
        tiers=routing.chain,
        policy=policy,
        context={"lines": [{"material": m.code, **route.as_dict()} for m, route in routing.routes]},
    )


def replenish_reject(
    *, replenish_request: ReplenishRequest, actor: Actor, reason: str, device: str = ""
) -> ReplenishRequest:
    return request_reject(slip=replenish_request, actor=actor, reason=reason, device=device)


def replenish_cancel(
    *, replenish_request: ReplenishRequest, actor: Actor, device: str = ""
) -> ReplenishRequest:
    return request_cancel(slip=replenish_request, actor=actor, device=device)
