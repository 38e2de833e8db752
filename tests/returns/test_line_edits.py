"""Edit before it counts (issue #15): drafts and rejected requests change and lose lines,
audited; any other state is a 409 with nothing changed."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from core.errors import StateConflict
from returns.models import ReplenishState, ReturnLine, ReturnState
from returns.services.line_edits import (
    replenish_line_change,
    replenish_line_remove,
    return_line_change,
    return_line_remove,
)
from returns.services.replenish import replenish_reject, replenish_submit
from returns.services.return_drafting import return_line_add, return_reject, return_submit
from tests.builders import batch_material, days_from_today, receive
from tests.returns.builders import draft_return, line, replenishment, workshop_member


def actions(obj):
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def two_lines(work_order, clerk, tube, lot):
    return draft_return(work_order, clerk, [line(tube, 10, lot=lot), line(tube, 5, lot=lot)])


def test_draft_line_removed_is_gone_and_audited(two_lines, clerk):
    first, second = two_lines.lines.all()
    return_line_remove(return_line=second, actor=clerk)
    assert list(two_lines.lines.values_list("pk", flat=True)) == [first.pk]
    assert not ReturnLine.objects.filter(pk=second.pk).exists()
    assert actions(two_lines)[-1] == "return.line_remove"


def test_last_line_cannot_be_removed(work_order, clerk, tube, lot):
    request = draft_return(work_order, clerk, [line(tube, 10, lot=lot)])
    with pytest.raises(StateConflict, match="at least one line"):
        return_line_remove(return_line=request.lines.get(), actor=clerk)
    assert request.lines.count() == 1


def test_quantity_changed_within_what_is_returnable(two_lines, clerk):
    first = two_lines.lines.first()
    return_line_change(return_line=first, quantity=Decimal(90), actor=clerk)
    first.refresh_from_db()
    assert first.quantity == 90
    assert actions(two_lines)[-1] == "return.line_change"
    # 100 issued, the other line holds 5: 96 is more than the 95 left (R-R6)
    with pytest.raises(ValidationError, match="exceeds what work order"):
        return_line_change(return_line=first, quantity=Decimal(96), actor=clerk)
    with pytest.raises(ValidationError):
        return_line_change(return_line=first, quantity=Decimal(0), actor=clerk)
    first.refresh_from_db()
    assert first.quantity == 90


def test_submitted_return_cannot_be_edited(two_lines, clerk, tube, lot):
    request = return_submit(return_request=two_lines, actor=clerk)
    first = request.lines.first()
    for edit in (
        lambda: return_line_remove(return_line=first, actor=clerk),
        lambda: return_line_change(return_line=first, quantity=Decimal(1), actor=clerk),
        lambda: return_line_add(
            return_request=request, material=tube, lot=lot, quantity=1, actor=clerk
        ),
    ):
        with pytest.raises(StateConflict, match="cannot be edited|cannot be changed"):
            edit()
    assert [ln.quantity for ln in request.lines.all()] == [10, 5]
    assert actions(request)[-1] == "return.submit"


def test_only_the_applicant_edits(two_lines, user):
    workshop_member(two_lines.work_order, user)
    with pytest.raises(PermissionDenied):
        return_line_remove(return_line=two_lines.lines.last(), actor=user)
    assert two_lines.lines.count() == 2


def test_rejected_return_edited_then_resubmitted(two_lines, clerk, user, tube, lot):
    request = return_submit(return_request=two_lines, actor=clerk)
    request = return_reject(return_request=request, actor=user, reason="two lines of one lot")
    first, second = request.lines.all()
    return_line_remove(return_line=second, actor=clerk)
    return_line_change(return_line=first, quantity=Decimal(12), actor=clerk)
    return_line_add(return_request=request, material=tube, lot=lot, quantity=3, actor=clerk)
    request = return_submit(return_request=request, actor=clerk)
    assert request.state == ReturnState.SUBMITTED
    assert sorted(ln.quantity for ln in request.lines.all()) == [3, 12]


# ---------------------------------------------------------------------------- replenishments


@pytest.fixture
def pipe(work_order, user, shelf):
    """A second component of the work order, so a replenishment can have two lines."""
    material = batch_material(code="PIPE")
    receive(material, shelf, 100, user, batch_no="P1", expiry_date=days_from_today(200))
    work_order.lines.create(material=material, qty_per_unit=1, loss_pct=0, required_qty=100)
    return material


def test_replenishment_lines_edited_amount_follows(work_order, clerk, user, tube, pipe):
    request = replenishment(work_order, clerk, [line(tube, 4), line(pipe, 2)])
    tube_line, pipe_line = request.lines.order_by("id")
    replenish_line_remove(replenish_line=pipe_line, actor=clerk)
    replenish_line_change(replenish_line=tube_line, quantity=Decimal(3), actor=clerk)
    request.refresh_from_db()
    assert list(request.lines.values_list("quantity", flat=True)) == [3]
    assert request.amount == (tube.standard_cost * 3).quantize(Decimal("0.01"))
    assert actions(request)[-2:] == ["replenish.line_remove", "replenish.line_change"]


def test_replenishment_edits_refused_once_submitted_and_allowed_when_rejected(
    work_order, clerk, user, tube
):
    request = replenishment(work_order, clerk, [line(tube, 4)])
    request = replenish_submit(replenish_request=request, actor=clerk)
    tube_line = request.lines.get()
    with pytest.raises(StateConflict):
        replenish_line_change(replenish_line=tube_line, quantity=Decimal(1), actor=clerk)
    tube_line.refresh_from_db()
    assert tube_line.quantity == 4
    request = replenish_reject(replenish_request=request, actor=user, reason="too many")
    replenish_line_change(replenish_line=tube_line, quantity=Decimal(1), actor=clerk)
    request = replenish_submit(replenish_request=request, actor=clerk)
    assert request.state == ReplenishState.SUBMITTED
    assert request.lines.get().quantity == 1
