"""The warehouse's day through the pages in Chromium (issue #15 item 2): the keeper receives
purchased stock on the receipt page (a new lot with expiry, supplier and certificate), is
offered its labels, and issues it to a released work order on the issue page, where FEFO
picks the lot and the pick is shown before confirming. Each stock page is looked at on a
390 px phone and a 1280 px tablet without sideways scrolling. No service call in the test."""

import pytest
from playwright.sync_api import expect

from inventory.models import LedgerEntry, MovementType, StockBalance
from tests.browser.scenario import scenario_build
from tests.browser.test_journey import Actors, chromium, shot  # noqa: F401 (fixture)
from tests.builders import days_from_today, released_work_order
from tests.factories import SupplierFactory
from workorders.models import WorkOrderStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}


@pytest.fixture
def scene(live_server, reference_data):
    scene = scenario_build()
    SupplierFactory(code="ACME-T", name="Acme Tubes")
    scene.new_order = released_work_order(
        scene.users["keeper"],
        components=[(scene.tube, "1", "0")],
        number="WO-200",
        workshop=scene.workshop,
    )
    return scene


@pytest.fixture
def actors(chromium, live_server):  # noqa: F811 (the imported module fixture)
    people = Actors(chromium, live_server.url)
    yield people
    people.close()


def fits(page):
    """No sideways scrolling: the page is no wider than the viewport."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def looked_at(page, name):
    for label, size in (("390", PHONE), ("1280", TABLET)):
        page.set_viewport_size(size)
        assert fits(page), f"{name} scrolls sideways at {label} px"
        shot(page, f"wh-{name}-{label}")


def test_receive_then_issue_through_the_pages(actors, scene):
    keeper = actors.page("keeper")
    expiry = days_from_today(60).isoformat()

    keeper.goto("/stock/receive/")
    code = keeper.get_by_label("Scan the material")
    expect(code).to_be_focused()
    code.fill("M:TUBE")
    code.press("Enter")  # a keyboard wedge ends with Enter: it moves on, it does not submit
    expect(keeper.get_by_label("Into location")).to_be_focused()
    keeper.keyboard.type("LOC:WH1-A01")
    keeper.get_by_label("Quantity").fill("60")
    keeper.get_by_label("Batch number").fill("B9")
    keeper.get_by_label("Expiry date").fill(expiry)
    keeper.get_by_label("Supplier").select_option("ACME-T")
    keeper.get_by_label("Certificate number").fill("COA-9")
    keeper.get_by_label("Inspection status").select_option("passed")
    looked_at(keeper, "receive-form")
    keeper.get_by_role("button", name="Check").click()
    expect(keeper.get_by_test_id("stock-preview")).to_contain_text("new lot")
    assert not LedgerEntry.objects.filter(lot__batch_no="B9").exists()
    looked_at(keeper, "receive-confirm")
    keeper.get_by_role("button", name="Confirm receipt").click()
    expect(keeper.locator(".message.success")).to_contain_text("received into WH1-A01")
    expect(keeper.get_by_test_id("print-labels")).to_contain_text("Lot B9 of TUBE")
    looked_at(keeper, "receive-labels")
    assert StockBalance.objects.get(lot__batch_no="B9").quantity == 60

    # The lot with an expiry goes first (FEFO); the keeper scans only the material.
    work_order = scene.new_order
    keeper.goto(f"/work-orders/{work_order.pk}/")
    keeper.get_by_role("link", name="Issue material").click()
    expect(keeper.get_by_test_id("fefo")).to_contain_text("B9 · WH1-A01 · 60")
    keeper.get_by_label("Scan the label").fill("M:TUBE")
    keeper.get_by_label("Quantity").fill("25")
    looked_at(keeper, "issue-form")
    keeper.get_by_role("button", name="Check").click()
    expect(keeper.get_by_test_id("picked-lot")).to_contain_text("B9")
    assert not LedgerEntry.objects.filter(work_order=work_order).exists()
    looked_at(keeper, "issue-confirm")
    keeper.get_by_role("button", name="Confirm issue").click()
    expect(keeper.locator(".message.success")).to_contain_text("issued to WO-200")

    entry = LedgerEntry.objects.get(work_order=work_order)
    assert (entry.movement_type, entry.lot.batch_no, entry.quantity) == (
        MovementType.ISSUE,
        "B9",
        -25,
    )
    assert StockBalance.objects.get(lot__batch_no="B9").quantity == 35
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.IN_PROGRESS

    for path, name in (("/stock/transfer/", "transfer"), ("/stock/adjust/", "adjust")):
        keeper.goto(path)
        looked_at(keeper, name)
    director = actors.page("director")
    director.goto("/work-orders/new/")
    looked_at(director, "work-order-new")
