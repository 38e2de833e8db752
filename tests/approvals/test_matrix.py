"""Acceptance: the seeded policy v1 routes exactly as SPEC's approval matrix (R-A2, R-A3),
plus the extra steps of R-A4 and versioning (R-A5).

Expected chains come from ``SPEC_PERCENT``, a hand copy of the SPEC table, never from the DB.
"""

from decimal import Decimal

import pytest

from approvals.models import MATRIX_CHAIN, ApprovalStep, Tier
from approvals.policy import policy_publish
from approvals.routing import replenish_route
from approvals.services import approval_decide
from audit.models import AuditEvent
from returns.models import RequestKind
from tests.approvals.builders import (
    LIMITED_TIERS,
    SPEC_PERCENT,
    holds,
    open_steps,
    policy_data,
    reason,
    replenish_request,
    work_order,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WD, PM, PD, EGM, GM = (str(tier) for tier in MATRIX_CHAIN)
# Both ends of every order band (inclusive upper bounds).
BAND_EDGES = {"le1000": (1, 1000), "le5000": (1001, 5000), "gt5000": (5001, 10**7)}
# Every limit of the table is a whole number of units of it (0.2 % is 6), "just above" is one
# more unit, and the largest (15 % + 1 = 451) stays within the seeded large-quantity
# threshold of 500 (R-A4), so the matrix alone decides these chains.
REQUIRED = Decimal(3000)


def chain_up_to(index):
    return [str(tier) for tier in MATRIX_CHAIN[: index + 1]]


def matrix_cases():
    return list(matrix_params())


def matrix_params():
    for (approval_class, band), limits in SPEC_PERCENT.items():
        for order_qty in BAND_EDGES[band]:
            for index, (tier, limit) in enumerate(zip(LIMITED_TIERS, limits, strict=True)):
                at = Decimal(str(limit)) * REQUIRED / 100
                name = f"{approval_class}-{band}-order{order_qty}-{tier}-{limit}%"
                yield pytest.param(
                    approval_class, order_qty, at, band, chain_up_to(index), id=f"{name}-at"
                )
                yield pytest.param(
                    approval_class,
                    order_qty,
                    at + 1,
                    band,
                    chain_up_to(index + 1),
                    id=f"{name}-above",
                )


@pytest.mark.parametrize("approval_class, order_qty, replenish_qty, band, chain", matrix_cases())
def test_every_cell_of_the_spec_table(approval_class, order_qty, replenish_qty, band, chain):
    route = replenish_route(
        approval_class=approval_class,
        order_qty=order_qty,
        required_qty=REQUIRED,
        replenish_qty=replenish_qty,
    )
    assert (route.order_band, [str(t) for t in route.chain]) == (band, chain)
    assert route.policy_version == 1


def route_a(replenish_qty, **kwargs):
    kwargs.setdefault("order_qty", 1000)
    return replenish_route(
        approval_class="A", required_qty=1000, replenish_qty=Decimal(replenish_qty), **kwargs
    ).as_dict()


@pytest.mark.parametrize(
    "replenish_qty, chain",
    [
        ("10", [WD]),  # exactly 1 %
        ("10.001", [WD, PM]),  # 1.0001 %
        ("30", [WD, PM]),  # exactly 3 %
        ("30.001", [WD, PM, PD]),
        ("100", [WD, PM, PD, EGM]),  # exactly 10 %
        ("100.001", [WD, PM, PD, EGM, GM]),
        ("1000", [WD, PM, PD, EGM, GM]),
    ],
)
def test_class_a_small_orders_climb_the_chain(replenish_qty, chain):
    assert route_a(replenish_qty)["chain"] == chain


@pytest.mark.parametrize(
    "order_qty, band",
    [(1, "le1000"), (1000, "le1000"), ("1000.0001", "le5000"), (1001, "le5000"),
     (5000, "le5000"), (5001, "gt5000")],
)  # fmt: skip
def test_order_band_edges_are_inclusive_at_the_top(order_qty, band):
    assert route_a(1, order_qty=Decimal(order_qty))["order_band"] == band


def test_route_as_dict_shows_the_ratio_with_four_places_and_the_cell():
    assert route_a(10) == {
        "ratio": "0.0100",
        "request_ratio": "0.0100",
        "request_qty": "10.0000",
        "prior_qty": "0.0000",
        "cumulative_qty": "10.0000",
        "required_qty": "1000.0000",
        "order_band": "le1000",
        "order_band_limit": "1000.0000",
        "approval_class": "A",
        "chain": [WD],
        "policy_version": 1,
        "cell": {"tier": WD, "max_ratio": "0.010000"},
    }
    assert route_a(2000)["cell"] == {"tier": GM, "max_ratio": None}


# ------------------------------------------------------------------ R-A4 extra steps


MC, MCS, DGM = str(Tier.MATERIAL_CONTROL), str(Tier.MC_SUPERVISOR), str(Tier.DEPUTY_GM)


@pytest.mark.parametrize(
    "code, chain",
    [
        ("OVER_QUOTA", [WD]),
        ("OPERATOR_SCRAP", [WD, PM, MC, MCS]),  # process defect (seed 003 §5.9.3)
        ("MATERIAL_DEFECT", [WD, MC, MCS]),  # supplier defect
    ],
)
def test_defect_reasons_add_their_tier_even_for_a_tiny_ratio(code, chain):
    assert route_a("0.01", reason=reason(RequestKind.REPLENISH, code))["chain"] == chain


def test_process_defect_does_not_repeat_a_tier_already_in_the_chain():
    scrap = reason(RequestKind.REPLENISH, "OPERATOR_SCRAP")
    assert route_a(50, reason=scrap)["chain"] == [WD, PM, PD, MC, MCS]


@pytest.mark.parametrize(
    "replenish_qty, amount, chain",
    [
        (1, "1000", [WD]),  # at the threshold: not above it
        (1, "1000.01", [WD, str(Tier.DEPUTY_GM)]),
        (200, "5000", [WD, PM, PD, EGM, GM]),  # the GM signs anyway: no deputy
    ],
)
def test_valuable_replenishments_go_to_the_deputy_gm(replenish_qty, amount, chain):
    assert route_a(replenish_qty, amount=Decimal(amount))["chain"] == chain


def test_extra_steps_come_after_the_matrix_chain_in_a_fixed_order():
    defect = reason(RequestKind.REPLENISH, "MATERIAL_DEFECT")
    chain = route_a(40, reason=defect, amount=Decimal("2000"))["chain"]
    assert chain == [WD, PM, PD, MC, MCS, DGM]


# ------------------------------------------------------------------ R-A5 versions


def stricter_policy(user, **overrides):
    """v2: class A, small orders — the workshop director may approve only up to 0.5 %."""
    percent = {**SPEC_PERCENT, ("A", "le1000"): (0.5, 3, 5, 10)}
    return policy_publish(version_data=policy_data(percent, **overrides), actor=user)


def test_a_new_version_routes_new_requests(user):
    stricter_policy(user, large_quantity=Decimal("500"))
    route = route_a(10)
    assert (route["policy_version"], route["chain"]) == (2, [WD, PM])
    large = replenish_route(
        approval_class="A", order_qty=5001, required_qty=200_000, replenish_qty=501
    )
    assert [str(t) for t in large.chain] == [WD, PM, str(Tier.DEPUTY_GM)]


def test_an_inactive_version_does_not_route(user):
    stricter_policy(user, is_active=False)
    assert route_a(10)["policy_version"] == 1


def test_steps_keep_the_version_that_routed_them(user, handled):
    approver = UserFactory(username="director")
    holds(approver, Tier.WORKSHOP_DIRECTOR)
    request = replenish_request(user, work_order(user))
    [step] = open_steps(request, [Tier.WORKSHOP_DIRECTOR])
    context = step.context
    stricter_policy(user)
    decided = approval_decide(step=step, actor=approver, approve=True)
    step = ApprovalStep.objects.get(pk=decided.pk)
    assert (step.policy.version, step.context) == (1, context)
    assert context["policy_version"] == 1 and context["chain"] == [WD]
    event = AuditEvent.objects.get(action="approval.approved", object_id=str(step.pk))
    assert event.after["policy_version"] == 1
    assert handled == [("approved", request)]
