"""R-J3, R-W5: violations the system sees write exactly one point entry each, by themselves —
leftovers returned after the work order's completion + 24 h, a return refused by the
warehouse, material issued wrongly and reversed by a return, a replenishment by its reason —
and an on-time leftover return writes none."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from approvals.services import approval_decide
from audit.models import AuditEvent
from finance.models import EntryOrigin, PointEntry
from returns.models import Verdict
from returns.services.return_drafting import return_submit
from returns.services.return_qc import return_qc_verdict
from returns.services.return_refusal import return_refuse
from tests.returns.builders import (
    draft_return,
    issued_replenishment,
    line,
    pending_step,
    posted_return,
    tier_holder,
)
from workorders.models import WorkOrder
from workorders.services.lifecycle import work_order_complete, work_order_report_output

pytestmark = pytest.mark.django_db


def completed(work_order, actor, hours_ago):
    work_order_report_output(work_order=work_order, good_qty=100, actor=actor)
    work_order_complete(work_order=work_order, actor=actor)
    # the clock of R-W5 started ``hours_ago``
    WorkOrder.objects.filter(pk=work_order.pk).update(
        completed_at=timezone.now() - timedelta(hours=hours_ago)
    )
    work_order.refresh_from_db()
    return work_order


def leftovers(work_order, tube, lot, clerk, qc, keeper, code="LEFTOVER"):
    return posted_return(
        work_order,
        [line(tube, 3, lot=lot)],
        applicant=clerk,
        qc=qc,
        keeper=keeper,
        verdict=Verdict.GOOD,
        code=code,
    )


def test_late_leftover_return_writes_exactly_one_entry(work_order, tube, lot, clerk, qc, user):
    tube.standard_cost = Decimal("10")
    tube.save()
    completed(work_order, user, hours_ago=25)
    slip = leftovers(work_order, tube, lot, clerk, qc, user)
    (entry,) = PointEntry.objects.all()
    assert (entry.source_type, entry.source_number) == ("return_late", slip.number)
    assert (entry.behaviour, entry.department, entry.cell) == (
        "surplus_not_returned",
        "production",
        "per_occurrence",
    )
    # returned unused: the 未使用 cell, 每次负激励 5 分
    assert (entry.points, entry.rule.band, entry.scheme.version) == (-5, "unused", 1)
    assert (entry.workshop, entry.person, entry.origin) == (
        work_order.workshop,
        clerk,
        EntryOrigin.AUTOMATIC,
    )
    assert entry.month == timezone.localdate().replace(day=1)
    assert AuditEvent.objects.filter(action="points.record", object_id=str(entry.pk)).exists()


def test_leftover_return_within_24_hours_writes_none(work_order, tube, lot, clerk, qc, user):
    completed(work_order, user, hours_ago=23)
    leftovers(work_order, tube, lot, clerk, qc, user)
    assert not PointEntry.objects.exists()


def test_leftovers_of_an_open_work_order_are_not_late(work_order, tube, lot, clerk, qc, user):
    leftovers(work_order, tube, lot, clerk, qc, user)
    assert not PointEntry.objects.exists()


def test_the_same_event_twice_still_one_entry(work_order, tube, lot, clerk, qc, user):
    from finance.points.events import on_request_state_changed
    from returns.models import ReturnRequest

    completed(work_order, user, hours_ago=48)
    slip = leftovers(work_order, tube, lot, clerk, qc, user)
    on_request_state_changed(ReturnRequest, slip=slip, state=slip.state, action="post", actor=user)
    assert PointEntry.objects.count() == 1


def test_wrong_material_reversed_by_a_return_is_the_warehouse_s(
    work_order, tube, lot, clerk, qc, user
):
    """规格不符 back unused: 仓储部 核对不严, 未使用 → 每次负激励 5 分."""
    slip = leftovers(work_order, tube, lot, clerk, qc, user, code="SPEC_MISMATCH")
    (entry,) = PointEntry.objects.all()
    assert (entry.source_type, entry.source_number, entry.behaviour) == (
        "return",
        slip.number,
        "unchecked_issue",
    )
    assert (entry.department, entry.points, entry.person) == ("warehouse", -5, None)


def test_each_refusal_by_the_warehouse_is_one_entry(work_order, tube, lot, clerk, qc, user):
    """Mixed categories or an unclear reason (seed 002 退(换)补料 4.2.4): 手续不规范, 每次 5."""
    slip = draft_return(work_order, clerk, [line(tube, 10, lot=lot)])
    for attempt in (1, 2):
        slip = return_submit(return_request=slip, actor=clerk)
        approval_decide(
            step=pending_step(slip),
            actor=tier_holder("supervisor", work_order.workshop),
            approve=True,
        )
        slip.refresh_from_db()
        verdicts = [{"line": ln, "verdict": Verdict.GOOD} for ln in slip.lines.all()]
        slip = return_qc_verdict(return_request=slip, verdicts=verdicts, actor=qc)
        slip = return_refuse(return_request=slip, reason="mixed categories", actor=user)
        assert PointEntry.objects.count() == attempt
    numbers = sorted(PointEntry.objects.values_list("source_number", flat=True))
    assert numbers == [f"{slip.number}#1", f"{slip.number}#2"]
    assert set(PointEntry.objects.values_list("behaviour", "points", "person")) == {
        ("irregular_slip", -5, clerk.pk)
    }


def test_over_quota_replenishment_by_its_amount(work_order, tube, clerk, user):
    """超定额补料: 超定额≤1000 (1,000.00 included) → 部门负激励 50 分 (R-J3)."""
    tube.standard_cost = Decimal("100")
    tube.save()
    request = issued_replenishment(work_order, clerk, tube, 10, code="OVER_QUOTA")
    (entry,) = PointEntry.objects.all()
    assert (entry.source_type, entry.source_number, entry.behaviour) == (
        "replenish",
        request.number,
        "over_quota",
    )
    assert (entry.amount, entry.points, entry.cell) == (Decimal("1000.00"), -50, "department")
