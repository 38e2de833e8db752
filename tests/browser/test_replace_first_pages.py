"""Replace first, return later (R-P5) on a phone: the replenishment and return pages show the
debt, the new-replenishment page offers the submitted defect return, the work order's
close-out checklist shows the blocking item; nothing scrolls sideways at 390 px.
Screenshots go to artifacts/screenshots/replace-first-*.png."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from returns.services.replenish import replenish_cancel
from returns.services.return_drafting import return_submit
from tests.browser.scenario import scenario_build
from tests.browser.test_journey import actors, chromium, scan, shot  # noqa: F401 (fixtures)
from tests.browser.test_narrow_pages import overflow, phone_page
from tests.returns.builders import draft_return, line, replenishment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_debt_shows_on_every_page_at_390_px(actors, live_server, reference_data):  # noqa: F811
    scene = scenario_build()
    clerk = scene.users["clerk"]
    slip = draft_return(
        scene.work_order, clerk, [line(scene.tube, 5, lot=scene.lot)], code="SUPPLIER_DEFECT"
    )
    slip = return_submit(return_request=slip, actor=clerk)
    citation = {"return_line": slip.lines.get(), "quantity": Decimal(5)}
    request = replenishment(
        scene.work_order,
        clerk,
        [line(scene.tube, 5, citations=[citation])],
        code="MATERIAL_DEFECT",
    )
    debt = f"replaced 5 PCS of TUBE ahead of return {slip.number}: 5 PCS still to be returned."
    page = phone_page(actors, clerk)
    pages = {
        "replenishment": reverse("returns:request_detail", args=["replenish", request.pk]),
        "return": reverse("returns:request_detail", args=["return", slip.pk]),
        "work-order": reverse("workorders:detail", args=[scene.work_order.pk]),
    }
    for name, path in pages.items():
        page.goto(path)
        assert debt in page.locator("main").inner_text(), name
        assert overflow(page) is None, name
        shot(page, f"replace-first-{name}-390")
    assert "Replacements matched by posted defect returns" in page.locator("main").inner_text()

    # Scanning the material fills the line from what the submitted return has left uncited.
    replenish_cancel(replenish_request=request, actor=clerk)
    page.goto(reverse("returns:new_replenish"))
    page.get_by_label("Work order").fill(scene.work_order.number)
    page.get_by_label("Reason").select_option(label="MATERIAL_DEFECT · Material defect")
    scan(page, "M:TUBE")
    expect(page.locator("input[name='form-0-quantity']")).to_have_value(re.compile(r"^5"))
    chosen = page.locator("select[name='form-0-replaces'] option:checked")
    expect(chosen).to_have_text(
        f"{slip.number} · TUBE · 5 PCS defective (submitted: replace first, return later)"
    )
    assert overflow(page) is None
    shot(page, "replace-first-new-replenishment-390")
