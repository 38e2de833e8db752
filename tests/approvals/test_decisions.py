"""Deciding real approval steps: order, tiers, workshops, delegation, no self-approval
(R-A3, R-A6)."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from approvals.models import StepState, Tier
from approvals.services import (
    COMMENT_REQUIRED,
    NOT_YOUR_TIER,
    OWN_REQUEST,
    STEP_DECIDED,
    STEP_NOT_CURRENT,
    approval_decide,
)
from audit.models import AuditEvent
from core.errors import StateConflict
from tests.approvals.builders import (
    delegate,
    holds,
    open_steps,
    replenish_request,
    return_request,
    work_order,
)
from tests.factories import UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

WD, PM = Tier.WORKSHOP_DIRECTOR, Tier.PRODUCTION_MANAGER


@pytest.fixture
def people(db):
    """A clerk of WS1, the WS1 and WS2 directors, a plant-wide manager, a delegate in WS1."""
    ws1, ws2 = WorkshopFactory(code="WS1"), WorkshopFactory(code="WS2")
    users = {name: UserFactory(username=name) for name in ("clerk", "dir1", "dir2", "pm", "sub")}
    ws1.members.add(users["sub"])
    holds(users["dir1"], WD, ws1)
    holds(users["dir2"], WD, ws2)
    holds(users["pm"], PM)
    return users


@pytest.fixture
def request_(people):
    return replenish_request(people["clerk"], work_order(people["clerk"], workshop="WS1"))


@pytest.fixture
def steps(request_, handled):
    return open_steps(request_, [WD, PM])


def refused(step, user, message):
    with pytest.raises(StateConflict) as error:
        approval_decide(step=step, actor=user, approve=True)
    assert error.value.message == message
    step.refresh_from_db()
    assert step.state == StepState.PENDING


def refreshed(steps):
    for step in steps:
        step.refresh_from_db()
    return steps


def test_the_chain_is_signed_in_order_and_the_last_approval_hands_over(
    people, request_, steps, handled
):
    first, second = steps
    assert (first.state, second.state, second.due_at) == (StepState.PENDING, "waiting", None)
    approval_decide(step=first, actor=people["dir1"], approve=True, comment="ok", device="HH-1")
    second.refresh_from_db()
    assert second.state == StepState.PENDING and second.due_at is not None
    assert handled == []
    decided = approval_decide(step=second, actor=people["pm"], approve=True)
    assert (decided.decided_by, decided.on_behalf_of) == (people["pm"], None)
    assert handled == [("approved", request_)]
    event = AuditEvent.objects.get(action="approval.approved", object_id=str(first.pk))
    assert (event.actor_username, event.device_id, event.after["tier"]) == ("dir1", "HH-1", WD)


def test_deciding_a_waiting_step_is_409(people, steps):
    with pytest.raises(StateConflict) as error:
        approval_decide(step=steps[1], actor=people["pm"], approve=True)
    assert error.value.message == STEP_NOT_CURRENT


def test_a_second_decision_is_409(people, steps):
    approval_decide(step=steps[0], actor=people["dir1"], approve=True)
    with pytest.raises(StateConflict) as error:
        approval_decide(step=steps[0], actor=people["dir1"], approve=False, comment="no")
    assert error.value.message == STEP_DECIDED


def test_wrong_tier_is_409(people, steps):
    refused(steps[0], people["pm"], NOT_YOUR_TIER)


def test_right_tier_of_another_workshop_is_404_like_an_unknown_step(people, steps):
    with pytest.raises(Http404):
        approval_decide(step=steps[0], actor=people["dir2"], approve=True)
    steps[0].refresh_from_db()
    assert steps[0].state == StepState.PENDING


def test_plant_wide_tier_decides_in_every_workshop(people, steps):
    holds(people["dir2"], WD)  # now also plant-wide
    assert approval_decide(step=steps[0], actor=people["dir2"], approve=True).state == "approved"


def test_the_requester_cannot_approve_even_holding_the_tier(people, steps):
    holds(people["clerk"], WD)
    refused(steps[0], people["clerk"], OWN_REQUEST)


def test_a_delegate_decides_within_the_dates_for_the_principal(people, steps):
    delegate(people["dir1"], people["sub"], starts=0, ends=0)
    step = approval_decide(step=steps[0], actor=people["sub"], approve=True)
    assert (step.decided_by, step.on_behalf_of) == (people["sub"], people["dir1"])
    event = AuditEvent.objects.get(action="approval.approved")
    assert event.after["on_behalf_of"] == "dir1"


@pytest.mark.parametrize("starts, ends", [(-5, -1), (1, 3)])
def test_a_delegate_outside_the_dates_is_409(people, steps, starts, ends):
    delegate(people["dir1"], people["sub"], starts=starts, ends=ends)
    refused(steps[0], people["sub"], NOT_YOUR_TIER)


def test_a_delegation_from_the_requester_gives_nothing(people, steps):
    holds(people["clerk"], WD)
    delegate(people["clerk"], people["sub"])
    refused(steps[0], people["sub"], NOT_YOUR_TIER)


def test_rejecting_needs_a_comment_and_closes_the_round(people, request_, steps, handled):
    with pytest.raises(ValidationError) as error:
        approval_decide(step=steps[0], actor=people["dir1"], approve=False, comment="  ")
    assert error.value.message_dict == {"comment": [str(COMMENT_REQUIRED)]}
    approval_decide(step=steps[0], actor=people["dir1"], approve=False, comment="too much")
    assert [s.state for s in refreshed(steps)] == ["rejected", "cancelled"]
    assert handled == [("rejected", request_)]


def test_return_requests_are_decided_the_same_way(people, handled):
    request = return_request(people["clerk"], work_order(people["clerk"], workshop="WS1"))
    holds(people["sub"], Tier.SUPERVISOR, request.work_order.workshop)
    [step] = open_steps(request, [Tier.SUPERVISOR])
    approval_decide(step=step, actor=people["sub"], approve=True)
    assert handled == [("approved", request)]
