"""The keeper's refusal of a return (R-R5) and QC's rejection (R-R3, R-R4): each sends the
slip back to the applicant as rejected with the reason, who can edit it and submit again.
Nothing else of the slip changes; the event is audited (``return.refuse`` /
``return.qc_reject``)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.transactions import atomic_service
from org.access import permission_require
from returns.models import ReturnRequest, ReturnState
from returns.services.common import (
    REJECTION_REASON_REQUIRED,
    Actor,
    ensure_not_applicant,
    ensure_transition,
    locked,
    rejection_apply,
)


def reason_given(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REJECTION_REASON_REQUIRED})
    return reason


@atomic_service
def return_refuse(
    *, return_request: ReturnRequest, reason: str, actor: Actor, device: str = ""
) -> ReturnRequest:
    """R-R5: the keeper refuses the slip at receipt (mixed materials, an unclear reason,
    the wrong material…) instead of receiving it; only a slip waiting for receipt."""
    permission_require(actor, "returns.receive_return", _("receive returned material"))
    return_request = locked(return_request, actor=actor)
    ensure_transition(return_request, ReturnState.RECEIVED, _("refused at receipt"))
    ensure_not_applicant(return_request, actor, _("refuse"))
    return rejection_apply(
        return_request,
        actor=actor,
        device=device,
        reason=reason_given(reason),
        action="refuse",
    )


@atomic_service
def return_qc_reject(
    *, return_request: ReturnRequest, reason: str, actor: Actor, device: str = ""
) -> ReturnRequest:
    """QC rejects the slip instead of giving verdicts (e.g. the lines do not match the
    material returned); only a slip waiting for QC."""
    permission_require(actor, "returns.give_qc_verdict", _("give QC verdicts"))
    return_request = locked(return_request, actor=actor)
    ensure_transition(return_request, ReturnState.INSPECTED, _("rejected by QC"))
    ensure_not_applicant(return_request, actor, _("reject"))
    return rejection_apply(
        return_request,
        actor=actor,
        device=device,
        reason=reason_given(reason),
        action="qc_reject",
    )
