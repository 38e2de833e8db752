"""What return and replenish requests share (R-R3): the row lock, the state check against
the one transitions map per model, the audited state change, the approval decision, and
rejection and cancellation.

The request-specific services live in the other modules of ``returns.services``; they
build on these helpers so each rule has one place.
Lock order: the request row, then the work order, then stock rows (``ledger_post``), then
the document-number sequence, then the audit chain (``audit_record`` always last).
"""

from typing import Any, TypeVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import PolicyVersion, StepState
from approvals.services import (
    approval_decide,
    approval_steps_cancel,
    approval_steps_open,
    request_scope_require,
    steps_of,
)
from audit.services import audit_record
from core.errors import StateConflict
from core.services import document_number_next
from core.states import transition_require
from core.transactions import atomic_service
from returns.models import (
    REPLENISH_TRANSITIONS,
    RETURN_TRANSITIONS,
    ReasonCode,
    ReplenishRequest,
    ReplenishState,
    ReturnRequest,
    ReturnState,
    Verdict,
)
from returns.signals import request_state_changed
from workorders.models import WorkOrder

Actor = AbstractUser  # the user acting; ``None`` where the system acts (approval handlers)
Request = ReturnRequest | ReplenishRequest  # either kind: the common services call it ``slip``
R = TypeVar("R", ReturnRequest, ReplenishRequest)

WRONG_STATE = _("%(request)s is %(state)s: it cannot be %(action)s.")
NOT_APPLICANT = _("Only the applicant of %(request)s can %(action)s it.")
OWN_REQUEST_DUTY = _(
    "You applied for %(request)s: someone else must %(action)s it (segregation of duties)."
)
REJECTION_REASON_REQUIRED = _("Give a reason for the rejection.")
NO_PENDING_STEP = _("%(request)s has no approval step waiting for a decision.")
NO_LINES = _("Give at least one line.")
REASON_WRONG_KIND = _("Reason %(reason)s is not a %(kind)s reason.")
REASON_INACTIVE = _("Reason %(reason)s is no longer in use.")

# R-R4: verdicts of failed material; only these returns can be replaced one-for-one (R-P2).
DEFECT_VERDICTS = {Verdict.SUPPLIER_DEFECT, Verdict.PROCESS_DEFECT}
TRANSITIONS = {ReturnRequest: RETURN_TRANSITIONS, ReplenishRequest: REPLENISH_TRANSITIONS}
STATES = {ReturnRequest: ReturnState, ReplenishRequest: ReplenishState}
# The state the last approval moves a request to, and the time stamp it sets.
APPROVED = {
    ReturnRequest: (ReturnState.REVIEWED, "reviewed_at"),
    ReplenishRequest: (ReplenishState.APPROVED, "approved_at"),
}
AUDIT_PREFIX = {ReturnRequest: "return", ReplenishRequest: "replenish"}
NUMBER_PREFIX = {ReturnRequest: "RT", ReplenishRequest: "RP"}


def locked(slip: R, *, actor: Actor) -> R:
    """The request row under ``select_for_update`` (only its own row, not the joined ones),
    if ``actor`` reaches it: anyone else gets the 404 of an unknown id before any state
    check could tell them about it (``request_scope_require``; the system passes)."""
    slip = (
        type(slip)
        .objects.select_for_update(of=("self",))
        .select_related("work_order__workshop", "reason", "applicant")
        .get(pk=slip.pk)
    )
    request_scope_require(request=slip, actor=actor)
    return slip


def work_order_locked(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=work_order.pk)


def wrong_state_params(slip: Request, action: str) -> dict:
    return {"request": str(slip), "state": slip.get_state_display(), "action": action}


def ensure_transition(slip: Request, target: str, action: str) -> None:
    """A wrong-state call is a 409 that names the state (STYLE "State machines")."""
    transition_require(
        slip,
        target,
        TRANSITIONS[type(slip)],
        message=WRONG_STATE,
        params=wrong_state_params(slip, action),
    )


def ensure_applicant(slip: Request, actor: Actor, action: str) -> None:
    if actor.pk != slip.applicant_id and not actor.is_superuser:
        raise PermissionDenied(NOT_APPLICANT % {"request": slip, "action": action})


def ensure_not_applicant(slip: Request, actor: Actor, action: str) -> None:
    """Segregation of duties (issue #7): the applicant never inspects, receives, posts,
    issues or confirms their own request — superusers included."""
    if actor.pk == slip.applicant_id:
        raise StateConflict(OWN_REQUEST_DUTY, params={"request": str(slip), "action": action})


def validate_reason(reason: ReasonCode, kind: str) -> None:
    if reason.kind != kind:
        raise ValidationError({"reason": REASON_WRONG_KIND % {"reason": reason.code, "kind": kind}})
    if not reason.is_active:
        raise ValidationError({"reason": REASON_INACTIVE % {"reason": reason.code}})


def snapshot(slip: Request) -> dict:
    return {
        "state": slip.state,
        "number": slip.number,
        "rejection_reason": slip.rejection_reason,
    }


def audit(
    slip: Request,
    *,
    actor: Actor | None,
    device: str,
    action: str,
    before: dict | None = None,
    details: dict | None = None,
) -> None:
    """The audit row of a request service; call it last."""
    audit_record(
        actor=actor,
        device=device,
        action=f"{AUDIT_PREFIX[type(slip)]}.{action}",
        obj=slip,
        before=before,
        after={**snapshot(slip), **(details or {})},
    )


def state_change(
    slip: R,
    state: str,
    *,
    actor: Actor | None,
    device: str,
    action: str,
    details: dict | None = None,
    announce: bool = True,
    **fields: Any,
) -> R:
    """Set the new state and fields, save and audit; the caller checked the move. Without
    ``announce`` nobody is told of the state (a step the same transaction moves past)."""
    before = snapshot(slip)
    slip.state = state
    for name, value in fields.items():
        setattr(slip, name, value)
    slip.save(update_fields=["state", *fields, "updated_at"])
    if announce:
        request_state_changed.send(
            sender=type(slip), slip=slip, state=state, action=action, actor=actor
        )  # R-N1
    audit(slip, actor=actor, device=device, action=action, before=before, details=details)
    return slip


def request_submit(
    slip: R,
    *,
    actor: Actor,
    device: str,
    tiers: list[str],
    policy: PolicyVersion | None = None,
    context: dict | None = None,
) -> R:
    """R-R3/R-A3: number on the first submit only (gap-free, the sequence row stays locked
    until commit), a new round of approval steps, rejection reason cleared."""
    states = STATES[type(slip)]
    ensure_transition(slip, states.SUBMITTED, _("submitted"))
    ensure_applicant(slip, actor, _("submit"))
    # Numbered before its steps open: the approvers are told the number.
    slip.number = slip.number or document_number_next(prefix=NUMBER_PREFIX[type(slip)])
    approval_steps_open(
        request=slip,
        tiers=tiers,
        workshop=slip.work_order.workshop,
        requester=slip.applicant,
        policy=policy,
        context=context,
    )
    return state_change(
        slip,
        states.SUBMITTED,
        actor=actor,
        device=device,
        action="submit",
        details={"tiers": [str(tier) for tier in tiers]},
        number=slip.number,
        submitted_at=timezone.now(),
        rejection_reason="",
    )


@atomic_service
def request_decide(
    *, slip: R, actor: Actor, approve: bool = True, comment: str = "", device: str = ""
) -> R:
    """Decide the request's current approval step; the handlers move the request."""
    slip = locked(slip, actor=actor)
    ensure_transition(slip, APPROVED[type(slip)][0], _("approved or rejected"))
    step = steps_of(slip).filter(state=StepState.PENDING).order_by("round", "sequence").first()
    if step is None:
        raise StateConflict(NO_PENDING_STEP, params={"request": str(slip)})
    approval_decide(step=step, actor=actor, approve=approve, comment=comment, device=device)
    return type(slip).objects.get(pk=slip.pk)


def request_approved(slip: R, actor: Actor | None, device: str) -> R:
    """Approval handler: the last step approved (the request is locked by approvals)."""
    state, stamp = APPROVED[type(slip)]
    ensure_transition(slip, state, _("approved"))
    return state_change(
        slip, state, actor=actor, device=device, action="approve", **{stamp: timezone.now()}
    )


def rejection_apply(
    slip: R,
    *,
    actor: Actor | None,
    device: str,
    reason: str,
    action: str = "reject",
    details: dict | None = None,
) -> R:
    """Back to the applicant with a reason; open approval steps are closed (R-R3)."""
    rejected = STATES[type(slip)].REJECTED
    ensure_transition(slip, rejected, _("rejected"))
    approval_steps_cancel(request=slip)
    return state_change(
        slip,
        rejected,
        actor=actor,
        device=device,
        action=action,
        details=details,
        rejection_reason=reason[:500],
    )


def request_rejected(slip: R, actor: Actor | None, device: str, comment: str) -> R:
    """Approval handler: a step was rejected with ``comment``."""
    return rejection_apply(slip, actor=actor, device=device, reason=comment)


@atomic_service
def request_reject(*, slip: R, actor: Actor, reason: str, device: str = "") -> R:
    slip = locked(slip, actor=actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": REJECTION_REASON_REQUIRED})
    return rejection_apply(slip, actor=actor, device=device, reason=reason.strip())


@atomic_service
def request_cancel(*, slip: R, actor: Actor, device: str = "") -> R:
    """Withdraw a request before it moved stock; its open approval steps are closed."""
    slip = locked(slip, actor=actor)
    cancelled = STATES[type(slip)].CANCELLED
    ensure_transition(slip, cancelled, _("cancelled"))
    ensure_applicant(slip, actor, _("cancel"))
    approval_steps_cancel(request=slip)
    return state_change(slip, cancelled, actor=actor, device=device, action="cancel")
