"""Irreversible actions ask first in Chromium (issue #15, core/confirm.py): with JavaScript
the browser's confirm() names what will happen and dismissing it books nothing; without
JavaScript the "I confirm" checkbox must be ticked."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from returns.models import ReturnRequest, ReturnState
from tests.browser import test_journey
from tests.browser.scenario import PASSWORD
from tests.browser.test_pages import return_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium = test_journey.chromium  # the journey's browser and scene fixtures
scene = test_journey.scene
SCREENSHOTS = test_journey.SCREENSHOTS


def submitted_return(scene):
    client = Client()
    client.force_login(scene.users["clerk"])
    return_post(client, scene)
    return ReturnRequest.objects.order_by("-pk").first()


def clerk_page(chromium, live_server, *, javascript, viewport):
    context = chromium.new_context(
        viewport=viewport, base_url=live_server.url, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill("clerk")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_test_id("current-user")).to_have_text("clerk")
    return context, page


def state_of(slip):
    slip.refresh_from_db()
    return slip.state


def test_dismissing_the_dialog_books_nothing_and_agreeing_withdraws(chromium, live_server, scene):
    slip = submitted_return(scene)
    context, page = clerk_page(
        chromium, live_server, javascript=True, viewport={"width": 390, "height": 844}
    )
    asked = []

    def answer(agree):
        def handle(dialog):
            asked.append(dialog.message)
            dialog.accept() if agree else dialog.dismiss()

        return handle

    page.goto(f"/requests/return/{slip.pk}/")
    expect(page.locator("[data-confirm-check]")).to_be_hidden()  # the dialog asks instead
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "confirm-js-390.png"), full_page=True)
    page.once("dialog", answer(False))
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_timeout(500)
    assert asked == [f"Withdraw {slip.number}? It cannot be submitted again."]
    assert state_of(slip) == ReturnState.SUBMITTED

    page.once("dialog", answer(True))
    page.get_by_role("button", name="Withdraw").click()
    expect(page.locator(".message.success")).to_be_visible()
    assert len(asked) == 2 and state_of(slip) == ReturnState.CANCELLED
    context.close()


def test_without_javascript_the_checkbox_must_be_ticked(chromium, live_server, scene):
    slip = submitted_return(scene)
    context, page = clerk_page(
        chromium, live_server, javascript=False, viewport={"width": 1280, "height": 800}
    )
    page.goto(f"/requests/return/{slip.pk}/")
    check = page.get_by_label(f"I confirm: Withdraw {slip.number}? It cannot be submitted again.")
    expect(check).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "confirm-no-js.png"), full_page=True)
    page.get_by_role("button", name="Withdraw").click()  # the browser wants the tick first
    page.wait_for_timeout(500)
    assert state_of(slip) == ReturnState.SUBMITTED
    check.check()
    page.get_by_role("button", name="Withdraw").click()
    expect(page.locator(".message.success")).to_be_visible()
    assert state_of(slip) == ReturnState.CANCELLED
    context.close()
