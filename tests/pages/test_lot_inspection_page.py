"""QC's lot inspection page (R-M4, issue #15): a lot received pending inspection waits for
QC, who passes or fails it (audited); only then does FEFO issue from it."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from inventory.models import InspectionStatus
from inventory.selectors import fefo_suggestion
from tests.builders import batch_material, location, receive

pytestmark = pytest.mark.django_db

PAGE = reverse("stock:lot_inspection")


@pytest.fixture
def lots(roles, admin):
    """TUBE on the shelf: lot B1 passed, lot B2 and B3 just received, pending inspection."""
    tube, shelf = batch_material(code="TUBE"), location("WH1-A01")
    pending = {"inspection_status": InspectionStatus.PENDING}
    receive(tube, shelf, 10, admin, batch_no="B1")
    receive(tube, shelf, 20, admin, batch_no="B2", certificate_no="COA-2", **pending)
    receive(tube, shelf, 5, admin, batch_no="B3", **pending)
    return tube, {lot.batch_no: lot for lot in tube.lots.all()}


def test_qc_passes_a_pending_lot_and_fefo_issues_from_it(role_client, lots):
    tube, by_batch = lots
    client = role_client("qc")
    page = client.get(PAGE).content.decode()
    assert 'data-lot="B2"' in page and 'data-lot="B3"' in page and 'data-lot="B1"' not in page
    assert "COA-2" in page
    assert fefo_suggestion(material=tube, quantity=30)[1] == 20  # only B1's 10 is issuable

    done = client.post(PAGE, {"lot": by_batch["B2"].pk, "status": "passed"}, follow=True)
    assert "Lot B2 of TUBE: passed." in done.content.decode()
    assert 'data-lot="B2"' not in done.content.decode()
    by_batch["B2"].refresh_from_db()
    assert by_batch["B2"].inspection_status == InspectionStatus.PASSED
    event = AuditEvent.objects.get(action="lot.inspection", object_id=str(by_batch["B2"].pk))
    assert (event.actor_username, event.after["inspection_status"]) == ("qc-user", "passed")
    assert fefo_suggestion(material=tube, quantity=30)[1] == 0

    client.post(PAGE, {"lot": by_batch["B3"].pk, "status": "failed"})
    by_batch["B3"].refresh_from_db()
    assert by_batch["B3"].inspection_status == InspectionStatus.FAILED


def test_only_waiting_lots_and_decisions_are_taken(role_client, lots):
    _tube, by_batch = lots
    client = role_client("qc")
    for data in (
        {"lot": by_batch["B1"].pk, "status": "failed"},  # already passed: not waiting
        {"lot": by_batch["B2"].pk, "status": "pending"},  # not a decision
    ):
        refused = client.post(PAGE, data, follow=True).content.decode()
        assert "Choose a lot waiting for inspection" in refused
    statuses = {lot.batch_no: lot.inspection_status for lot in by_batch["B1"].material.lots.all()}
    assert statuses == {"B1": "passed", "B2": "pending", "B3": "pending"}


def test_the_keeper_may_not_inspect(role_client, lots):
    _tube, by_batch = lots
    client = role_client("keeper")
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"lot": by_batch["B2"].pk, "status": "passed"}).status_code == 403
