"""Lists in Chromium (issue #15, item 4): finance clicks a dashboard tile through to the
filtered return list, searches by number, pages on; at 390 px the table becomes stacked
cards with no sideways scrolling. Screenshots (390x844, 1280x800) go to
artifacts/screenshots/."""

import pytest
from playwright.sync_api import expect

from returns.models import ReturnState
from tests.browser.test_journey import SCREENSHOTS, Actors, chromium, shot  # noqa: F401
from tests.pages.test_list_pages import returns_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1280, "height": 800}}


@pytest.fixture
def scene(live_server, reference_data):
    from tests.browser.scenario import scenario_build

    scene = scenario_build()
    returns_of(scene.work_order, 55, state=ReturnState.REVIEWED)
    returns_of(scene.work_order, 3, state=ReturnState.SUBMITTED)
    return scene


@pytest.mark.parametrize("size", list(SIZES))
def test_finance_goes_from_a_tile_to_the_filtered_list_and_pages_on(
    chromium,  # noqa: F811
    live_server,
    scene,
    size,
):
    actors = Actors(chromium, live_server.url)
    try:
        page = actors.page("finance")
        page.set_viewport_size(SIZES[size])
        page.goto("/")
        page.get_by_test_id("tiles").get_by_role("link", name="Return · Reviewed").click()
        expect(page).to_have_url(f"{live_server.url}/returns/?state=reviewed")
        rows = page.get_by_test_id("request-list").locator("tbody tr")
        expect(rows).to_have_count(50)
        shot(page, f"list-returns-{size}")
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
        page.locator("nav.pagination").get_by_role("link", name="2", exact=True).click()
        expect(rows).to_have_count(5)
        assert "state=reviewed" in page.url and "page=2" in page.url
        page.locator("#id_q").fill("0057")
        page.locator("#id_q").press("Enter")
        # 0057 is a submitted one: the state filter holds beside the search
        expect(page.get_by_text("No requests match.")).to_be_visible()
        page.goto("/returns/?q=0057")
        expect(rows).to_have_count(1)
        for name, url in (("ledger", "/stock/ledger/"), ("work-orders", "/work-orders/")):
            page.goto(url)
            shot(page, f"list-{name}-{size}")
            assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    finally:
        actors.close()
