"""The page's approval-chain preview and real submission route a replenishment through the
one selector (``returns.selectors.replenish_routing``), so they cannot disagree (R-A2…R-A4)."""

from decimal import Decimal

import pytest

from approvals.services import steps_of
from returns.selectors import replenish_routing_preview
from returns.services.replenish import replenish_submit
from tests.factories import MaterialFactory
from tests.returns.builders import line, reason, replenishment

pytestmark = pytest.mark.django_db


def preview_then_submit(work_order, clerk, lines, code):
    preview = replenish_routing_preview(
        work_order=work_order,
        reason=reason(code),
        lines=[{"material": row["material"], "quantity": row["quantity"]} for row in lines],
    )
    request = replenish_submit(
        replenish_request=replenishment(work_order, clerk, lines, code=code), actor=clerk
    )
    return preview, request


@pytest.mark.parametrize("quantity", ["2", "30", "100", "190", "400"])
def test_preview_names_the_chain_that_submitting_opens(clerk, tube, work_order, quantity):
    """Ratios from 1 % to 200 % of the 200 tubes required climb the matrix."""
    preview, request = preview_then_submit(
        work_order, clerk, [line(tube, quantity)], code="OVER_QUOTA"
    )
    steps = steps_of(request)
    assert preview.chain == [step.tier for step in steps]
    assert [route.as_dict() for _m, route in preview.routes] == [
        {key: value for key, value in row.items() if key != "material"}
        for row in steps[0].context["lines"]
    ]


def test_preview_of_a_defect_replenishment_adds_the_defect_tier_like_submitting(
    clerk, tube, work_order, scrap_return
):
    citation = {"return_line": scrap_return.lines.get(), "quantity": Decimal(2)}
    preview, request = preview_then_submit(
        work_order, clerk, [line(tube, 2, citations=[citation])], code="OPERATOR_SCRAP"
    )
    assert preview.chain == [step.tier for step in steps_of(request)]
    assert preview.chain == [
        "workshop_director",
        "production_manager",
        "material_control",
        "mc_supervisor",
    ]


def test_preview_leaves_out_a_material_not_on_the_work_order(clerk, tube, work_order):
    other = MaterialFactory(code="OTHER")
    preview = replenish_routing_preview(
        work_order=work_order,
        reason=reason("OVER_QUOTA"),
        lines=[
            {"material": tube, "quantity": Decimal(2)},
            {"material": other, "quantity": Decimal(500)},
        ],
    )
    assert [material for material, _route in preview.routes] == [tube]


def test_preview_values_the_request_like_submitting_does(clerk, tube, work_order):
    """R-A4: a small ratio of valuable material also goes to the deputy GM, in both."""
    tube.standard_cost = Decimal("600")
    tube.save(update_fields=["standard_cost"])
    preview, request = preview_then_submit(work_order, clerk, [line(tube, 2)], code="OVER_QUOTA")
    assert preview.chain == [step.tier for step in steps_of(request)]
    assert preview.chain[-1] == "deputy_gm"
