"""Opening and deciding approval steps (R-A3, R-A6, R-A7).

Lock order everywhere: the request row first, then its steps, then the audit chain.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import ApprovalStep, Delegation, PolicyVersion, StepState, TierAssignment
from approvals.registry import handlers_for
from approvals.signals import step_pending
from audit.services import audit_record
from core.errors import StateConflict
from core.transactions import atomic_service
from org.access import in_scope, not_found
from org.models import Workshop

STEP_DECIDED = _("This approval step was already decided (%(state)s).")
STEP_NOT_CURRENT = _("An earlier approval step of %(request)s is still open.")
OWN_REQUEST = _("You cannot decide on your own request.")
NOT_YOUR_TIER = _(
    "You do not hold the %(tier)s tier for workshop %(workshop)s, "
    "nor a delegation from someone who does."
)
COMMENT_REQUIRED = _("Give a reason when rejecting.")


def steps_of(request: Model) -> QuerySet[ApprovalStep]:
    content_type = ContentType.objects.get_for_model(request)
    return ApprovalStep.objects.filter(content_type=content_type, object_id=request.pk)


def sla_due(policy: PolicyVersion | None, now: datetime) -> datetime:
    hours = policy.sla_hours if policy else 24
    return now + timedelta(hours=hours)


@atomic_service
def approval_steps_open(
    *,
    request: Model,
    tiers: Iterable[str],
    workshop: Workshop | None,
    requester: AbstractBaseUser,
    policy: PolicyVersion | None = None,
    context: dict[str, Any] | None = None,
) -> list[ApprovalStep]:
    """Start a new round of steps for ``request``: the first pending, the rest waiting."""
    steps = steps_of(request)
    steps.filter(state__in=[StepState.WAITING, StepState.PENDING]).update(state=StepState.CANCELLED)
    last_round = steps.order_by("-round").values_list("round", flat=True).first() or 0
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(request)
    opened = ApprovalStep.objects.bulk_create(
        [
            ApprovalStep(
                content_type=content_type,
                object_id=request.pk,
                round=last_round + 1,
                sequence=index,
                tier=tier,
                workshop=workshop,
                requester=requester,
                policy=policy,
                context=context or {},
                state=StepState.PENDING if index == 1 else StepState.WAITING,
                due_at=sla_due(policy, now) if index == 1 else None,
            )
            for index, tier in enumerate(tiers, start=1)
        ]
    )
    if opened:
        step_pending.send(sender=ApprovalStep, step=opened[0], request=request)
    return opened


def tier_holders_q(tier: str, workshop: Workshop | int | None) -> Q:
    return Q(tier=tier) & (Q(workshop=workshop) | Q(workshop__isnull=True))


def acting_for(
    *, user: AbstractBaseUser, step: ApprovalStep, today: date | None = None
) -> AbstractBaseUser | None:
    """Whom ``user`` signs for: ``None`` for themself, the principal when delegated.

    Raises ``StateConflict`` when the user may not decide this step (R-A6).
    """
    today = today or timezone.localdate()
    if user.pk == step.requester_id:
        raise StateConflict(OWN_REQUEST)
    holders = TierAssignment.objects.filter(tier_holders_q(step.tier, step.workshop_id))
    if holders.filter(user=user).exists():
        return None
    delegation = (
        Delegation.objects.filter(
            delegate=user, starts__lte=today, ends__gte=today, principal__in=holders.values("user")
        )
        .exclude(principal_id=step.requester_id)
        .select_related("principal")
        .first()
    )
    if delegation is None:
        raise StateConflict(
            NOT_YOUR_TIER,
            params={
                "tier": step.get_tier_display(),
                "workshop": step.workshop.code if step.workshop else _("plant-wide"),
            },
        )
    return delegation.principal


def approves_in(*, user: AbstractBaseUser, workshop_id: int, today: date | None = None) -> bool:
    """Whether ``user`` holds some tier for the workshop (or plant-wide), in person or by a
    delegation valid ``today``."""
    today = today or timezone.localdate()
    principals = Delegation.objects.filter(
        delegate=user, starts__lte=today, ends__gte=today
    ).values("principal")
    return TierAssignment.objects.filter(
        Q(workshop_id=workshop_id) | Q(workshop__isnull=True),
        Q(user=user) | Q(user__in=principals),
    ).exists()


def request_scope_require(
    *, request: Model, actor: AbstractBaseUser | None, model: type[Model] | None = None
) -> None:
    """Object scope in depth (issue #7): a person acts only on a request they reach — one
    they applied for, one of their workshops (``org.access.in_scope``) or of a workshop they
    approve for. Any other raises the 404 of an unknown ``model`` id (default: the request's).
    ``actor=None`` is the system (Celery, commands): no check."""
    if actor is None or actor.pk == request.applicant_id:
        return
    # A plant-wide document (a supplier return) has no work order: plant-wide people only.
    work_order = getattr(request, "work_order", None)
    workshop_id = work_order.workshop_id if work_order else None
    if not (in_scope(actor, workshop_id) or approves_in(user=actor, workshop_id=workshop_id)):
        raise not_found(model or type(request))


def lock_request(step: ApprovalStep) -> Model:
    model = step.content_type.model_class()
    return model.objects.select_for_update().get(pk=step.object_id)


@atomic_service
def approval_decide(
    *,
    step: ApprovalStep,
    actor: AbstractBaseUser,
    approve: bool,
    comment: str = "",
    device: str = "",
) -> ApprovalStep:
    """Approve or reject the current step of a request.

    Enforces object scope (an actor who does not reach the request gets a 404, as for an
    unknown step), order, tier or delegation, and no self-approval. The last approval, or any
    rejection, is handed to the request's registered handler in the same transaction.
    """
    request = lock_request(step)
    request_scope_require(request=request, actor=actor, model=ApprovalStep)
    step = (
        ApprovalStep.objects.select_for_update(of=("self",))
        .select_related("workshop")
        .get(pk=step.pk)
    )
    if step.state == StepState.WAITING:
        raise StateConflict(STEP_NOT_CURRENT, params={"request": request})
    if step.state != StepState.PENDING:
        raise StateConflict(STEP_DECIDED, params={"state": step.get_state_display()})
    if not approve and not comment.strip():
        raise ValidationError({"comment": COMMENT_REQUIRED})
    on_behalf_of = acting_for(user=actor, step=step)
    now = timezone.now()
    step.state = StepState.APPROVED if approve else StepState.REJECTED
    step.decided_by, step.on_behalf_of, step.decided_at = actor, on_behalf_of, now
    step.comment = comment
    step.save(update_fields=["state", "decided_by", "on_behalf_of", "decided_at", "comment"])
    later = steps_of(request).filter(round=step.round, sequence__gt=step.sequence)
    approved, rejected = handlers_for(request)
    if not approve:
        later.update(state=StepState.CANCELLED)
        rejected(request, actor, device, comment)
    else:
        following = later.order_by("sequence").first()
        if following is None:
            approved(request, actor, device)
        else:
            following.state, following.due_at = StepState.PENDING, sla_due(step.policy, now)
            following.save(update_fields=["state", "due_at"])
            step_pending.send(sender=ApprovalStep, step=following, request=request)
    audit_record(
        actor=actor,
        device=device,
        action=f"approval.{step.state}",
        obj=step,
        after={
            "request": str(request),
            "tier": step.tier,
            "round": step.round,
            "sequence": step.sequence,
            "comment": comment,
            "on_behalf_of": on_behalf_of.username if on_behalf_of else None,
            "policy_version": step.policy.version if step.policy else None,
        },
    )
    return step


@atomic_service
def approval_steps_cancel(*, request: Model) -> int:
    """Close the open steps of a cancelled request (the caller holds its lock and audits)."""
    return (
        steps_of(request)
        .filter(state__in=[StepState.WAITING, StepState.PENDING])
        .update(state=StepState.CANCELLED)
    )
