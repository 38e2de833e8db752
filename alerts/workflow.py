"""Who is told of each workflow event (R-N1), heard from the lower apps' signals
(``alerts.receivers``) inside the transaction of the service that caused it.

- a step waiting for a decision: its tier's holders for the workshop (or plant-wide) and
  their active delegates, never the requester (R-A6);
- a request approved, rejected (by its approver, refused by the keeper or rejected by QC,
  each with the reason), posted or issued: its applicant;
- a return approved and waiting for QC: QC; waiting for receipt, received and waiting to be
  posted, or a replenishment waiting for issue: the keepers;
- a shortage slip opened: material control (fulfilled: the requester, ``alerts.services``);
- a month confirmed or reopened: those who may confirm and reopen months (finance).

Each notice links to its document: the request's page, or the page that acts on exactly
that request (QC's verdict form, the receipt form with the slip scanned in); a waiting step
links to the approver's inbox, which shows it to every holder and delegate (the request's
page is only for people of its workshop).

People told by role are only those who reach the request: a plant-wide role, or a member of
the request's workshop (``org.access``); the applicant is never told to act on their own
request (segregation of duties).
"""

from datetime import datetime
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone

from alerts.checks import TierDirectory
from alerts.services import workflow_notify
from approvals.models import ApprovalStep
from core.fields import format_qty
from finance.models import MonthEnd
from org.roles import PLANT_WIDE
from returns.models import (
    ReplenishRequest,
    ReplenishState,
    ReturnRequest,
    ReturnState,
    ShortageSlip,
    ShortageState,
)

QC_ROLES = ["qc"]
KEEPER_ROLES = ["keeper"]
MATERIAL_CONTROL_ROLES = ["material_control"]
MONTH_PERMISSION = "finance.confirm_month"
# How a request came back to its applicant (the audited action) -> what they are told.
REJECTIONS = {"refuse": "refused", "qc_reject": "qc_rejected"}


def role_members(roles: list[str], *, workshop_id: int, exclude: list[int]) -> list[User]:
    """Active users of ``roles`` who reach workshop ``workshop_id``."""
    reach = Q(groups__name__in=PLANT_WIDE) | Q(is_superuser=True) | Q(workshops=workshop_id)
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=roles)
        .filter(reach)
        .exclude(pk__in=exclude)
        .distinct()
        .order_by("pk")
    )


def request_params(slip: Model) -> dict[str, str]:
    """Its number and work order's (approvals may route other models: named as they print);
    "—" for a document of no work order (a supplier return, a scrap disposal)."""
    work_order = getattr(slip, "work_order", None)
    return {"request": str(slip), "work_order": getattr(work_order, "number", "") or "—"}


def request_event(slip: ReturnRequest | ReplenishRequest, message: str) -> str:
    """One event per request, message and submission (a resubmitted request is decided
    anew)."""
    submitted = slip.submitted_at.isoformat() if slip.submitted_at else ""
    return f"{slip._meta.label_lower}:{slip.pk}:{message}:{submitted}"


def applicant_tell(slip: ReturnRequest | ReplenishRequest, message: str, **extra: str) -> None:
    workflow_notify(
        users=[slip.applicant],
        message=message,
        params={**request_params(slip), **extra},
        event_key=request_event(slip, message),
        url=slip.get_absolute_url(),
    )


def role_tell(
    slip: ReturnRequest | ReplenishRequest, message: str, roles: list[str], url: str = ""
) -> None:
    workflow_notify(
        users=role_members(
            roles, workshop_id=slip.work_order.workshop_id, exclude=[slip.applicant_id]
        ),
        message=message,
        params=request_params(slip),
        event_key=request_event(slip, message),
        url=url or slip.get_absolute_url(),
    )


def step_pending_tell(*, step: ApprovalStep, request: Model) -> None:
    """The step's tier holders and their active delegates: it waits for them."""
    directory = TierDirectory([step.tier], timezone.localdate())
    holders = directory.holders(step.tier, step)
    delegates = [user for user in directory.delegates(holders, step) if user.is_active]
    workflow_notify(
        users=holders + delegates,
        message="step_waiting",
        params={**request_params(request), "tier": step.tier},
        event_key=f"approvals.approvalstep:{step.pk}",
        url=reverse("approvals:inbox"),  # where the step is, whatever the holder's workshops
    )


def return_state_tell(slip: ReturnRequest, state: str, action: str) -> None:
    if state == ReturnState.REVIEWED:
        applicant_tell(slip, "approved")
        role_tell(slip, "qc_waiting", QC_ROLES, reverse("returns:qc_verdict", args=[slip.pk]))
    elif state == ReturnState.INSPECTED:
        receipt = f"{reverse('returns:receiving')}?{urlencode({'slip': slip.number})}"
        role_tell(slip, "receipt_waiting", KEEPER_ROLES, receipt)
    elif state == ReturnState.RECEIVED:
        role_tell(slip, "post_waiting", KEEPER_ROLES)
    elif state == ReturnState.POSTED:
        applicant_tell(slip, "posted")
    elif state == ReturnState.REJECTED:
        applicant_tell(slip, REJECTIONS.get(action, "rejected"), reason=slip.rejection_reason)


def replenish_state_tell(slip: ReplenishRequest, state: str, action: str) -> None:
    if state == ReplenishState.APPROVED:
        applicant_tell(slip, "approved")
        role_tell(slip, "issue_waiting", KEEPER_ROLES)
    elif state == ReplenishState.ISSUED and action == "issue":
        applicant_tell(slip, "issued")  # a fulfilled shortage tells its own news (R-P4)
    elif state == ReplenishState.SHORT:
        slips = ShortageSlip.objects.filter(
            replenish_line__request=slip, state=ShortageState.OPEN
        ).order_by("pk")
        applicant_tell(slip, "issued_short", slips=", ".join(s.number for s in slips))
    elif state == ReplenishState.REJECTED:
        applicant_tell(slip, "rejected", reason=slip.rejection_reason)


def request_state_tell(*, slip: ReturnRequest | ReplenishRequest, state: str, action: str) -> None:
    if isinstance(slip, ReturnRequest):
        return_state_tell(slip, state, action)
    else:
        replenish_state_tell(slip, state, action)


def shortages_opened_tell(
    *, slips: list[ShortageSlip], replenish_request: ReplenishRequest
) -> None:
    """R-P4: material control chases what the warehouse could not issue."""
    users = role_members(
        MATERIAL_CONTROL_ROLES,
        workshop_id=replenish_request.work_order.workshop_id,
        exclude=[replenish_request.applicant_id],
    )
    for slip in slips:
        workflow_notify(
            users=users,
            message="shortage_opened",
            params={
                **request_params(replenish_request),
                "number": slip.number,
                "quantity": format_qty(slip.quantity),
                "material": slip.material.code,
            },
            event_key=f"returns.shortageslip:{slip.pk}:opened",
            url=slip.get_absolute_url(),
        )


def month_people() -> list[User]:
    """Who may confirm and reopen months (finance, superusers): they answer for the posting
    lock, and the month's page (the notice's link) is theirs."""
    return list(get_user_model().objects.with_perm(MONTH_PERMISSION).order_by("pk"))


def month_tell(month_end: MonthEnd, message: str, when: datetime, user: User, **extra) -> None:
    """One event per confirmation or reopening (a month may be locked and reopened again)."""
    workflow_notify(
        users=month_people(),
        message=message,
        params={"month": str(month_end), "user": user.get_username(), **extra},
        event_key=f"finance.monthend:{month_end.pk}:{message}:{when.isoformat()}",
        url=reverse("finance:month_end_detail", args=[month_end.month]),
    )


def month_confirmed_tell(*, month_end: MonthEnd) -> None:
    month_tell(month_end, "month_confirmed", month_end.confirmed_at, month_end.confirmed_by)


def month_reopened_tell(*, month_end: MonthEnd) -> None:
    """With who and why (issue #15)."""
    month_tell(
        month_end,
        "month_reopened",
        month_end.reopened_at,
        month_end.reopened_by,
        reason=month_end.reopen_reason,
    )
