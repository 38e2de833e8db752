"""The alert conditions (R-J2, R-W5, R-A7, R-L4, R-L5), one small finder each.

A finder returns the objects currently in its condition as ``Finding`` rows; ``alerts_sync``
raises an alert for each new one (``alert_raise`` ignores those already open) and clears the
open alerts whose object is no longer in the condition. Every finder reads in a fixed number
of queries, except the leftover one: the close-out rules cost a fixed number per completed
work order past its deadline (closed work orders drop out).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from alerts.models import Alert, AlertKind, AlertLevel
from alerts.services import alert_clear, alert_raise
from approvals.models import MATRIX_CHAIN, ApprovalStep, Delegation, StepState, Tier, TierAssignment
from core.fields import format_qty
from core.formatting import quantity
from inventory.models import Lot
from materials.models import Material
from returns.debt_selectors import open_debts
from returns.models import ReturnRequest, ReturnState
from workorders.closeout import (
    LEFTOVER_RETURN_HOURS,
    check_leftovers_returned,
    closeout_facts,
    leftover_deadline,
)
from workorders.models import MaterialIssue, WorkOrder, WorkOrderStatus

# Who hears about each condition besides the people named on the object (applicant, issuer).
ROLE_RECIPIENTS = {
    AlertKind.LEFTOVER_OVERDUE: ["team_leader", "clerk", "keeper"],
    AlertKind.RETURN_NOT_RECEIVED: ["keeper"],
    AlertKind.BORROW_OVERDUE: ["keeper", "material_control"],
    AlertKind.LOT_EXPIRING: ["keeper", "qc"],
    AlertKind.BELOW_SAFETY_STOCK: ["material_control"],
    AlertKind.REPLACEMENT_DEBT: ["material_control"],
}

# R-A7: an overdue approval escalates to the next tier up (the holders are notified; the
# step itself still waits for its own tier).
ESCALATE_TO = {
    **dict(zip(MATRIX_CHAIN, MATRIX_CHAIN[1:], strict=False)),
    Tier.SUPERVISOR: Tier.WORKSHOP_DIRECTOR,
    Tier.TECHNICAL: Tier.PRODUCTION_MANAGER,
    Tier.QC: Tier.PRODUCTION_MANAGER,
    Tier.MATERIAL_CONTROL: Tier.PRODUCTION_MANAGER,
    Tier.FINANCE: Tier.GM,
    Tier.DEPUTY_GM: Tier.GM,
}


@dataclass
class Finding:
    obj: object
    params: dict
    users: list = field(default_factory=list)


def when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def role_users(kind: str) -> list[User]:
    roles = ROLE_RECIPIENTS.get(kind, [])
    return list(get_user_model().objects.filter(is_active=True, groups__name__in=roles).distinct())


def object_url(obj: models.Model) -> str:
    """The object's own page where it has one, else its admin page (every kind has one)."""
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


# ---------------------------------------------------------------------------- finders


def leftover_overdue_findings(now: datetime) -> list[Finding]:
    """R-W5: completed more than 24 h ago with leftovers neither returned nor declared."""
    overdue = WorkOrder.objects.filter(
        status=WorkOrderStatus.COMPLETED,
        completed_at__lte=now - timedelta(hours=LEFTOVER_RETURN_HOURS),
    ).order_by("id")
    findings = []
    for work_order in overdue:
        returned, detail = check_leftovers_returned(closeout_facts(work_order))
        if returned:
            continue
        materials = ", ".join(
            f"{line['material']} {format_qty(line['quantity'])}" for line in detail["open"]
        )
        params = {
            "work_order": work_order.number,
            "completed_at": when(work_order.completed_at),
            "deadline": when(leftover_deadline(work_order)),
            "materials": materials,
        }
        findings.append(Finding(work_order, params))
    return findings


def return_not_received_findings(now: datetime) -> list[Finding]:
    """R-J2: approved returns the warehouse has not received within the SLA."""
    cutoff = now - timedelta(hours=settings.RETURN_RECEIPT_SLA_HOURS)
    waiting = ReturnRequest.objects.filter(
        state__in=[ReturnState.REVIEWED, ReturnState.INSPECTED], reviewed_at__lte=cutoff
    ).select_related("applicant")
    return [
        Finding(
            request,
            {"number": request.number, "reviewed_at": when(request.reviewed_at)},
            [request.applicant],
        )
        for request in waiting
    ]


def borrow_overdue_findings(now: datetime) -> list[Finding]:
    """R-W3: borrowed issues not regularised by their due time (24 h)."""
    overdue = MaterialIssue.objects.filter(
        is_borrowed=True, regularised_at__isnull=True, due_at__lte=now
    ).select_related("work_order", "issued_by")
    return [
        Finding(
            issue,
            {
                "number": issue.number,
                "work_order": issue.work_order.number,
                "due_at": when(issue.due_at),
            },
            [issue.issued_by],
        )
        for issue in overdue
    ]


def steps_overdue(cutoff: datetime) -> QuerySet[ApprovalStep]:
    """Pending steps whose due time is before ``cutoff``; a step without one is due
    APPROVAL_SLA_HOURS after it was opened."""
    sla = timedelta(hours=settings.APPROVAL_SLA_HOURS)
    return (
        ApprovalStep.objects.filter(state=StepState.PENDING)
        .filter(Q(due_at__lte=cutoff) | Q(due_at__isnull=True, created_at__lte=cutoff - sla))
        .select_related("workshop")
        .prefetch_related("request")
        .order_by("id")
    )


class TierDirectory:
    """Tier holders and their active delegates for a set of steps, read in two queries."""

    def __init__(self, tiers: Iterable[str], today: date) -> None:
        self.assignments = list(
            TierAssignment.objects.filter(tier__in=set(tiers)).select_related("user")
        )
        principals = {a.user_id for a in self.assignments}
        self.delegations = list(
            Delegation.objects.filter(
                principal__in=principals, starts__lte=today, ends__gte=today
            ).select_related("delegate")
        )

    def holders(self, tier: str, step: ApprovalStep) -> list[User]:
        """Who may decide ``tier`` for the step's workshop, never the requester (R-A6)."""
        return [
            a.user
            for a in self.assignments
            if a.tier == tier
            and a.workshop_id in (None, step.workshop_id)
            and a.user_id != step.requester_id
            and a.user.is_active
        ]

    def delegates(self, holders: Iterable[User], step: ApprovalStep) -> list[User]:
        ids = {user.pk for user in holders}
        return [
            d.delegate
            for d in self.delegations
            if d.principal_id in ids and d.delegate_id != step.requester_id
        ]


def step_params(step: ApprovalStep) -> dict[str, str]:
    return {
        "tier": str(step.get_tier_display()),
        "request": str(step.request),
        "due_at": when(step.due_at) if step.due_at else "",
    }


def approval_overdue_findings(now: datetime) -> list[Finding]:
    """R-A7: pending past the SLA: remind the tier holders and their active delegates."""
    steps = list(steps_overdue(now))
    directory = TierDirectory([step.tier for step in steps], timezone.localdate(now))
    findings = []
    for step in steps:
        holders = directory.holders(step.tier, step)
        findings.append(
            Finding(step, step_params(step), holders + directory.delegates(holders, step))
        )
    return findings


def approval_escalated_findings(now: datetime) -> list[Finding]:
    """R-A7: still pending APPROVAL_ESCALATE_HOURS after the due time: tell the next tier's
    holders and the active delegates of the current tier."""
    steps = list(steps_overdue(now - timedelta(hours=settings.APPROVAL_ESCALATE_HOURS)))
    tiers = [step.tier for step in steps] + [ESCALATE_TO.get(step.tier) for step in steps]
    directory = TierDirectory([tier for tier in tiers if tier], timezone.localdate(now))
    findings = []
    for step in steps:
        upper = ESCALATE_TO.get(step.tier)
        users = directory.holders(upper, step) if upper else []
        users += directory.delegates(directory.holders(step.tier, step), step)
        findings.append(Finding(step, step_params(step), users))
    return findings


def lot_expiring_findings(now: datetime) -> list[Finding]:
    """R-L5: lots expiring within EXPIRY_WARNING_DAYS (or already expired) still in stock."""
    limit = timezone.localdate(now) + timedelta(days=settings.EXPIRY_WARNING_DAYS)
    lots = (
        Lot.objects.filter(expiry_date__lte=limit)
        .annotate(on_hand=Sum("balances__quantity"))
        .filter(on_hand__gt=0)
        .select_related("material")
    )
    return [
        Finding(
            lot,
            {
                "batch_no": lot.batch_no,
                "material": lot.material.code,
                "expiry_date": lot.expiry_date.isoformat(),
                "on_hand": format_qty(lot.on_hand),
            },
        )
        for lot in lots
    ]


def below_safety_stock_findings(now: datetime) -> list[Finding]:
    """R-L4: on hand (all lots and locations) below safety stock, with the quantity to order
    to get back to it."""
    materials = (
        Material.objects.filter(is_active=True, daily_usage__gt=0)
        .filter(Q(lead_time_days__gt=0) | Q(emergency_purchase_days__gt=0))
        .annotate(on_hand=Coalesce(Sum("balances__quantity"), Decimal(0)))
    )
    return [
        Finding(
            material,
            {
                "material": material.code,
                "on_hand": format_qty(material.on_hand),
                "safety_stock": format_qty(material.safety_stock),
                "suggested": format_qty(material.safety_stock - material.on_hand),
            },
        )
        for material in materials
        if material.on_hand < material.safety_stock
    ]


REPLACEMENT_DEBT_HOURS = 24  # R-P5: the defective material follows its replacement within a day


def replacement_debt_findings(now: datetime) -> list[Finding]:
    """R-P5: replaced first more than 24 h ago and the defect return still not posted; the
    applicants of the replenishment and of the return hear of it."""
    debts = (
        open_debts()
        .filter(opened_at__lte=now - timedelta(hours=REPLACEMENT_DEBT_HOURS))
        .select_related(
            "citation__replenish_line__request__applicant",
            "citation__return_line__request__applicant",
        )
    )
    findings = []
    for debt in debts:
        replenishment = debt.citation.replenish_line.request
        slip = debt.citation.return_line.request
        unit = debt.citation.return_line.material.uom.code
        params = {
            "replenishment": str(replenishment),
            "return": str(slip),
            "material": debt.citation.return_line.material.code,
            "quantity": quantity(debt.quantity, unit),
            "open": quantity(debt.open_qty, unit),
            "opened_at": when(debt.opened_at),
        }
        users = list({user.pk: user for user in (replenishment.applicant, slip.applicant)}.values())
        findings.append(Finding(debt, params, users))
    return findings


# ---------------------------------------------------------------------------- running them

CONDITIONS = {
    AlertKind.LEFTOVER_OVERDUE: (leftover_overdue_findings, AlertLevel.WARNING),
    AlertKind.RETURN_NOT_RECEIVED: (return_not_received_findings, AlertLevel.WARNING),
    AlertKind.BORROW_OVERDUE: (borrow_overdue_findings, AlertLevel.WARNING),
    AlertKind.APPROVAL_OVERDUE: (approval_overdue_findings, AlertLevel.REMINDER),
    AlertKind.APPROVAL_ESCALATED: (approval_escalated_findings, AlertLevel.ESCALATION),
    AlertKind.LOT_EXPIRING: (lot_expiring_findings, AlertLevel.WARNING),
    AlertKind.BELOW_SAFETY_STOCK: (below_safety_stock_findings, AlertLevel.WARNING),
    AlertKind.REPLACEMENT_DEBT: (replacement_debt_findings, AlertLevel.WARNING),
}
HOURLY = [
    AlertKind.LEFTOVER_OVERDUE,
    AlertKind.RETURN_NOT_RECEIVED,
    AlertKind.BORROW_OVERDUE,
    AlertKind.APPROVAL_OVERDUE,
    AlertKind.APPROVAL_ESCALATED,
    AlertKind.REPLACEMENT_DEBT,
]
DAILY = [AlertKind.LOT_EXPIRING, AlertKind.BELOW_SAFETY_STOCK]


def alerts_sync(
    kind: str, findings: list[Finding], level: str = AlertLevel.WARNING
) -> tuple[int, int]:
    """Raise for new findings, clear open alerts of ``kind`` whose object left the
    condition. Returns ``(raised, cleared)`` counts."""
    open_alerts = {
        alert.object_id: alert for alert in Alert.objects.filter(kind=kind, cleared_at__isnull=True)
    }
    new = [finding for finding in findings if finding.obj.pk not in open_alerts]
    role_members = role_users(kind) if new else []
    for finding in new:
        alert_raise(
            kind=kind,
            obj=finding.obj,
            params=finding.params,
            users=finding.users + role_members,
            level=level,
            url=object_url(finding.obj),
        )
    current = {finding.obj.pk for finding in findings}
    stale = [alert for object_id, alert in open_alerts.items() if object_id not in current]
    for alert in stale:
        alert_clear(alert=alert)
    return len(new), len(stale)


def alerts_check(kinds: Iterable[str], now: datetime | None = None) -> dict[str, tuple[int, int]]:
    """Run the named conditions; ``{kind: (raised, cleared)}``."""
    now = now or timezone.now()
    results = {}
    for kind in kinds:
        finder, level = CONDITIONS[kind]
        results[kind] = alerts_sync(kind, finder(now), level)
    return results
