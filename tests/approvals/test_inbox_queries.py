"""The inbox page and API cost the same number of statements for a page of 4 steps as for
a page of 16 (issue #17, item 2): rows are read per page, never per step."""

import pytest

from approvals.models import Tier
from approvals.services import approval_decide
from returns.models import ReplacementCitation
from tests.approvals.builders import (
    holds,
    open_steps,
    replenish_request,
    return_request,
    work_order,
)
from tests.approvals.test_selectors import attach
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WD, PM = Tier.WORKSHOP_DIRECTOR, Tier.PRODUCTION_MANAGER
# Session and user; the count and the page of steps; per kind of request: the requests, their
# lines, attachments (and for replenishments the return lines they replace); the decided
# steps: 12. The page adds what the base template shows (permissions and roles for the menu
# in one query, workshops, the unread badge): 3; the API the roles for cost visibility: 1.
PAGE_STATEMENTS = 15
API_STATEMENTS = 13


@pytest.fixture
def inbox(handled):
    """The production manager's inbox and a way to add two steps (one of each kind), each
    with lines, an attachment, a citation and an earlier decision."""
    clerk, director, manager = (UserFactory(username=n) for n in ("clerk", "dir", "pm"))
    holds(director, WD)
    holds(manager, PM)
    order = work_order(clerk)

    def add(pairs):
        for _ in range(pairs):
            returned, replenished = return_request(clerk, order), replenish_request(clerk, order)
            ReplacementCitation.objects.create(
                replenish_line=replenished.lines.get(),
                return_line=returned.lines.get(),
                quantity=1,
            )
            for request in (returned, replenished):
                attach(request, "report.pdf")
                first, _second = open_steps(request, [WD, PM])
                approval_decide(step=first, actor=director, approve=True)

    return manager, add


def test_the_inbox_page_costs_the_same_for_4_or_16_steps(inbox, client, django_assert_num_queries):
    manager, add = inbox
    client.force_login(manager)
    for total in (4, 16):
        add(total // 2 - len(client.get("/approvals/").context["steps"]) // 2)
        with django_assert_num_queries(PAGE_STATEMENTS):
            response = client.get("/approvals/")
        assert len(response.context["steps"]) == total
        assert response.content.decode().count("replaces RT-T-") == total // 2


def test_the_inbox_api_costs_the_same_for_4_or_16_steps(inbox, client, django_assert_num_queries):
    manager, add = inbox
    client.force_login(manager)
    for total in (4, 16):
        add(total // 2 - client.get("/api/v1/approvals/").json()["count"] // 2)
        with django_assert_num_queries(API_STATEMENTS):
            steps = client.get("/api/v1/approvals/").json()["results"]
        assert len(steps) == total
        assert all(step["request"]["lines"] and step["history"] for step in steps)
