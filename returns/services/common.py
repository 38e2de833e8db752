"""What return and replenish requests share (R-R3): the row lock, the state check against
the one transitions map per model, the audited state change, the approval decision, and
rejection and cancellation.

The request-specific services live in the other modules of ``returns.services``; they
build on these helpers so each rule has one place.
Lock order: the request row, then the work order, then stock rows (``ledger_post``), then
the document-number sequence, then the audit chain (``audit_record`` always last).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import StepState
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
from core.transactions import atomic_service
from returns.models import (
    REPLENISH_TRANSITIONS,
    RETURN_TRANSITIONS,
    ReplenishRequest,
    ReplenishState,
    ReturnRequest,
    ReturnState,
    Verdict,
)
from workorders.models import WorkOrder

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


def locked(request, *, actor):
    """The request row under ``select_for_update`` (only its own row, not the joined ones),
    if ``actor`` reaches it: anyone else gets the 404 of an unknown id before any state
    check could tell them about it (``request_scope_require``; the system passes)."""
    request = (
        type(request)
        .objects.select_for_update(of=("self",))
        .select_related("work_order__workshop", "reason", "applicant")
        .get(pk=request.pk)
    )
    request_scope_require(request=request, actor=actor)
    return request


def work_order_locked(work_order):
    return WorkOrder.objects.select_for_update().get(pk=work_order.pk)


def ensure_transition(request, target, action):
    """A wrong-state call is a 409 that names the state (STYLE "State machines")."""
    if target not in TRANSITIONS[type(request)][request.state]:
        raise StateConflict(
            WRONG_STATE,
            params={
                "request": str(request),
                "state": request.get_state_display(),
                "action": action,
            },
        )


def ensure_applicant(request, actor, action):
    if actor.pk != request.applicant_id and not actor.is_superuser:
        raise PermissionDenied(NOT_APPLICANT % {"request": request, "action": action})


def ensure_not_applicant(request, actor, action):
    """Segregation of duties (issue #7): the applicant never inspects, receives, posts,
    issues or confirms their own request — superusers included."""
    if actor.pk == request.applicant_id:
        raise StateConflict(OWN_REQUEST_DUTY, params={"request": str(request), "action": action})


def validate_reason(reason, kind):
    if reason.kind != kind:
        raise ValidationError({"reason": REASON_WRONG_KIND % {"reason": reason.code, "kind": kind}})
    if not reason.is_active:
        raise ValidationError({"reason": REASON_INACTIVE % {"reason": reason.code}})


def snapshot(request):
    return {
        "state": request.state,
        "number": request.number,
        "rejection_reason": request.rejection_reason,
    }


def audit(request, *, actor, device, action, before=None, details=None):
    """The audit row of a request service; call it last."""
    audit_record(
        actor=actor,
        device=device,
        action=f"{AUDIT_PREFIX[type(request)]}.{action}",
        obj=request,
        before=before,
        after={**snapshot(request), **(details or {})},
    )


def state_change(request, state, *, actor, device, action, details=None, **fields):
    """Set the new state and fields, save and audit; the caller checked the move."""
    before = snapshot(request)
    request.state = state
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["state", *fields, "updated_at"])
    audit(request, actor=actor, device=device, action=action, before=before, details=details)
    return request


def request_submit(request, *, actor, device, tiers, policy=None, context=None):
    """R-R3/R-A3: number on the first submit only (gap-free, the sequence row stays locked
    until commit), a new round of approval steps, rejection reason cleared."""
    states = STATES[type(request)]
    ensure_transition(request, states.SUBMITTED, _("submitted"))
    ensure_applicant(request, actor, _("submit"))
    number = request.number or document_number_next(prefix=NUMBER_PREFIX[type(request)])
    approval_steps_open(
        request=request,
        tiers=tiers,
        workshop=request.work_order.workshop,
        requester=request.applicant,
        policy=policy,
        context=context,
    )
    return state_change(
        request,
        states.SUBMITTED,
        actor=actor,
        device=device,
        action="submit",
        details={"tiers": [str(tier) for tier in tiers]},
        number=number,
        submitted_at=timezone.now(),
        rejection_reason="",
    )


@atomic_service
def request_decide(*, request, actor, approve=True, comment="", device=""):
    """Decide the request's current approval step; the handlers move the request."""
    request = locked(request, actor=actor)
    ensure_transition(request, APPROVED[type(request)][0], _("approved or rejected"))
    step = steps_of(request).filter(state=StepState.PENDING).order_by("round", "sequence").first()
    if step is None:
        raise StateConflict(NO_PENDING_STEP, params={"request": str(request)})
    approval_decide(step=step, actor=actor, approve=approve, comment=comment, device=device)
    return type(request).objects.get(pk=request.pk)


def request_approved(request, actor, device):
    """Approval handler: the last step approved (the request is locked by approvals)."""
    state, stamp = APPROVED[type(request)]
    ensure_transition(request, state, _("approved"))
    return state_change(
        request, state, actor=actor, device=device, action="approve", **{stamp: timezone.now()}
    )


def rejection_apply(request, *, actor, device, reason, action="reject", details=None):
    """Back to the applicant with a reason; open approval steps are closed (R-R3)."""
    rejected = STATES[type(request)].REJECTED
    ensure_transition(request, rejected, _("rejected"))
    approval_steps_cancel(request=request)
    return state_change(
        request,
        rejected,
        actor=actor,
        device=device,
        action=action,
        details=details,
        rejection_reason=reason[:500],
    )


def request_rejected(request, actor, device, comment):
    """Approval handler: a step was rejected with ``comment``."""
    return rejection_apply(request, actor=actor, device=device, reason=comment)


@atomic_service
def request_reject(*, request, actor, reason, device=""):
    request = locked(request, actor=actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": REJECTION_REASON_REQUIRED})
    return rejection_apply(request, actor=actor, device=device, reason=reason.strip())


@atomic_service
def request_cancel(*, request, actor, device=""):
    """Withdraw a request before it moved stock; its open approval steps are closed."""
    request = locked(request, actor=actor)
    cancelled = STATES[type(request)].CANCELLED
    ensure_transition(request, cancelled, _("cancelled"))
    ensure_applicant(request, actor, _("cancel"))
    approval_steps_cancel(request=request)
    return state_change(request, cancelled, actor=actor, device=device, action="cancel")
