"""Suspect material on a phone (R-R9): the keeper opens the signed nonconforming record at
390 px, picks scrap, agrees to the confirmation, and the material leaves quarantine."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inventory.models import StockBalance
from materials.models import LocationKind
from returns.models import NonconformingState
from tests.browser.scenario import scenario_build
from tests.browser.test_journey import Actors, accept_dialogs, chromium, shot  # noqa: F401 (fixture)
from tests.browser.test_narrow_pages import overflow, phone_page
from tests.builders import location
from tests.returns.nonconforming_builders import quarantined, record_of, sign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def actors(chromium, live_server):  # noqa: F811 (the imported module fixture)
    people = Actors(chromium, live_server.url)
    yield people
    people.close()


def test_keeper_disposes_of_suspect_material_on_a_phone(actors, live_server, reference_data):
    scene = scenario_build()
    users = scene.users
    quarantine = location("WH1-QA", warehouse=scene.shelf.warehouse, kind=LocationKind.QUARANTINE)
    scrap = location("WH1-SC", warehouse=scene.shelf.warehouse, kind=LocationKind.SCRAP)
    slip = quarantined(
        scene.work_order,
        scene.tube,
        3,
        lot=scene.lot,
        applicant=users["clerk"],
        qc=users["qc"],
        keeper=users["keeper"],
    )
    record = record_of(slip)
    sign(record, scene.workshop)

    page = phone_page(actors, users["keeper"])
    page.goto(reverse("returns:nonconforming_list"))
    assert overflow(page) is None
    page.get_by_role("link", name=record.number).click()
    expect(page.get_by_test_id("dispose-form")).to_be_visible()
    assert overflow(page) is None
    shot(page, "nonconforming-detail-390")
    asked = accept_dialogs(page)
    page.get_by_label("scrap").check()
    page.get_by_role("button", name="Carry out and close").click()
    expect(page.get_by_test_id("state")).to_have_text("disposed and closed")
    assert asked and record.number in asked[0]
    record.refresh_from_db()
    assert (record.state, record.destination) == (NonconformingState.CLOSED, scrap)
    balance = StockBalance.objects.get(material=scene.tube, lot=scene.lot, location=scrap)
    assert balance.quantity == 3
    assert not StockBalance.objects.filter(location=quarantine, quantity__gt=0).exists()
