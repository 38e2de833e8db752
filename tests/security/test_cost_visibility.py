"""Amounts in the approval screens (issue #7, item 6): the policy's valuable-amount threshold
and a request's amount are shown only to roles that see costs; the chain of tiers stays
visible to everyone (a clerk must know who will approve)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from approvals.models import Tier
from returns.models import ReasonCode
from tests.approvals.builders import holds, open_steps, replenish_request
from tests.approvals.builders import work_order as approval_work_order
from tests.builders import with_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POLICIES = "/api/v1/approval-policies/"
PREVIEW = "/api/v1/approvals/preview/"
# A replenishment of 1 in 1000 that is worth 1500: above the seeded valuable amount (1000).
VALUABLE = {
    "approval_class": "A",
    "order_qty": "1000",
    "required_qty": "1000",
    "replenish_qty": "1",
    "amount": "1500",
}


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def person(role, **kwargs):
    return with_roles(UserFactory(username=f"{role}-cost"), role, **kwargs)


def test_policy_thresholds_are_for_those_who_see_costs():
    clerk, finance = person("clerk"), person("finance")
    [hidden] = api_as(clerk).get(POLICIES).json()["results"]
    assert "valuable_amount" not in hidden
    assert len(hidden["cells"]) == 36 and hidden["bands"][0]["code"] == "le1000"
    detail = api_as(clerk).get(f"{POLICIES}{hidden['id']}/").json()
    assert "valuable_amount" not in detail and detail["version"] == 1
    [shown] = api_as(finance).get(POLICIES).json()["results"]
    assert shown["valuable_amount"] == "1000.00"
    assert api_as(finance).get(f"{POLICIES}{hidden['id']}/").json()["valuable_amount"] == "1000.00"


def test_the_inbox_shows_the_request_amount_only_to_approvers_who_see_costs():
    applicant = UserFactory(username="applicant")
    order = approval_work_order(applicant, workshop="WS1")
    open_steps(replenish_request(applicant, order, amount=30), [Tier.WORKSHOP_DIRECTOR])
    director = person("workshop_director")
    leader = person("team_leader")  # e.g. standing in for the director
    for approver in (director, leader):
        holds(approver, Tier.WORKSHOP_DIRECTOR, order.workshop)
    [seen] = api_as(director).get("/api/v1/approvals/").json()["results"]
    assert seen["request"]["amount"] == "30.00"
    [unseen] = api_as(leader).get("/api/v1/approvals/").json()["results"]
    assert "amount" not in unseen["request"]
    assert unseen["request"]["lines"] == seen["request"]["lines"]


def test_the_api_preview_shows_the_chain_but_no_amount():
    body = api_as(person("clerk")).get(PREVIEW, VALUABLE).json()
    assert body["chain"] == [Tier.WORKSHOP_DIRECTOR, Tier.DEPUTY_GM]  # valuable: R-A4
    assert not [key for key in body if "amount" in key]
    # The amount (1500) and the valuable threshold (1000.00) appear nowhere; the required
    # quantity the clerk typed (1000.0000) may.
    assert "1500" not in str(body) and "1000.00" not in leaves(body)


def leaves(value):
    """Every scalar in a JSON body, as text."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [str(value)]


def test_the_page_preview_shows_the_chain_but_no_amount(client, work_order, tube):
    tube.standard_cost = Decimal("100")  # 20 × 100 = 2000, above the valuable amount
    tube.save()
    clerk = person("clerk", workshops=[work_order.workshop])
    client.force_login(clerk)
    response = client.post(
        "/requests/new/replenish/",
        {
            "action": "preview",
            "work_order": work_order.number,
            "reason": ReasonCode.objects.get(code="OVER_QUOTA").pk,
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-material": tube.code,
            "form-0-quantity": "20",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert str(Tier.DEPUTY_GM.label) in html and str(Tier.WORKSHOP_DIRECTOR.label) in html
    for amount in ("2000", "2,000", "1000.00", "1,000.00"):  # "order ≤ 1,000" is a quantity
        assert amount not in html
