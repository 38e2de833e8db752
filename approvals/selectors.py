"""Reads about approval steps: whose inbox a step is in (R-A6) and what the approver needs to
see to decide it (request summary, routing context, earlier decisions).

The rule for *who may decide* mirrors ``approvals.services.acting_for``; the service stays the
authority when a decision is actually taken.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from approvals import registry
from approvals.models import ApprovalStep, Delegation, StepState, TierAssignment

DECIDED = [StepState.APPROVED, StepState.REJECTED]


def request_content_type(kind: str) -> ContentType:
    return ContentType.objects.get_for_model(registry.MODELS[kind])


def steps_in_scope(*, user: AbstractBaseUser, today: date | None = None) -> QuerySet[ApprovalStep]:
    """Steps of any state whose tier ``user`` holds for the step's workshop (or plant-wide),
    in person or for a principal who delegated to them for ``today``; never their own
    requests, nor a delegation from the requester (R-A6)."""
    today = today or timezone.localdate()
    holders = TierAssignment.objects.filter(tier=OuterRef("tier")).filter(
        Q(workshop=OuterRef("workshop")) | Q(workshop__isnull=True)
    )
    principals = Delegation.objects.filter(
        delegate=user, starts__lte=today, ends__gte=today
    ).values("principal")
    delegated = holders.filter(user__in=principals).exclude(user=OuterRef("requester"))
    return (
        ApprovalStep.objects.exclude(requester=user)
        .filter(Exists(holders.filter(user=user)) | Exists(delegated))
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


def holds_any_tier(*, user: AbstractBaseUser, today: date | None = None) -> bool:
    """Whether ``user`` holds some tier, in person or by a delegation valid ``today``."""
    today = today or timezone.localdate()
    return (
        TierAssignment.objects.filter(user=user).exists()
        or Delegation.objects.filter(delegate=user, starts__lte=today, ends__gte=today).exists()
    )


def with_request(steps: QuerySet[ApprovalStep]) -> QuerySet[ApprovalStep]:
    """Prefetch each step's request with what a decision needs (lines, attachments), in a
    fixed number of queries."""
    return steps.select_related("workshop", "policy", "requester").prefetch_related(
        GenericPrefetch("request", registry.decision_querysets())
    )


def inbox_for(*, user: AbstractBaseUser, today: date | None = None) -> QuerySet[ApprovalStep]:
    """PENDING steps ``user`` may decide now, with their requests prefetched."""
    return with_request(steps_in_scope(user=user, today=today).filter(state=StepState.PENDING))


def decided_steps() -> QuerySet[ApprovalStep]:
    return (
        ApprovalStep.objects.filter(state__in=DECIDED)
        .select_related("decided_by", "on_behalf_of")
        .order_by("round", "sequence")
    )


def attach_history(steps: Iterable[ApprovalStep]) -> list[ApprovalStep]:
    """Set ``step.history`` (decided steps of the same request) on each step, in one query."""
    steps = list(steps)
    by_type = defaultdict(set)
    for step in steps:
        by_type[step.content_type_id].add(step.object_id)
    history = defaultdict(list)
    if by_type:
        match = Q()
        for content_type_id, object_ids in by_type.items():
            match |= Q(content_type_id=content_type_id, object_id__in=object_ids)
        for decided in decided_steps().filter(match):
            history[decided.content_type_id, decided.object_id].append(decided)
    for step in steps:
        step.history = history[step.content_type_id, step.object_id]
    return steps
