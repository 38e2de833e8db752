"""Requests with approval steps, built directly: these tests are about approvals, not about the
return/replenish flows (returns.services.common), so requests are plain rows and steps are opened
with the real ``approval_steps_open``."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.models import Delegation, Tier, TierAssignment
from approvals.policy import policy_publish
from approvals.registry import MODELS
from approvals.routing import active_policy, replenish_route
from approvals.services import approval_steps_open
from returns.models import (
    ReasonCode,
    ReplenishLine,
    ReplenishRequest,
    RequestKind,
    ReturnLine,
    ReturnRequest,
)
from tests.builders import released_work_order
from tests.factories import MaterialFactory, UserFactory, WorkshopFactory

LIMITED_TIERS = [
    Tier.WORKSHOP_DIRECTOR,
    Tier.PRODUCTION_MANAGER,
    Tier.PRODUCTION_DIRECTOR,
    Tier.EXECUTIVE_GM,
]
# SPEC R-A2, copied by hand (percent): the highest ratio each of the four tiers may approve.
SPEC_PERCENT = {
    ("A", "le1000"): (1, 3, 5, 10),
    ("A", "le5000"): (0.5, 1, 3, 5),
    ("A", "gt5000"): (0.2, 0.5, 1, 3),
    ("B", "le1000"): (2, 4, 8, 12),
    ("B", "le5000"): (1, 3, 5, 10),
    ("B", "gt5000"): (0.5, 2, 4, 8),
    ("C", "le1000"): (3, 5, 10, 15),
    ("C", "le5000"): (2, 4, 6, 10),
    ("C", "gt5000"): (1, 3, 5, 10),
}


def work_order(actor, number="WO-A1", workshop="WS1"):
    material = MaterialFactory()
    return released_work_order(
        actor,
        components=[(material, 1, 0)],
        number=number,
        planned_qty=1000,
        workshop=WorkshopFactory(code=workshop),
    )


def reason(kind, code):
    return ReasonCode.objects.get(kind=kind, code=code)


def replenish_request(applicant, order, *, qty=10, amount=25, code="OVER_QUOTA"):
    request = ReplenishRequest.objects.create(
        number=f"RP-T-{ReplenishRequest.objects.count() + 1:04d}",
        work_order=order,
        reason=reason(RequestKind.REPLENISH, code),
        applicant=applicant,
        amount=Decimal(amount),
        state="submitted",
    )
    ReplenishLine.objects.create(
        request=request, material=order.lines.first().material, quantity=Decimal(qty)
    )
    return request


def return_request(applicant, order, *, qty=5, code="LEFTOVER"):
    request = ReturnRequest.objects.create(
        number=f"RT-T-{ReturnRequest.objects.count() + 1:04d}",
        work_order=order,
        reason=reason(RequestKind.RETURN, code),
        applicant=applicant,
        state="submitted",
    )
    ReturnLine.objects.create(
        request=request, material=order.lines.first().material, quantity=Decimal(qty)
    )
    return request


def open_steps(request, tiers):
    """Open a round as real routing does: the active policy and its route as context."""
    route = replenish_route(approval_class="A", order_qty=1000, required_qty=1000, replenish_qty=10)
    return approval_steps_open(
        request=request,
        tiers=tiers,
        workshop=request.work_order.workshop,
        requester=request.applicant,
        policy=active_policy(),
        context=route.as_dict(),
    )


def client_for(user):
    client = APIClient(HTTP_X_DEVICE_ID="PC-3")
    client.force_authenticate(user)
    return client


def holds(user, tier, workshop=None):
    return TierAssignment.objects.create(user=user, tier=tier, workshop=workshop)


def delegate(principal, delegate_, *, starts=-1, ends=1):
    today = timezone.localdate()
    return Delegation.objects.create(
        principal=principal,
        delegate=delegate_,
        starts=today + timedelta(days=starts),
        ends=today + timedelta(days=ends),
    )


def three_pending_for(approver, requester):
    """Three pending workshop-director steps ``approver`` may decide, with tier assignments,
    delegations and policy versions for the list endpoints (three rows each)."""
    order = work_order(requester, number="WO-APPROVALS", workshop="WS-APPROVALS")
    holds(approver, Tier.WORKSHOP_DIRECTOR)
    for n in range(3):
        open_steps(replenish_request(requester, order), [Tier.WORKSHOP_DIRECTOR])
        deputy = UserFactory(username=f"deputy{n}")
        if n:
            holds(deputy, Tier.PRODUCTION_MANAGER, order.workshop)
        delegate(approver, deputy)
    for _ in range(2):
        policy_publish(version_data=policy_data(is_active=False), actor=approver)
    # Content types are cached per process; warm both request kinds as a running server has,
    # so a query count compares page sizes, not the cache.
    ContentType.objects.get_for_models(*MODELS.values())


def policy_data(percent=None, **overrides):
    """A full table for ``policy_publish``: ``percent`` maps (class, band) to the four limits
    in percent; the SPEC table when omitted."""
    percent = percent or SPEC_PERCENT
    return {
        "valuable_amount": Decimal("1000"),
        "bands": [
            {"code": "le1000", "upper_bound": Decimal("1000")},
            {"code": "le5000", "upper_bound": Decimal("5000")},
            {"code": "gt5000", "upper_bound": None},
        ],
        "cells": [
            {
                "approval_class": approval_class,
                "band": band,
                "tier": tier,
                "max_ratio": Decimal(str(limit)) / 100,
            }
            for (approval_class, band), limits in percent.items()
            for tier, limit in zip(LIMITED_TIERS, limits, strict=True)
        ],
        **overrides,
    }
