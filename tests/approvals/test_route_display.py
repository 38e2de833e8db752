"""Issue #16: routes for people — the ratio as a percentage, the band and the matrix cell
in words, in both languages — in the replenishment preview and the inbox."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from approvals.models import Tier
from approvals.routing import replenish_route, route_display
from returns.models import RequestKind
from returns.services.replenish import replenish_create, replenish_submit
from tests.approvals.builders import holds, reason
from tests.builders import released_work_order
from tests.factories import MaterialFactory, UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

WD = Tier.WORKSHOP_DIRECTOR


def test_a_route_reads_as_words_and_percentages():
    route = replenish_route(
        approval_class="A", order_qty=1000, required_qty=140, replenish_qty=1
    ).as_dict()
    assert route["ratio"] == "0.0071" and route["order_band"] == "le1000"
    with translation.override("en"):
        shown = route_display(route)
    assert shown["ratio"] == "this request 0.71 %, order total 0.71 %"
    assert (shown["request_ratio"], shown["total_ratio"]) == ("0.71 %", "0.71 %")
    assert shown["band"] == "order ≤ 1,000"
    assert shown["cell"] == "Class A · order ≤ 1,000 · workshop director up to 1 %"
    with translation.override("zh-hans"):
        assert route_display(route)["cell"] == "A 类 · 订单数量 ≤ 1,000 · 车间主任审批上限 1 %"


def test_above_every_limit_and_a_ratio_over_ten():
    route = replenish_route(
        approval_class="A", order_qty=5000, required_qty=10, replenish_qty=128
    ).as_dict()
    with translation.override("en"):
        shown = route_display(route)
    assert shown["total_ratio"] == "1,280 %"
    assert shown["cell"].endswith("GM above every limit"), shown


def test_a_route_stored_before_the_band_limit_was_kept_shows_its_band_code():
    stored = {"ratio": "0.0100", "order_band": "le1000", "approval_class": "B"}
    assert route_display(stored)["band"] == "le1000"
    assert route_display(stored)["ratio"] == "1 %"  # stored before the cumulative ratio


def test_the_inbox_shows_percent_and_the_cell_in_words(user):
    director = UserFactory(username="dir1")
    workshop = WorkshopFactory(code="WS1")
    holds(director, WD, workshop)
    tube = MaterialFactory(code="TUBE", approval_class="A")
    order = released_work_order(
        user, components=[(tube, 1, 0)], planned_qty=1000, workshop=workshop
    )
    workshop.members.add(user)
    request = replenish_create(
        work_order=order,
        reason=reason(RequestKind.REPLENISH, "OVER_QUOTA"),
        lines=[{"material": tube, "quantity": Decimal("7")}],
        applicant=user,
    )
    replenish_submit(replenish_request=request, actor=user)
    browser = Client()
    browser.force_login(director)
    html = browser.get("/approvals/").content.decode()
    assert "0.7 %" in html and "Class A · order ≤ 1,000 · workshop director up to 1 %" in html
    assert "0.0070" not in html and "le1000" not in html
