"""R-A2 (sharpened): the ratio that routes a replenishment is cumulative per work order and
material — everything replenished (issued) or pending (submitted, approved, issued short) for
that order and material, this request included, ÷ what the order needs (normal loss
excluded). Splitting a request never lowers the approver (seed 002 审批权限表 说明).

The order: 1,000 chairs × 1 rod of class A, so 1,000 rods needed, in the ≤ 1,000 band where
the workshop director approves up to 1 % (10 rods) and the production manager up to 3 %.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from approvals.models import ApprovalStep, StepState, Tier
from approvals.routing import route_display
from approvals.services import approval_decide, steps_of
from audit.models import AuditEvent
from returns.models import ReplenishState
from returns.selectors import replenish_routing_preview
from returns.services.issuing import replenish_issue
from returns.services.replenish import replenish_cancel, replenish_submit
from tests.approvals.builders import SPEC_PERCENT, policy_data
from tests.builders import receive, released_work_order
from tests.factories import MaterialFactory
from tests.returns.builders import (
    approve_all,
    keeper_user,
    line,
    pending_step,
    reason,
    replenishment,
    tier_holder,
)

pytestmark = pytest.mark.django_db

WD, PM = Tier.WORKSHOP_DIRECTOR, Tier.PRODUCTION_MANAGER
NEEDED = Decimal(1000)
# The seed's matrix (tests/approvals/builders.py): class A, order ≤ 1,000.
DIRECTOR_LIMIT, MANAGER_LIMIT = (Decimal(str(p)) / 100 for p in SPEC_PERCENT[("A", "le1000")][:2])


@pytest.fixture
def rod(user, shelf):
    material = MaterialFactory(code="ROD", approval_class="A")
    receive(material, shelf, 500, user)
    return material


@pytest.fixture
def order(user, rod, workshop):
    return released_work_order(
        user, components=[(rod, 1, 0)], planned_qty=NEEDED, number="WO-CUM", workshop=workshop
    )


def submitted(order, clerk, material, quantity):
    request = replenishment(order, clerk, [line(material, quantity)])
    return replenish_submit(replenish_request=request, actor=clerk)


def chain(request):
    return [step.tier for step in steps_of(request).order_by("round", "sequence")]


def route_of(request):
    [route] = steps_of(request).order_by("-round", "sequence").first().context["lines"]
    return route


def test_three_4_unit_requests_route_like_one_12_unit_request(user, clerk, rod, order, workshop):
    assert 8 / NEEDED <= DIRECTOR_LIMIT < 12 / NEEDED <= MANAGER_LIMIT
    first, second, third = (submitted(order, clerk, rod, 4) for _ in range(3))
    assert (chain(first), chain(second)) == ([WD], [WD])
    assert chain(third) == [WD, PM]  # 12 of 1,000 = 1.2 % > the director's 1 %

    whole_order = released_work_order(
        user, components=[(rod, 1, 0)], planned_qty=NEEDED, number="WO-ONE", workshop=workshop
    )
    assert chain(submitted(whole_order, clerk, rod, 12)) == chain(third)

    route = route_of(third)
    assert {
        key: route[key] for key in ("ratio", "request_ratio", "prior_qty", "cumulative_qty")
    } == {
        "ratio": "0.0120",
        "request_ratio": "0.0040",
        "prior_qty": "8.0000",
        "cumulative_qty": "12.0000",
    }
    with translation.override("en"):
        assert route_display(route)["ratio"] == "this request 0.4 %, order total 1.2 %"
    with translation.override("zh-hans"):
        assert route_display(route)["ratio"] == "本单 0.4 %，订单累计 1.2 %"


@pytest.mark.parametrize("state", [ReplenishState.APPROVED, ReplenishState.ISSUED])
def test_a_request_after_an_approved_or_issued_one_includes_it(clerk, rod, order, state):
    earlier = submitted(order, clerk, rod, 8)
    approve_all(earlier)
    if state == ReplenishState.ISSUED:
        replenish_issue(replenish_request=earlier, actor=keeper_user())
    earlier.refresh_from_db()
    assert earlier.state == state
    later = submitted(order, clerk, rod, 4)
    assert chain(later) == [WD, PM]
    assert route_of(later)["prior_qty"] == "8.0000"


def test_rejected_cancelled_and_draft_requests_do_not_count(clerk, rod, order, workshop):
    rejected = submitted(order, clerk, rod, 8)
    approval_decide(
        step=pending_step(rejected),
        actor=tier_holder(WD, workshop),
        approve=False,
        comment="Count it again",
    )
    cancelled = submitted(order, clerk, rod, 8)
    replenish_cancel(replenish_request=cancelled, actor=clerk)
    draft = replenishment(order, clerk, [line(rod, 8)])
    states = {r.state for r in type(draft).objects.filter(work_order=order)}
    assert states == {ReplenishState.REJECTED, ReplenishState.CANCELLED, ReplenishState.DRAFT}

    later = submitted(order, clerk, rod, 4)
    assert chain(later) == [WD]
    assert route_of(later)["prior_qty"] == "0.0000"


def test_a_resubmitted_request_does_not_count_itself_twice(clerk, rod, order, workshop):
    request = submitted(order, clerk, rod, 9)
    approval_decide(
        step=pending_step(request), actor=tier_holder(WD, workshop), approve=False, comment="Why?"
    )
    request = replenish_submit(replenish_request=request, actor=clerk)
    assert route_of(request)["prior_qty"] == "0.0000"
    assert steps_of(request).filter(round=2).get().tier == WD


def test_the_preview_shows_this_request_and_the_order_total(clerk, rod, order):
    submitted(order, clerk, rod, 4)
    submitted(order, clerk, rod, 4)
    preview = replenish_routing_preview(
        work_order=order,
        reason=reason("OVER_QUOTA"),
        lines=[{"material": rod, "quantity": Decimal(4)}],
    )
    assert preview.chain == [WD, PM]
    [(_material, route)] = preview.routes
    with translation.override("en"):
        assert route_display(route.as_dict())["ratio"] == "this request 0.4 %, order total 1.2 %"


def test_the_inbox_shows_this_request_and_the_order_total(clerk, rod, order, workshop):
    submitted(order, clerk, rod, 4)
    submitted(order, clerk, rod, 4)
    third = submitted(order, clerk, rod, 4)
    director = tier_holder(WD, workshop)
    browser = Client()
    browser.force_login(director)
    html = browser.get("/approvals/").content.decode()
    assert third.number in html
    assert html.count("this request 0.4 %, order total 0.4 %") == 1  # the first
    assert html.count("this request 0.4 %, order total 0.8 %") == 1
    assert html.count("this request 0.4 %, order total 1.2 %") == 1


def test_explain_approval_looks_up_what_the_order_already_has(clerk, rod, order):
    submitted(order, clerk, rod, 4)
    submitted(order, clerk, rod, 4)
    out = StringIO()
    call_command(
        "explain_approval",
        "--work-order",
        "WO-CUM",
        "--material",
        "ROD",
        "--replenish-qty",
        "4",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[1:] == [
        "Ratio: this request 0.4 %, order total 1.2 % (exact 0.012)",
        "Order total: 12 of 1000 required (8 already replenished or pending + 4 this request)",
        "Order band: le1000 (class A)",
        "Needed tier: production manager (limit 3 %)",
        "Chain: workshop director → production manager",
    ]


def test_the_decision_keeps_its_policy_version_and_cumulative_figures(clerk, rod, order, workshop):
    from approvals.policy import policy_publish

    submitted(order, clerk, rod, 4)
    submitted(order, clerk, rod, 4)
    third = submitted(order, clerk, rod, 4)
    policy_publish(version_data=policy_data(), actor=None)  # v2 routes what comes next
    step = approval_decide(step=pending_step(third), actor=tier_holder(WD, workshop), approve=True)
    step = ApprovalStep.objects.get(pk=step.pk)
    assert (step.state, step.policy.version) == (StepState.APPROVED, 1)
    route = step.context["lines"][0]
    assert (route["policy_version"], route["prior_qty"], route["cumulative_qty"]) == (
        1,
        "8.0000",
        "12.0000",
    )
    event = AuditEvent.objects.get(action="approval.approved", object_id=str(step.pk))
    assert event.after["policy_version"] == 1
