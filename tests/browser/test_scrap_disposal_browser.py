"""Scrap disposal on a handheld (R-D1): QC picks the scrap area's stock on the new page,
submits; after the signatures the keeper posts with the confirmation. Every page fits 390 px
without sideways scrolling and its controls are finger-sized."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inventory.models import StockBalance
from inventory.services import stock_transfer
from materials.models import LocationKind
from returns.models import DisposalState, ScrapDisposal
from tests.browser.scenario import scenario_build
from tests.browser.test_journey import Actors, chromium, shot  # noqa: F401 (fixture)
from tests.browser.test_narrow_pages import SMALL, overflow, phone_page
from tests.builders import location
from tests.returns.builders import approve_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def actors(chromium, live_server):  # noqa: F811 - the journey's browser
    people = Actors(chromium, live_server.url)
    yield people
    people.close()


@pytest.fixture
def scene(live_server, reference_data):
    scene = scenario_build()
    scene.scrap_area = location("WH1-SCRAP", kind=LocationKind.SCRAP)
    stock_transfer(
        material=scene.tube,
        from_location=scene.shelf,
        to_location=scene.scrap_area,
        quantity=Decimal(3),
        lot=scene.lot,
        actor=scene.users["keeper"],
    )
    return scene


def fits(page, name):
    assert overflow(page) is None, f"{name}: {overflow(page)}"
    assert page.evaluate(SMALL) == [], name
    shot(page, f"scrap-{name}-390")


def test_qc_raises_and_the_keeper_posts_on_a_phone(actors, scene):
    qc = phone_page(actors, scene.users["qc"])
    qc.goto(reverse("returns:disposal_list"))
    fits(qc, "list")
    qc.get_by_role("link", name="New scrap disposal").click()
    fits(qc, "new")
    qc.get_by_label("Disposal route").select_option("warehouse_scrap")
    balance = StockBalance.objects.get(location=scene.scrap_area)
    qc.locator(f"#qty_{balance.pk}").fill("3")
    qc.get_by_role("button", name="Create the draft").click()
    expect(qc.get_by_test_id("state")).to_have_text("draft")
    fits(qc, "detail")
    qc.get_by_test_id("disposal-submit").click()
    expect(qc.get_by_test_id("state")).to_have_text("submitted")

    disposal = ScrapDisposal.objects.get()
    approve_all(disposal)
    keeper = phone_page(actors, scene.users["keeper"])
    keeper.on("dialog", lambda dialog: dialog.accept())
    keeper.goto(disposal.get_absolute_url())
    fits(keeper, "approved")
    keeper.get_by_test_id("disposal-post").click()
    expect(keeper.get_by_test_id("state")).to_have_text("posted")
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.POSTED
    assert StockBalance.objects.get(location=scene.scrap_area).quantity == 0
