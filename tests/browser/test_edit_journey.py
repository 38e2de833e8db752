"""Edit before it counts, in Chromium (issue #15): the clerk raises a return of two lines,
removes one (confirming), submits; the supervisor rejects it in the inbox with a comment;
the clerk reads the reason, changes the quantity and submits again. Screenshots at the
tablet's and the phone's sizes go to artifacts/screenshots/."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from returns.models import ReturnRequest, ReturnState
from tests.browser.scenario import gs1
from tests.browser.test_journey import actors, chromium, scan, scene, shot  # noqa: F401
from tests.builders import receive
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_raise_remove_submit_reject_edit_resubmit(actors, scene):  # noqa: F811
    keeper = scene.users["keeper"]
    receive(scene.tube, scene.shelf, 50, keeper, batch_no="B2")
    work_order_issue(
        work_order=scene.work_order,
        actor=keeper,
        lines=[
            IssueLine(scene.tube, Decimal(10), scene.shelf, lot=scene.tube.lots.get(batch_no="B2"))
        ],
    )

    clerk = actors.page("clerk")
    clerk.goto(f"/requests/new/return/?work_order={scene.work_order.number}")
    clerk.get_by_label("Reason").select_option(label="LEFTOVER · Saving / leftover")
    scan(clerk, gs1(3))
    scan(clerk, gs1(2, batch="B2"))
    expect(clerk.locator("tr[data-material=TUBE]")).to_have_count(2)
    clerk.get_by_role("button", name="Save as draft").click()
    expect(clerk.get_by_test_id("state")).to_have_text("draft")

    clerk.get_by_test_id("line-remove-2").click()
    clerk.get_by_test_id("line-remove-confirm-2").click()
    expect(clerk.locator(".message.success")).to_contain_text("Line removed")
    slip = ReturnRequest.objects.get()
    assert [str(ln.lot.batch_no) for ln in slip.lines.all()] == ["B1"]
    clerk.get_by_role("button", name="Submit", exact=True).click()
    expect(clerk.get_by_test_id("state")).to_have_text("submitted")
    slip.refresh_from_db()

    supervisor = actors.page("supervisor")
    supervisor.goto("/approvals/")
    card = supervisor.locator("article[data-step]", has_text=slip.number)
    card.get_by_label("Comment").fill("Only 2 are left over")
    card.get_by_role("button", name="Reject").click()
    expect(supervisor.locator(".message.success")).to_be_visible()

    clerk.reload()
    expect(clerk.get_by_test_id("state")).to_have_text("rejected")
    expect(clerk.locator("dl.facts")).to_contain_text("Only 2 are left over")
    clerk.get_by_label("Quantity 1").fill("2")
    shot(clerk, "15-clerk-edits-rejected-return")
    clerk.set_viewport_size({"width": 390, "height": 844})
    shot(clerk, "15-clerk-edits-rejected-return-phone")
    clerk.set_viewport_size({"width": 1280, "height": 800})
    clerk.get_by_test_id("line-change-1").click()
    expect(clerk.locator(".message.success")).to_contain_text("Line changed")
    clerk.get_by_role("button", name="Submit", exact=True).click()
    expect(clerk.get_by_test_id("state")).to_have_text("submitted")
    slip.refresh_from_db()
    assert slip.state == ReturnState.SUBMITTED
    assert [ln.quantity for ln in slip.lines.all()] == [Decimal(2)]
