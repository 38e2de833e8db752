"""Issue #15 on the pages and the API: line edits on drafts and rejected requests, the
keeper's refusal on the receiving page (R-R5), QC's rejection, the issued lot of a
replenishment and a precise message for a wrong lot."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from approvals.services import approval_decide
from inventory.scanning import lot_label, scan_item
from org.services import role_groups_sync
from returns.forms import scan_mismatch
from returns.models import ReturnState, Verdict
from returns.services.replenish import replenish_submit
from returns.services.return_drafting import return_submit
from returns.services.return_qc import return_qc_verdict
from tests.builders import batch_material, days_from_today, receive
from tests.returns.builders import (
    draft_return,
    issued_replenishment,
    line,
    pending_step,
    tier_holder,
)

pytestmark = pytest.mark.django_db


def logged_in(user, role, workshop):
    role_groups_sync()
    user.groups.add(Group.objects.get(name=role))
    workshop.members.add(user)
    client = Client()
    client.force_login(user)
    return client


def api_for(user, role, workshop):
    role_groups_sync()
    user.groups.add(Group.objects.get(name=role))
    workshop.members.add(user)
    client = APIClient()
    client.force_authenticate(user)
    return client


def detail(slip, kind="return"):
    return reverse("returns:request_detail", kwargs={"kind": kind, "pk": slip.pk})


def edit_url(slip, line_obj, action, kind="return"):
    return reverse(
        "returns:line_edit",
        kwargs={"kind": kind, "pk": slip.pk, "line": line_obj.pk, "action": action},
    )


@pytest.fixture
def draft(work_order, clerk, tube, lot):
    return draft_return(work_order, clerk, [line(tube, 10, lot=lot), line(tube, 5, lot=lot)])


def test_draft_page_removes_and_changes_lines(draft, clerk, workshop):
    client = logged_in(clerk, "clerk", workshop)
    page = client.get(detail(draft)).content.decode()
    assert "Yes, remove the line" in page and 'name="quantity"' in page
    first, second = draft.lines.all()
    response = client.post(edit_url(draft, second, "remove"))
    assert response.status_code == 302
    assert list(draft.lines.values_list("pk", flat=True)) == [first.pk]
    client.post(edit_url(draft, first, "change"), {"quantity": "7"})
    first.refresh_from_db()
    assert first.quantity == 7
    history = client.get(detail(draft)).content.decode()
    assert "line removed" in history and "line changed" in history


def test_submitted_page_shows_no_edits_and_refuses_them(draft, clerk, workshop):
    request = return_submit(return_request=draft, actor=clerk)
    client = logged_in(clerk, "clerk", workshop)
    assert "Yes, remove the line" not in client.get(detail(request)).content.decode()
    response = client.post(edit_url(request, request.lines.first(), "remove"))
    assert response.status_code == 409
    assert "cannot be edited" in response.content.decode()
    assert request.lines.count() == 2


def test_api_patch_and_delete_lines(draft, clerk, workshop):
    api = api_for(clerk, "clerk", workshop)
    first, second = draft.lines.all()
    url = f"/api/v1/returns/{draft.pk}/lines/"
    response = api.patch(f"{url}{first.pk}/", {"quantity": "8"}, format="json")
    assert response.status_code == 200
    assert [Decimal(ln["quantity"]) for ln in response.json()["lines"]] == [8, 5]
    response = api.patch(f"{url}{first.pk}/", {"quantity": "0"}, format="json")
    assert response.status_code == 400 and "quantity" in response.json()
    assert api.delete(f"{url}{second.pk}/").status_code == 200
    assert draft.lines.count() == 1
    assert api.delete(f"{url}{second.pk}/").status_code == 404
    return_submit(return_request=draft, actor=clerk)
    response = api.delete(f"{url}{first.pk}/")
    assert response.status_code == 409
    assert response.json()["detail"].endswith("cannot be edited.")


@pytest.fixture
def reviewed(draft, clerk, workshop):
    request = return_submit(return_request=draft, actor=clerk)
    approval_decide(
        step=pending_step(request), actor=tier_holder("supervisor", workshop), approve=True
    )
    request.refresh_from_db()
    return request


@pytest.fixture
def inspected(reviewed, qc):
    verdicts = [{"line": ln, "verdict": Verdict.GOOD} for ln in reviewed.lines.all()]
    return return_qc_verdict(return_request=reviewed, verdicts=verdicts, actor=qc)


def test_keeper_refuses_on_the_receiving_page(inspected, user, workshop, clerk):
    client = logged_in(user, "keeper", workshop)
    page = client.get(reverse("returns:receiving"), {"slip": inspected.number})
    assert "Refuse and send back" in page.content.decode()
    url = reverse("returns:receiving_refuse", args=[inspected.pk])
    response = client.post(url, {"reject-cause": "other", "reject-note": ""})
    inspected.refresh_from_db()
    assert inspected.state == ReturnState.INSPECTED  # "other" needs a note
    response = client.post(url, {"reject-cause": "mixed", "reject-note": "tubes and bolts"})
    assert response.status_code == 302
    inspected.refresh_from_db()
    assert inspected.state == ReturnState.REJECTED
    assert inspected.rejection_reason == "Mixed materials or warehouse categories: tubes and bolts"
    applicant = logged_in(clerk, "clerk", workshop).get(detail(inspected)).content.decode()
    assert "tubes and bolts" in applicant and "refused at receipt" in applicant
    assert "Yes, remove the line" in applicant


def test_qc_rejects_on_the_verdict_page_and_by_api(reviewed, qc, workshop):
    client = logged_in(qc, "qc", workshop)
    page = client.get(reverse("returns:qc_verdict", args=[reviewed.pk])).content.decode()
    assert "Reject and send back" in page
    url = reverse("returns:qc_reject", args=[reviewed.pk])
    response = client.post(url, {"reject-cause": "wrong_material"})
    assert response.status_code == 302
    reviewed.refresh_from_db()
    assert (reviewed.state, reviewed.rejection_reason) == (
        ReturnState.REJECTED,
        "Wrong material or lot",
    )
    api = api_for(qc, "qc", workshop)
    response = api.post(f"/api/v1/returns/{reviewed.pk}/qc-reject/", {"reason": "x"})
    assert response.status_code == 409


def test_api_keeper_refuses(inspected, user, workshop):
    api = api_for(user, "keeper", workshop)
    url = f"/api/v1/returns/{inspected.pk}/refuse/"
    assert api.post(url, {"reason": ""}, format="json").status_code == 400
    response = api.post(url, {"reason": "reason unclear"}, format="json")
    assert (response.status_code, response.json()["state"]) == (200, "rejected")


def test_issued_replenishment_shows_its_lot(work_order, clerk, tube, workshop):
    issued = issued_replenishment(work_order, clerk, tube, 4)
    page = logged_in(clerk, "clerk", workshop).get(detail(issued, "replenish")).content.decode()
    assert "T1" in page


def test_rejected_replenishment_edits_on_its_page(work_order, clerk, user, tube, workshop):
    from returns.services.replenish import replenish_reject
    from tests.returns.builders import replenishment

    request = replenishment(work_order, clerk, [line(tube, 4)])
    request = replenish_submit(replenish_request=request, actor=clerk)
    request = replenish_reject(replenish_request=request, actor=user, reason="too many")
    client = logged_in(clerk, "clerk", workshop)
    client.post(edit_url(request, request.lines.get(), "change", "replenish"), {"quantity": "2"})
    assert request.lines.get().quantity == 2


def test_wrong_lot_of_the_right_material_is_named(tube, lot, user, shelf, work_order):
    receive(tube, shelf, 10, user, batch_no="T2", expiry_date=days_from_today(100))
    slip_line = inspected_line = draft_return(work_order, user, [line(tube, 1, lot=lot)])
    inspected_line = slip_line.lines.get()
    item = scan_item(lot_label(tube.lots.get(batch_no="T2")))
    assert scan_mismatch(item, inspected_line) == "Lot T2 is not the lot of this line (T1)."
    bolt = batch_material(code="BOLT")
    receive(bolt, shelf, 10, user, batch_no="B1", expiry_date=days_from_today(100))
    item = scan_item(lot_label(bolt.lots.get()))
    assert "is not the material of this line (TUBE)" in scan_mismatch(item, inspected_line)


def test_lines_added_by_scanning_on_the_page(draft, clerk, workshop, work_order, tube):
    client = logged_in(clerk, "clerk", workshop)
    url = reverse("returns:line_add", kwargs={"kind": "return", "pk": draft.pk})
    response = client.post(url, {"code": "L:TUBE|T1", "quantity": "4"})
    assert response.status_code == 302
    assert [ln.quantity for ln in draft.lines.all()] == [10, 5, 4]
    response = client.post(url, {"code": "L:TUBE|T1", "quantity": "500"})
    assert response.status_code == 400
    assert "exceeds what work order" in response.content.decode()
    assert draft.lines.count() == 3
    return_submit(return_request=draft, actor=clerk)
    response = client.post(url, {"code": "L:TUBE|T1", "quantity": "1"})
    assert response.status_code == 409
    assert draft.lines.count() == 3


def test_replenishment_line_added_and_refused_twice(work_order, clerk, tube, workshop):
    from returns.services.line_edits import replenish_line_add
    from tests.returns.builders import replenishment

    request = replenishment(work_order, clerk, [line(tube, 4)])
    with pytest.raises(Exception, match="given on two lines"):
        replenish_line_add(replenish_request=request, material=tube, quantity=1, actor=clerk)
    assert request.lines.count() == 1
