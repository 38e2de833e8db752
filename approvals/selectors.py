"""Reads about approval steps: whose inbox a step is in (R-A6) and what the approver needs to
see to decide it (request summary, routing context, earlier decisions).

The rule for *who may decide* mirrors ``approvals.services.acting_for``; the service stays the
authority when a decision is actually taken.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from approvals import registry
from approvals.models import ApprovalStep, Delegation, StepState, Tier, TierAssignment

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


# A step as the inbox shows it (page and API); related codes joined in the same query.
STEP_COLUMNS = (
    "id",
    "content_type_id",
    "object_id",
    "tier",
    "state",
    "round",
    "sequence",
    "workshop__code",
    "workshop__name",
    "requester__username",
    "policy__version",
    "context",
    "due_at",
    "decided_at",
)
HISTORY_COLUMNS = (
    "id",
    "content_type_id",
    "object_id",
    "round",
    "sequence",
    "tier",
    "state",
    "decided_by__username",
    "on_behalf_of__username",
    "decided_at",
    "comment",
)
TIERS, STATES = dict(Tier.choices), dict(StepState.choices)
# Joined columns → the names the page and the API read.
RENAMED = {
    "workshop__code": "workshop",
    "workshop__name": "workshop_name",
    "policy__version": "policy_version",
    "requester__username": "requester",
    "decided_by__username": "decided_by",
    "on_behalf_of__username": "on_behalf_of",
}


def inbox_for(*, user: AbstractBaseUser, today: date | None = None) -> QuerySet[ApprovalStep]:
    """PENDING steps ``user`` may decide now."""
    return steps_in_scope(user=user, today=today).filter(state=StepState.PENDING)


def step_values(steps: QuerySet[ApprovalStep]) -> QuerySet:
    """``steps`` as the dicts ``step_rows`` completes (to filter, order and page first)."""
    return steps.values(*STEP_COLUMNS)


def step_rows(steps: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page of ``step_values`` completed with what an approver needs to decide: the
    request (``registry.request_rows``: lines, attachments) and the decided steps of the
    same request (``history``). A fixed number of queries whatever the page size, and no
    model instances (issue #17: ~1,000 of them a page made the garbage collector the
    inbox's p95 tail).

    Keys are named as the model attributes the shared includes read
    (``get_tier_display``, ``decided_by``…)."""
    names = display_names()
    rows = [labelled(row, names) for row in steps]
    requests = {}
    for kind, ids in ids_by_kind(rows).items():
        for request_id, request in registry.request_rows(kind, ids).items():
            requests[request_content_type(kind).pk, request_id] = request
    history = decided_by_request(rows, names)
    for row in rows:
        key = row["content_type_id"], row["object_id"]
        row["request"], row["history"] = requests.get(key), history[key]
    return rows


def display_names() -> dict[str, dict[str, str]]:
    """Tier and state names in the active language, translated once, not once a row."""
    return {
        "tier": {code: str(name) for code, name in TIERS.items()},
        "state": {code: str(name) for code, name in STATES.items()},
    }


def labelled(row: dict[str, Any], names: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A step's values with the display names, joined columns renamed (``RENAMED``)."""
    for column, name in RENAMED.items():
        if column in row:
            row[name] = row.pop(column)
    row["get_tier_display"] = names["tier"].get(row["tier"], row["tier"])
    row["get_state_display"] = names["state"].get(row["state"], row["state"])
    return row


def ids_by_kind(rows: list[dict[str, Any]]) -> dict[str, list[int]]:
    kinds = {request_content_type(kind).pk: kind for kind in registry.MODELS}
    ids = defaultdict(list)
    for row in rows:
        ids[kinds[row["content_type_id"]]].append(row["object_id"])
    return ids


def decided_by_request(
    rows: list[dict[str, Any]], names: dict[str, dict[str, str]]
) -> dict[tuple[int, int], list[dict]]:
    """(content type, request id) → the decided steps of that request, as rows; one query."""
    history = defaultdict(list)
    by_type = defaultdict(set)
    for row in rows:
        by_type[row["content_type_id"]].add(row["object_id"])
    if not by_type:
        return history
    match = Q()
    for content_type_id, object_ids in by_type.items():
        match |= Q(content_type_id=content_type_id, object_id__in=object_ids)
    decided_steps = ApprovalStep.objects.filter(match, state__in=DECIDED)
    for decided in decided_steps.order_by("round", "sequence").values(*HISTORY_COLUMNS):
        history[decided["content_type_id"], decided["object_id"]].append(labelled(decided, names))
    return history
