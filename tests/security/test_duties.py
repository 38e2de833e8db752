"""Segregation of duties and object scope (issue #7, R-A6): who may act on what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.models import Delegation, StepState, Tier, TierAssignment
from approvals.services import approval_decide
from audit.models import AuditEvent
from core.errors import StateConflict
from finance.models import MonthEnd
from finance.month_end import month_end_confirm
from inventory.models import LedgerEntry
from returns.models import ReturnState
from returns.services.return_drafting import return_submit
from returns.services.return_posting import return_confirm, return_post
from returns.services.return_receipt import return_receive
from tests.builders import receive, with_roles
from tests.factories import UserFactory, WorkshopFactory
from tests.returns.builders import draft_return, line, pending_step, replenishment

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient(HTTP_X_DEVICE_ID="SEC-1")
    client.force_authenticate(user)
    return client


def inspected_return(work_order, applicant, supervisor, qc, tube, lot):
    from returns.services.return_drafting import return_review
    from returns.services.return_qc import return_qc_verdict

    request = return_submit(
        return_request=draft_return(work_order, applicant, [line(tube, 5, lot=lot)]),
        actor=applicant,
    )
    request = return_review(return_request=request, actor=supervisor)
    verdicts = [{"line": ln, "verdict": "good"} for ln in request.lines.all()]
    return return_qc_verdict(return_request=request, verdicts=verdicts, actor=qc)


# ------------------------------------------------------------------------ approvals (R-A6)


def test_the_requester_cannot_approve_their_own_request_even_holding_the_tier(
    clerk, work_order, tube, workshop
):
    TierAssignment.objects.create(user=clerk, tier=Tier.WORKSHOP_DIRECTOR, workshop=workshop)
    request = replenishment(work_order, clerk, [line(tube, 2)])
    from returns.services.replenish import replenish_submit

    request = replenish_submit(replenish_request=request, actor=clerk)
    step = pending_step(request)
    assert step.tier == Tier.WORKSHOP_DIRECTOR
    with pytest.raises(StateConflict, match="your own request"):
        approval_decide(step=step, actor=clerk, approve=True)
    step.refresh_from_db()
    assert step.state == StepState.PENDING
    response = client_for(clerk).post(f"/api/v1/approvals/{step.pk}/approve/", {}, format="json")
    assert response.status_code == 404  # never in their own inbox


@pytest.mark.parametrize(
    ("starts", "ends", "allowed"), [(-1, 1, True), (1, 3, False), (-5, -1, False)]
)
def test_a_delegate_decides_only_within_the_date_range(
    clerk, work_order, tube, workshop, starts, ends, allowed
):
    director = UserFactory(username="director-ws1")
    TierAssignment.objects.create(user=director, tier=Tier.WORKSHOP_DIRECTOR, workshop=workshop)
    deputy = with_roles(UserFactory(username="deputy-ws1"), "team_leader", workshops=[workshop])
    today = timezone.localdate()
    Delegation.objects.create(
        principal=director,
        delegate=deputy,
        starts=today + timedelta(days=starts),
        ends=today + timedelta(days=ends),
    )
    from returns.services.replenish import replenish_submit

    request = replenish_submit(
        replenish_request=replenishment(work_order, clerk, [line(tube, 2)]), actor=clerk
    )
    step = pending_step(request)
    if allowed:
        decided = approval_decide(step=step, actor=deputy, approve=True)
        assert decided.on_behalf_of == director
    else:
        with pytest.raises(StateConflict, match="nor a delegation"):
            approval_decide(step=step, actor=deputy, approve=True)


# ------------------------------------------------------------------------ object scope


def test_out_of_scope_objects_are_404_and_missing_from_lists(clerk, work_order, tube, lot):
    draft = draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
    stranger = with_roles(
        UserFactory(username="clerk-ws2"), "clerk", workshops=[WorkshopFactory(code="WS2")]
    )
    client = client_for(stranger)
    assert client.get(f"/api/v1/returns/{draft.pk}/").status_code == 404
    assert client.post(f"/api/v1/returns/{draft.pk}/submit/").status_code == 404
    assert client.get(f"/api/v1/work-orders/{work_order.pk}/").status_code == 404
    assert client.get("/api/v1/returns/").json()["count"] == 0
    creating = client.post(
        "/api/v1/returns/",
        {
            "work_order": "WO-1",
            "reason": "LEFTOVER",
            "lines": [{"material": "TUBE", "lot": "T1", "quantity": "1"}],
        },
        format="json",
    )
    assert creating.status_code == 400 and "work_order" in creating.json()
    member = with_roles(UserFactory(username="clerk-ws1"), "clerk", workshops=[work_order.workshop])
    assert client_for(member).get(f"/api/v1/returns/{draft.pk}/").status_code == 200
    keeper = with_roles(UserFactory(username="keeper-plant"), "keeper")  # plant-wide role
    assert client_for(keeper).get(f"/api/v1/returns/{draft.pk}/").status_code == 200


# ------------------------------------------------------------------------ duties


def test_only_qc_gives_verdicts_and_only_keepers_post(
    clerk, supervisor, qc, user, work_order, tube, lot
):
    request = return_submit(
        return_request=draft_return(work_order, clerk, [line(tube, 5, lot=lot)]), actor=clerk
    )
    from returns.services.return_drafting import return_review

    request = return_review(return_request=request, actor=supervisor)
    url = f"/api/v1/returns/{request.pk}/"
    verdicts = {"lines": [{"line_id": request.lines.get().pk, "verdict": "good"}]}
    assert client_for(user).post(url + "qc-verdict/", verdicts, format="json").status_code == 403
    assert client_for(qc).post(url + "qc-verdict/", verdicts, format="json").status_code == 200
    assert client_for(qc).post(url + "receive/", {}, format="json").status_code == 403
    assert client_for(user).post(url + "receive/", {}, format="json").status_code == 200
    assert client_for(qc).post(url + "post/").status_code == 403
    assert client_for(user).post(url + "post/").status_code == 200
    assert client_for(user).post(url + "confirm/").status_code == 403


def test_the_applicant_never_receives_posts_or_confirms_their_own_return(
    clerk, supervisor, qc, finance, user, work_order, tube, lot
):
    with_roles(clerk, "keeper", "finance")  # holding the duties does not help on their own slip
    request = inspected_return(work_order, clerk, supervisor, qc, tube, lot)
    with pytest.raises(StateConflict, match="someone else must receive"):
        return_receive(return_request=request, lines=[], actor=clerk)
    response = client_for(clerk).post(f"/api/v1/returns/{request.pk}/receive/", {}, format="json")
    assert response.status_code == 409
    request = return_receive(return_request=request, lines=[], actor=user)
    entries = LedgerEntry.objects.count()
    with pytest.raises(StateConflict, match="someone else must post"):
        return_post(return_request=request, actor=clerk)
    assert LedgerEntry.objects.count() == entries
    request = return_post(return_request=request, actor=user)
    with pytest.raises(StateConflict, match="someone else must confirm"):
        return_confirm(return_request=request, actor=clerk)
    with pytest.raises(PermissionDenied):
        return_confirm(return_request=request, actor=user)  # the keeper is not finance
    assert return_confirm(return_request=request, actor=finance).state == ReturnState.CONFIRMED


def test_only_finance_confirms_a_month_and_a_locked_month_refuses_postings(
    finance, user, tube, shelf, month_over
):
    month = MonthEnd.objects.create(month=timezone.localdate().replace(day=1))
    with pytest.raises(PermissionDenied):
        month_end_confirm(month_end=month, actor=user)
    month_end_confirm(month_end=month, actor=finance)
    entries, events = LedgerEntry.objects.count(), AuditEvent.objects.count()
    with pytest.raises(StateConflict, match="closed by finance"):
        receive(tube, shelf, 5, user, batch_no="T1")
    response = client_for(user).post(
        "/api/v1/stock/receive/",
        {"material": "TUBE", "location": shelf.code, "quantity": "5", "batch_no": "T1"},
        format="json",
    )
    assert response.status_code == 409, response.json()
    assert (LedgerEntry.objects.count(), AuditEvent.objects.count()) == (entries, events)
