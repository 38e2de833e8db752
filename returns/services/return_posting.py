"""Posting the return as red-letter issue entries and finance's confirmation (R-R7)."""

from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.outbox import outbox_emit
from core.transactions import atomic_service
from inventory.models import MovementType
from inventory.services import entries_summary, ledger_post, one_movement_per_unit
from org.access import permission_require
from returns.models import ReturnState, Verdict
from returns.services.common import ensure_not_applicant, ensure_transition, locked, state_change
from returns.services.return_lines import (
    ensure_good_stock_allowed,
    numbered_lines,
    serials_issued_to,
)


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
