"""The header's unread badge follows without a reload (htmx polls it every 30 s), a
notification opens its document and is read, and the e-mail preferences page (issue #15
item 1); screenshots at the phone's and the tablet's size."""

import pytest
from playwright.sync_api import expect

from returns.models import ReasonCode
from returns.services.return_drafting import return_create
from tests.browser.test_journey import Actors, chromium, scene, shot  # noqa: F401 - fixtures
from tests.returns.builders import line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def actors(chromium, live_server):  # noqa: F811 - the journey's browser
    people = Actors(chromium, live_server.url)
    yield people
    people.close()


def test_badge_updates_without_reload_and_a_notice_opens_its_document(actors, scene, settings):  # noqa: F811
    settings.NOTIFICATION_POLL_SECONDS = 2  # the page polls as in production, only sooner
    supervisor = actors.page("supervisor")
    supervisor.goto("/")
    badge = supervisor.locator("#notification-badge")
    expect(badge).to_have_text("")
    slip = return_create(  # the clerk submits (their pages are the journey's business)
        work_order=scene.work_order,
        reason=ReasonCode.objects.get(code="LEFTOVER"),
        lines=[line(scene.tube, "5", lot=scene.lot)],
        applicant=scene.users["clerk"],
        submit=True,
    )
    expect(badge).to_have_text("1 unread", timeout=15_000)  # polled, no reload
    for name, size in (("phone", PHONE), ("tablet", TABLET)):
        supervisor.set_viewport_size(size)
        supervisor.goto("/approvals/notifications/")
        shot(supervisor, f"notifications-{name}")
        assert supervisor.evaluate(FITS), name  # no sideways scrolling
    supervisor.get_by_role("button", name=f"{slip.number} waits for your approval").click()
    expect(supervisor).to_have_url(f"{actors.base_url}/approvals/")
    expect(supervisor.locator("#notification-badge")).to_have_text("")

    supervisor.goto("/approvals/notifications/preferences/")
    supervisor.get_by_label("Your request approved").uncheck()
    supervisor.get_by_role("button", name="Save").click()
    expect(supervisor.locator(".messages")).to_contain_text("preferences were saved")
    expect(supervisor.get_by_label("Your request approved")).not_to_be_checked()
    for name, size in (("phone", PHONE), ("tablet", TABLET)):
        supervisor.set_viewport_size(size)
        shot(supervisor, f"notification-preferences-{name}")
