"""A replenishment raised and submitted through returns' services climbs the matrix chain
through the approvals inbox and API, and its last approval hands it back (R-A2, R-A3)."""

from decimal import Decimal

import pytest

from approvals.models import Tier
from returns.models import ReplenishState, RequestKind
from returns.services.replenish import replenish_create, replenish_submit
from tests.approvals.builders import client_for, holds, reason
from tests.builders import released_work_order
from tests.factories import MaterialFactory, UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def test_a_submitted_replenishment_is_approved_through_the_inbox(user):
    director, manager = UserFactory(username="dir1"), UserFactory(username="pm")
    workshop = WorkshopFactory(code="WS1")
    holds(director, Tier.WORKSHOP_DIRECTOR, workshop)
    holds(manager, Tier.PRODUCTION_MANAGER)
    tube = MaterialFactory(code="TUBE", approval_class="A")
    order = released_work_order(
        user, components=[(tube, 1, 0)], planned_qty=1000, workshop=workshop
    )
    workshop.members.add(user)  # the applicant works there
    request = replenish_create(
        work_order=order,
        reason=reason(RequestKind.REPLENISH, "OVER_QUOTA"),
        lines=[{"material": tube, "quantity": Decimal("30")}],  # exactly 3 % of 1000
        applicant=user,
    )
    request = replenish_submit(replenish_request=request, actor=user)
    chain = [Tier.WORKSHOP_DIRECTOR, Tier.PRODUCTION_MANAGER]

    for approver, tier in zip((director, manager), chain, strict=True):
        client = client_for(approver)
        [step] = client.get("/api/v1/approvals/").json()["results"]
        assert (step["tier"], step["request"]["number"]) == (tier, request.number)
        [line] = step["context"]["lines"]
        assert (line["ratio"], line["chain"]) == ("0.0300", chain)
        assert client.post(f"/api/v1/approvals/{step['id']}/approve/").status_code == 200

    request.refresh_from_db()
    assert request.state == ReplenishState.APPROVED
