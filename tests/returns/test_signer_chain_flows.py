"""R-A4 (sharpened) through the real services: the steps a defect replenishment and a defect
return open and who signs them, in order (seed 003 §5.9.3, seed 002 领料退料补料 §3.2.2.2),
and the demo factory's MC supervisor who lets a defect replenishment finish."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from approvals.models import StepState, Tier, TierAssignment
from approvals.services import approval_decide, steps_of
from core.errors import StateConflict
from portal.demo import TIERS, USERS
from returns.models import ReplenishState, ReturnState, Verdict
from returns.services.replenish import replenish_submit
from returns.services.return_drafting import return_review, return_submit
from returns.services.return_qc import return_qc_verdict
from tests.returns.builders import (
    approve_all,
    cite,
    draft_return,
    line,
    pending_step,
    replenishment,
    tier_holder,
)

pytestmark = pytest.mark.django_db

WD, PM = Tier.WORKSHOP_DIRECTOR, Tier.PRODUCTION_MANAGER
MC, MCS, DGM = Tier.MATERIAL_CONTROL, Tier.MC_SUPERVISOR, Tier.DEPUTY_GM


def submitted_replacement(work_order, clerk, material, defect, code, quantity=2):
    citations = [cite(defect, quantity)]
    request = replenishment(
        work_order, clerk, [line(material, quantity, citations=citations)], code=code
    )
    return replenish_submit(replenish_request=request, actor=clerk)


def test_process_defect_replenishment_is_signed_by_pm_material_control_and_mc_supervisor(
    clerk, tube, work_order, scrap_return
):
    request = submitted_replacement(work_order, clerk, tube, scrap_return, "OPERATOR_SCRAP")
    assert approve_all(request) == [WD, PM, MC, MCS]
    request.refresh_from_db()
    assert request.state == ReplenishState.APPROVED


def test_supplier_defect_replenishment_is_confirmed_by_mc_and_approved_by_mc_supervisor(
    clerk, tube, work_order, defect_return
):
    request = submitted_replacement(work_order, clerk, tube, defect_return, "MATERIAL_DEFECT")
    assert approve_all(request) == [WD, MC, MCS]


def test_a_valuable_process_defect_replenishment_goes_on_to_the_deputy_gm(
    clerk, tube, work_order, scrap_return
):
    tube.standard_cost = Decimal("600")  # 2 × 600 = 1,200 yuan > the policy's 1,000
    tube.save(update_fields=["standard_cost"])
    request = submitted_replacement(work_order, clerk, tube, scrap_return, "OPERATOR_SCRAP")
    assert [step.tier for step in steps_of(request)] == [WD, PM, MC, MCS, DGM]
    assert approve_all(request)[-1] == DGM


def test_the_mc_supervisor_cannot_sign_before_material_control(
    clerk, tube, work_order, defect_return
):
    request = submitted_replacement(work_order, clerk, tube, defect_return, "MATERIAL_DEFECT")
    approval_decide(step=pending_step(request), actor=tier_holder(WD), approve=True)
    waiting = steps_of(request).get(tier=MCS)
    assert waiting.state == StepState.WAITING
    with pytest.raises(StateConflict, match="An earlier approval step"):
        approval_decide(step=waiting, actor=tier_holder(MCS), approve=True)


@pytest.mark.parametrize("code", ["SUPPLIER_DEFECT", "PROCESS_DEFECT"])
def test_a_defect_return_needs_the_workshop_director_after_the_supervisor(
    clerk, supervisor, qc, tube, lot, work_order, workshop, code
):
    request = draft_return(work_order, clerk, [line(tube, 2, lot=lot)], code=code)
    request = return_submit(return_request=request, actor=clerk)
    assert [step.tier for step in steps_of(request)] == [Tier.SUPERVISOR, WD]
    request = return_review(return_request=request, actor=supervisor)
    assert request.state == ReturnState.SUBMITTED
    verdicts = [{"line": ln, "verdict": Verdict.SUPPLIER_DEFECT} for ln in request.lines.all()]
    with pytest.raises(StateConflict, match="is submitted: it cannot be inspected"):
        return_qc_verdict(return_request=request, verdicts=verdicts, actor=qc)
    request = return_review(return_request=request, actor=tier_holder(WD, workshop))
    assert request.state == ReturnState.REVIEWED


def test_a_leftover_return_needs_the_supervisor_alone(clerk, supervisor, tube, lot, work_order):
    request = draft_return(work_order, clerk, [line(tube, 2, lot=lot)])
    request = return_submit(return_request=request, actor=clerk)
    assert [step.tier for step in steps_of(request)] == [Tier.SUPERVISOR]


def test_the_demo_has_someone_for_every_tier_a_defect_replenishment_climbs():
    """portal.demo: ``mcsup`` (material control) holds the MC supervisor tier."""
    assert (USERS["mcsup"], TIERS["mcsup"]) == ("material_control", [MCS])
    call_command("seed_demo")
    held = TierAssignment.objects.filter(workshop__isnull=True)
    assert {WD, PM, MC, MCS, DGM} <= set(held.values_list("tier", flat=True))
    assert held.get(tier=MCS).user.username == "mcsup"
