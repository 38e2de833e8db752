"""R-J4 (seed 002 §4.4): the GM office proposes penalties or rewards for the month's flagged
replenishments; they reach the month's totals and the workbook's "Points and rewards" sheet
only after the executive GM and then the GM approved them; a rejection never counts."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from approvals.models import StepState
from approvals.services import approval_decide, steps_of
from core.errors import StateConflict
from finance.models import PointEntry, ProposalState
from finance.month_end import month_end_compute
from finance.points.selectors import points_by_person, points_by_workshop
from finance.points.spot_check import spot_check_propose
from finance.workbook import month_end_workbook
from tests.factories import UserFactory
from tests.returns.builders import issued_replenishment, tier_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def gm_office(db):
    person = UserFactory(username="gm-office")
    person.user_permissions.add(Permission.objects.get(codename="propose_points"))
    return person


@pytest.fixture
def flagged(work_order, tube, clerk, settings):
    """One over-quota replenishment of 30 tubes at 50 yuan = 1,500 yuan, above the
    spot-check amount; its automatic entry: 超定额>1000 → 部门负激励 100 分."""
    settings.MONTH_END_SPOT_CHECK_AMOUNT = "1000"
    tube.standard_cost = Decimal("50")
    tube.save()
    request = issued_replenishment(work_order, clerk, tube, 30, code="OVER_QUOTA")
    month_end = month_end_compute(month=timezone.localdate().replace(day=1))
    return month_end, request


def net_of(month, department):
    rows = [row for row in points_by_workshop(month) if row["department"] == department]
    return sum(row["net"] for row in rows)


def decide(proposal, tier, approve=True):
    (step,) = steps_of(proposal).filter(state=StepState.PENDING)
    assert step.tier == tier
    approval_decide(step=step, actor=tier_holder(tier), approve=approve, comment="ok")


def test_proposal_counts_only_after_executive_gm_and_gm(flagged, gm_office, clerk, tmp_path):
    month_end, request = flagged
    assert net_of(month_end.month, "production") == -100  # the automatic over-quota entry
    proposal = spot_check_propose(
        month_end=month_end,
        document_number=request.number,
        behaviour="operator_scrap",
        note="scrap hidden as over-quota loss",
        person=clerk,
        points=30,
        actor=gm_office,
    )
    # 工废补料 >1000: 公司研究决定 — the reviewer gives 30, a penalty
    assert (proposal.points, proposal.rule.cell, proposal.state) == (
        -30,
        "management_decides",
        ProposalState.PENDING,
    )
    assert [s.tier for s in steps_of(proposal).order_by("sequence")] == ["executive_gm", "gm"]
    assert net_of(month_end.month, "production") == -100
    decide(proposal, "executive_gm")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING and proposal.entry is None
    assert net_of(month_end.month, "production") == -100
    decide(proposal, "gm")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.APPROVED
    assert (proposal.entry.points, proposal.entry.origin) == (-30, "spot_check")
    assert net_of(month_end.month, "production") == -130
    (person,) = points_by_person(month_end.month)
    assert (person["person__username"], person["net"], person["entries"]) == ("clerk", -130, 2)

    # the month-end's documents carry their entries' penalty points (R-J3)
    month_end = month_end_compute(month=month_end.month)
    assert month_end.documents.get(number=request.number).points == 130

    path = tmp_path / "month.xlsx"
    month_end_workbook(month_end, path)
    rows = [r for r in load_workbook(path)["Points and rewards"].iter_rows(values_only=True)]
    (row,) = [r for r in rows if r[0] == month_end_workshop(request) and r[1] == "production"]
    assert row[2:7] == (-130, 0, -130, 2, 0)
    totals = [r for r in rows if r[0] == "Total"]
    assert [t[2:7] for t in totals] == [(-130, 0, -130, 2, 0), (-130, 0, -130, 2, 0)]


def month_end_workshop(request):
    return request.work_order.workshop.code


def test_rejected_proposal_never_counts(flagged, gm_office):
    month_end, request = flagged
    proposal = spot_check_propose(
        month_end=month_end,
        document_number=request.number,
        behaviour="saving",
        note="saved by re-cutting",
        points=8,
        actor=gm_office,
    )
    assert proposal.points == 8  # a reward: positive
    decide(proposal, "executive_gm")
    decide(proposal, "gm", approve=False)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.REJECTED
    assert not PointEntry.objects.filter(origin="spot_check").exists()


def test_only_flagged_documents_once_per_behaviour_by_the_gm_office(flagged, gm_office, clerk):
    month_end, request = flagged
    with pytest.raises(PermissionDenied):
        spot_check_propose(
            month_end=month_end,
            document_number=request.number,
            behaviour="over_quota",
            note="x",
            actor=clerk,
        )
    with pytest.raises(ValidationError):
        spot_check_propose(
            month_end=month_end, document_number="RP-NONE", behaviour="over_quota", note="x",
            actor=gm_office,
        )  # fmt: skip
    with pytest.raises(ValidationError):  # management decides: the number is needed
        spot_check_propose(
            month_end=month_end, document_number=request.number, behaviour="operator_scrap",
            note="x", actor=gm_office,
        )  # fmt: skip
    spot_check_propose(
        month_end=month_end,
        document_number=request.number,
        behaviour="over_quota",
        note="x",
        actor=gm_office,
    )
    with pytest.raises(StateConflict):
        spot_check_propose(
            month_end=month_end,
            document_number=request.number,
            behaviour="over_quota",
            note="again",
            actor=gm_office,
        )
