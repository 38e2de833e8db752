"""Whose inbox a step is in (R-A6), and that reading it costs a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import ApprovalStep, Tier
from approvals.selectors import inbox_for, step_rows, step_values
from approvals.services import approval_decide
from returns.models import RequestAttachment
from returns.services.attachments import REQUEST_FIELD
from tests.approvals.builders import (
    delegate,
    holds,
    open_steps,
    replenish_request,
    return_request,
    work_order,
)
from tests.builders import days_from_today
from tests.factories import UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

WD, PM = Tier.WORKSHOP_DIRECTOR, Tier.PRODUCTION_MANAGER


@pytest.fixture
def plant(handled):
    """Pending director steps in WS1 and WS2, raised by two clerks."""
    users = {
        name: UserFactory(username=name)
        for name in ("clerk", "clerk2", "dir1", "dir2", "plant", "pm", "sub", "nobody")
    }
    ws1, ws2 = WorkshopFactory(code="WS1"), WorkshopFactory(code="WS2")
    holds(users["dir1"], WD, ws1)
    holds(users["dir2"], WD, ws2)
    holds(users["plant"], WD)
    holds(users["pm"], PM)
    orders = {
        "WS1": work_order(users["clerk"], number="WO-1", workshop="WS1"),
        "WS2": work_order(users["clerk"], number="WO-2", workshop="WS2"),
    }
    steps = {
        "ws1": open_steps(replenish_request(users["clerk"], orders["WS1"]), [WD, PM])[0],
        "ws2": open_steps(return_request(users["clerk"], orders["WS2"]), [WD])[0],
        "by_plant": open_steps(replenish_request(users["plant"], orders["WS1"]), [WD])[0],
    }
    return users, steps


def inbox(user, **kwargs):
    return set(inbox_for(user=user, **kwargs))


def test_each_user_sees_the_steps_of_their_tiers_and_workshops(plant):
    users, steps = plant
    assert inbox(users["dir1"]) == {steps["ws1"], steps["by_plant"]}
    assert inbox(users["dir2"]) == {steps["ws2"]}
    assert inbox(users["plant"]) == {steps["ws1"], steps["ws2"]}  # not their own request
    assert inbox(users["pm"]) == set()  # its step is still waiting
    assert inbox(users["nobody"]) == inbox(users["clerk"]) == set()


def test_decided_steps_leave_the_inbox_and_the_next_one_enters(plant):
    users, steps = plant
    approval_decide(step=steps["ws1"], actor=users["dir1"], approve=True)
    assert inbox(users["plant"]) == {steps["ws2"]}
    [next_step] = inbox(users["pm"])
    assert (next_step.object_id, next_step.sequence) == (steps["ws1"].object_id, 2)


def test_a_delegate_sees_the_principals_steps_within_the_dates(plant):
    users, steps = plant
    delegate(users["dir2"], users["sub"], starts=0, ends=2)
    assert inbox(users["sub"]) == {steps["ws2"]}
    assert inbox(users["sub"], today=days_from_today(3)) == set()


def test_a_delegate_does_not_see_the_principals_own_requests(plant):
    users, steps = plant
    delegate(users["plant"], users["sub"])
    assert inbox(users["sub"]) == {steps["ws1"], steps["ws2"]}


def test_history_lists_decided_steps_of_every_round(plant):
    users, steps = plant
    approval_decide(step=steps["ws1"], actor=users["dir1"], approve=False, comment="why?")
    request = steps["ws1"].request
    [step] = open_steps(request, [WD])
    approval_decide(step=step, actor=users["dir1"], approve=True)
    [with_history] = step_rows(step_values(ApprovalStep.objects.filter(pk=steps["ws1"].pk)))
    history = with_history["history"]
    assert [(s["round"], s["state"]) for s in history] == [(1, "rejected"), (2, "approved")]
    assert [s["id"] for s in history] == [steps["ws1"].pk, step.pk]


def read_inbox(user):
    steps = step_rows(step_values(inbox_for(user=user)))
    return [
        (
            step["workshop"],
            step["policy_version"],
            step["requester"],
            step["request"]["work_order"]["number"],
            step["request"]["reason"]["code"],
            step["request"]["applicant"],
            [(line["material"]["code"], line["quantity"]) for line in step["request"]["lines"]],
            [attachment["original_name"] for attachment in step["request"]["attachments"]],
            [h["decided_by"] for h in step["history"]],
        )
        for step in steps
    ]


def attach(request, name):
    """A row only: this test counts the inbox's queries, not the upload rules."""
    RequestAttachment.objects.create(
        **{REQUEST_FIELD[type(request)]: request},
        file=f"attachments/{name}",
        original_name=name,
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=request.applicant,
    )


def test_reading_the_inbox_costs_the_same_for_2_or_6_steps(handled):
    clerk, director, manager = (UserFactory(username=n) for n in ("clerk", "dir", "pm"))
    holds(director, WD)
    holds(manager, PM)
    order = work_order(clerk)

    def add_one_of_each_kind():
        for request in (replenish_request(clerk, order), return_request(clerk, order)):
            attach(request, "report.pdf")
            attach(request, "photo.pdf")
            first, _second = open_steps(request, [WD, PM])
            approval_decide(step=first, actor=director, approve=True)

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = read_inbox(manager)
        assert all(row[-1] == ["dir"] for row in rows)
        assert all(row[-2] == ["report.pdf", "photo.pdf"] for row in rows)
        return len(rows), len(queries)

    add_one_of_each_kind()
    two = count()
    add_one_of_each_kind()
    add_one_of_each_kind()
    # steps; each kind of request with its lines and attachments (replenishments: and the
    # return lines their lines replace); history
    assert (two, count()) == ((2, 9), (6, 9))
