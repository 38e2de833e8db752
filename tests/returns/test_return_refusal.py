"""The keeper's refusal (R-R5) and QC's rejection (R-R3): back to the applicant as
rejected with the reason, audited; refused in other states, by others and by the applicant,
with nothing changed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals.services import approval_decide
from audit.models import AuditEvent
from core.errors import StateConflict
from returns.models import ReturnState, Verdict
from returns.services.return_drafting import return_submit
from returns.services.return_qc import return_qc_verdict
from returns.services.return_refusal import return_qc_reject, return_refuse
from tests.builders import with_roles
from tests.returns.builders import draft_return, line, pending_step, tier_holder


def last_action(obj):
    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .last()
    )


@pytest.fixture
def reviewed(work_order, clerk, tube, lot):
    request = draft_return(work_order, clerk, [line(tube, 10, lot=lot)])
    request = return_submit(return_request=request, actor=clerk)
    approval_decide(
        step=pending_step(request),
        actor=tier_holder("supervisor", work_order.workshop),
        approve=True,
    )
    request.refresh_from_db()
    return request


@pytest.fixture
def inspected(reviewed, qc):
    verdicts = [{"line": ln, "verdict": Verdict.GOOD} for ln in reviewed.lines.all()]
    return return_qc_verdict(return_request=reviewed, verdicts=verdicts, actor=qc)


def test_keeper_refuses_with_a_reason(inspected, user):
    refused = return_refuse(return_request=inspected, reason="mixed categories", actor=user)
    assert (refused.state, refused.rejection_reason) == (ReturnState.REJECTED, "mixed categories")
    event = last_action(refused)
    assert event.action == "return.refuse"
    assert event.after["rejection_reason"] == "mixed categories"


def test_keeper_refusal_needs_reason_state_and_permission(reviewed, inspected, user, qc, clerk):
    with pytest.raises(ValidationError, match="Give a reason"):
        return_refuse(return_request=inspected, reason="  ", actor=user)
    with pytest.raises(PermissionDenied):
        return_refuse(return_request=inspected, reason="x", actor=qc)
    inspected.refresh_from_db()
    assert inspected.state == ReturnState.INSPECTED
    assert last_action(inspected).action == "return.qc_verdict"


def test_keeper_cannot_refuse_a_slip_not_waiting_for_receipt(reviewed, user):
    with pytest.raises(StateConflict, match="cannot be refused at receipt"):
        return_refuse(return_request=reviewed, reason="unclear", actor=user)
    reviewed.refresh_from_db()
    assert reviewed.state == ReturnState.REVIEWED


def test_applicant_keeper_cannot_refuse_own(work_order, tube, lot, user, qc):
    keeper_clerk = with_roles(user, "keeper", "clerk")
    request = draft_return(work_order, keeper_clerk, [line(tube, 5, lot=lot)])
    request = return_submit(return_request=request, actor=keeper_clerk)
    approval_decide(
        step=pending_step(request),
        actor=tier_holder("supervisor", work_order.workshop),
        approve=True,
    )
    verdicts = [{"line": ln, "verdict": Verdict.GOOD} for ln in request.lines.all()]
    request = return_qc_verdict(return_request=request, verdicts=verdicts, actor=qc)
    with pytest.raises(StateConflict, match="segregation of duties"):
        return_refuse(return_request=request, reason="no", actor=keeper_clerk)


def test_qc_rejects_with_a_reason(reviewed, qc, clerk):
    rejected = return_qc_reject(return_request=reviewed, reason="wrong material", actor=qc)
    assert (rejected.state, rejected.rejection_reason) == (ReturnState.REJECTED, "wrong material")
    assert last_action(rejected).action == "return.qc_reject"
    # the applicant can submit it again
    assert return_submit(return_request=rejected, actor=clerk).state == ReturnState.SUBMITTED


def test_qc_rejection_refused_after_the_verdict_and_for_others(inspected, qc, user):
    with pytest.raises(StateConflict):
        return_qc_reject(return_request=inspected, reason="late", actor=qc)
    with pytest.raises(PermissionDenied):
        return_qc_reject(return_request=inspected, reason="late", actor=user)
    inspected.refresh_from_db()
    assert (inspected.state, inspected.rejection_reason) == (ReturnState.INSPECTED, "")
