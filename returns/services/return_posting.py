"""Posting the return as red-letter issue entries and finance's confirmation (R-R7)."""

from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.outbox import outbox_emit
from core.transactions import atomic_service
from inventory.models import MovementType
from inventory.services import Movement, entries_summary, ledger_post, one_movement_per_unit
from org.access import permission_require
from returns.models import ReturnLine, ReturnRequest, ReturnState, Verdict
from returns.services.common import (
    DEFECT_VERDICTS,
    Actor,
    ensure_not_applicant,
    ensure_transition,
    locked,
    state_change,
)
from returns.services.debts import debts_clear
from returns.services.return_lines import (
    ensure_good_stock_allowed,
    numbered_lines,
    serials_issued_to,
)


def return_movements(
    return_request: ReturnRequest, lines: list[ReturnLine] | None = None
) -> list[Movement]:
    """R-R7: red-letter issue entries, one ledger line per return line (or unit); ``lines``
    when the caller has loaded them (``numbered_lines``)."""
    remark = f"{return_request.reason.code} {return_request.reason.name}"
    movements = []
    for line in lines if lines is not None else numbered_lines(return_request):
        if line.verdict == Verdict.GOOD:
            ensure_good_stock_allowed(line)  # the lot may have expired since QC
        units = []
        if line.serials:
            units = serials_issued_to(
                work_order=return_request.work_order,
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
def return_post(*, return_request: ReturnRequest, actor: Actor, device: str = "") -> ReturnRequest:
    """Book the received quantities back (R-R7) and clear the replacement debts citing the
    return with what was received (R-P5). The row lock and state check make a second,
    concurrent posting a 409 instead of a double booking."""
    permission_require(actor, "returns.post_return", _("post returns"))
    return_request = locked(return_request, actor=actor)
    ensure_transition(return_request, ReturnState.POSTED, _("posted"))
    ensure_not_applicant(return_request, actor, _("post"))
    lines = numbered_lines(return_request)
    entries = ledger_post(
        movements=return_movements(return_request, lines),
        doc_type="return",
        doc_id=return_request.number,
        actor=actor,
        device=device,
        work_order=return_request.work_order,
        reason_code=return_request.reason.code,
    )
    # Only a defective line clears a replace-first debt (R-P5): a good return skips the lookup.
    defective = any(line.verdict in DEFECT_VERDICTS for line in lines)
    debts = debts_clear(return_request) if defective else []
    outbox_emit(
        topic="return.posted",
        payload={
            "number": return_request.number,
            "work_order": return_request.work_order.number,
            "reason": return_request.reason.code,
            "entries": entries_summary(entries),
        },
    )
    return state_change(
        return_request,
        ReturnState.POSTED,
        actor=actor,
        device=device,
        action="post",
        details={"entries": entries_summary(entries), **({"debts": debts} if debts else {})},
        posted_by=actor,
        posted_at=timezone.now(),
    )


@atomic_service
def return_confirm(
    *, return_request: ReturnRequest, actor: Actor, device: str = ""
) -> ReturnRequest:
    """Finance confirms a posted return (R-R3)."""
    permission_require(actor, "returns.confirm_return", _("confirm returns"))
    return_request = locked(return_request, actor=actor)
    ensure_transition(return_request, ReturnState.CONFIRMED, _("confirmed"))
    ensure_not_applicant(return_request, actor, _("confirm"))
    return state_change(
        return_request,
        ReturnState.CONFIRMED,
        actor=actor,
        device=device,
        action="confirm",
        confirmed_by=actor,
        confirmed_at=timezone.now(),
    )
