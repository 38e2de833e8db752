"""The clerk, supervisor, QC and warehouse pages with Django's test client: the same journey
as the browser test, quick enough for every run, plus scope and error display."""

from decimal import Decimal

import pytest
from django.urls import reverse

from alerts.services import notify
from approvals.models import ApprovalStep, StepState
from inventory.models import LedgerEntry, StockBalance
from returns.models import (
    ReasonCode,
    ReplenishRequest,
    ReplenishState,
    ReturnRequest,
    ReturnState,
    ShortageSlip,
    ShortageState,
    Verdict,
)
from returns.services.replenish import replenish_submit
from tests.browser.scenario import gs1, scenario_build
from tests.builders import receive
from tests.factories import UserFactory, WorkshopFactory
from tests.returns.builders import approve_all, replenishment
from tests.returns.builders import line as request_line

pytestmark = pytest.mark.django_db

NEW_RETURN = reverse("returns:new_return")
NEW_REPLENISH = reverse("returns:new_replenish")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def scene(reference_data):
    return scenario_build()


def as_user(client, scene, name):
    client.force_login(scene.users[name])
    return client


def management(prefix="form", total=1):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


def return_post(client, scene, action="submit", quantity="5", reason="SUPPLIER_DEFECT"):
    data = {
        "work_order": scene.work_order.number,
        "reason": ReasonCode.objects.get(code=reason).pk,
        "explanation": "split tubes",
        **management(),
        "form-0-material": "TUBE",
        "form-0-lot": "B1",
        "form-0-serials": "",
        "form-0-quantity": quantity,
        "form-0-condition": "defective",
        "form-0-excess_explanation": "",
        "action": action,
    }
    return client.post(NEW_RETURN, data)


def test_login_page_and_shell_show_user_workshop_and_language_switch(client, scene):
    assert client.get("/").status_code == 302
    page = client.get(reverse("login"))
    assert page.status_code == 200 and b'name="username"' in page.content
    response = client.post(reverse("login"), {"username": "clerk", "password": "journey-pass-2026"})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/").content.decode()
    assert "clerk" in home and "Assembly" in home
    assert 'action="/i18n/setlang/"' in home and "简体中文" in home
    assert NEW_RETURN in home and reverse("returns:qc_list") not in home  # role-aware menu


def test_scanning_a_gs1_label_adds_then_fills_the_line(client, scene):
    as_user(client, scene, "clerk")
    base = {"work_order": scene.work_order.number, "action": "scan", **management(total=0)}
    first = client.post(NEW_RETURN, {**base, "code": gs1(3)}, **HTMX)
    assert first.status_code == 200 and first["HX-Trigger-After-Settle"] == "lines-changed"
    html = first.content.decode()
    assert 'value="TUBE"' in html and 'value="3"' in html
    again = {
        **base,
        **management(total=1),
        "form-0-material": "TUBE",
        "form-0-lot": "B1",
        "form-0-quantity": "3",
        "code": gs1(2),
    }
    second = client.post(NEW_RETURN, again, **HTMX).content.decode()
    assert second.count('name="form-0-material"') == 1 and 'value="5"' in second
    unknown = client.post(NEW_RETURN, {**base, "code": "NOPE-42"}, **HTMX).content.decode()
    assert "Nothing is known by the code NOPE-42." in unknown


def test_service_errors_are_shown_next_to_the_fields(client, scene):
    as_user(client, scene, "clerk")
    page = return_post(client, scene, quantity="900").content.decode()
    assert "exceeds what work order WO-100 can still return" in page
    assert not ReturnRequest.objects.exists()
    missing = client.post(NEW_RETURN, {"work_order": "WO-404", **management(total=0)})
    assert "No work order WO-404 that you can work on." in missing.content.decode()


def test_whole_journey_through_the_pages(client, scene):
    """Return → inbox approval → QC → scanned receipt and posting → one-for-one
    replenishment with its chain preview → bulk approval → issue."""
    as_user(client, scene, "clerk")
    response = return_post(client, scene)
    slip = ReturnRequest.objects.get()
    assert response["Location"] == reverse(
        "returns:request_detail", kwargs={"kind": "return", "pk": slip.pk}
    )
    assert slip.state == ReturnState.SUBMITTED
    detail = client.get(response["Location"]).content.decode()
    assert slip.number in detail and reverse("returns:slip_print", args=[slip.number]) in detail
    assert slip.number in client.get(reverse("returns:my_requests")).content.decode()

    as_user(client, scene, "supervisor")
    step = ApprovalStep.objects.get(state=StepState.PENDING)
    inbox = client.get(reverse("approvals:inbox")).content.decode()
    assert slip.number in inbox and "TUBE" in inbox
    client.post(reverse("approvals:decide", args=[step.pk, "approve"]), {"comment": "ok"})
    as_user(client, scene, "director")  # a defect return: the workshop director too (R-A4)
    step = ApprovalStep.objects.get(state=StepState.PENDING)
    client.post(reverse("approvals:decide", args=[step.pk, "approve"]), {"comment": "ok"})
    slip.refresh_from_db()
    assert slip.state == ReturnState.REVIEWED

    as_user(client, scene, "qc")
    assert slip.number in client.get(reverse("returns:qc_list")).content.decode()
    line = slip.lines.get()
    verdict = {
        **management(),
        "form-0-line": line.pk,
        "form-0-verdict": Verdict.SUPPLIER_DEFECT,
        "form-0-defect_rate": "",
        "form-0-qc_note": "cracked",
    }
    client.post(reverse("returns:qc_verdict", args=[slip.pk]), verdict)
    slip.refresh_from_db()
    assert slip.state == ReturnState.INSPECTED

    as_user(client, scene, "keeper")
    entries = LedgerEntry.objects.count()
    receiving = reverse("returns:receiving") + f"?slip={slip.number}"
    assert "TUBE" in client.get(receiving).content.decode()
    wrong = client.post(
        receiving,
        {
            **management(),
            "form-0-line": line.pk,
            "form-0-code": "M:NOPE",
            "form-0-received_qty": "5",
        },
    )
    assert "Nothing is known by the code M:NOPE." in wrong.content.decode()
    counted = {
        **management(),
        "form-0-line": line.pk,
        "form-0-code": "L:TUBE|B1",
        "form-0-received_qty": "5",
        "form-0-foreign_qty": "0",
        "form-0-location": "LOC:WH1-SR",
    }
    page = client.get(receiving).content.decode()
    assert (
        f'data-confirm="Receive {slip.number} and post it to the stock ledger? '
        'This cannot be undone."' in page
    )
    assert 'name="confirmed" value="1" required' in page
    unasked = client.post(receiving, counted).content.decode()
    assert "Nothing was done: tick “I confirm” to go ahead." in unasked
    assert 'value="5"' in unasked  # the counts stay on the page
    assert LedgerEntry.objects.count() == entries
    client.post(
        receiving,
        {
            **management(),
            "form-0-line": line.pk,
            "form-0-code": "L:TUBE|B1",
            "form-0-received_qty": "5",
            "form-0-foreign_qty": "0",
            "form-0-location": "LOC:WH1-SR",
            "confirmed": "1",
        },
    )
    slip.refresh_from_db()
    assert slip.state == ReturnState.POSTED and LedgerEntry.objects.count() == entries + 1
    assert StockBalance.objects.get(location=scene.supplier_area).quantity == Decimal(5)

    as_user(client, scene, "clerk")
    base = {"work_order": scene.work_order.number, **management(total=0)}
    scanned = client.post(NEW_REPLENISH, {**base, "action": "scan", "code": "M:TUBE"}, **HTMX)
    html = scanned.content.decode()
    assert f'value="{line.pk}" selected' in html and 'value="5' in html  # filled one-for-one
    reason = ReasonCode.objects.get(code="MATERIAL_DEFECT").pk
    lines = {
        **management(),
        "form-0-material": "TUBE",
        "form-0-quantity": "5",
        "form-0-replaces": line.pk,
    }
    preview = client.post(
        NEW_REPLENISH, {**base, **lines, "reason": reason, "action": "preview"}, **HTMX
    ).content.decode()
    assert "Material control" in preview or "material control" in preview
    client.post(NEW_REPLENISH, {**base, **lines, "reason": reason, "action": "submit"})
    replenishment = ReplenishRequest.objects.get()
    assert replenishment.state == ReplenishState.SUBMITTED

    as_user(client, scene, "director")
    while ApprovalStep.objects.filter(state=StepState.PENDING).exists():
        ids = ApprovalStep.objects.filter(state=StepState.PENDING).values_list("pk", flat=True)
        client.post(reverse("approvals:bulk_approve"), {"steps": list(ids), "comment": "bulk"})
    replenishment.refresh_from_db()
    assert replenishment.state == ReplenishState.APPROVED

    as_user(client, scene, "keeper")
    page = client.get(reverse("returns:receiving")).content.decode()
    assert f'data-confirm="Issue {replenishment.number} from stock now?' in page
    unasked = client.post(reverse("returns:replenish_issue", args=[replenishment.pk]), follow=True)
    assert "Nothing was done: tick “I confirm” to go ahead." in unasked.content.decode()
    replenishment.refresh_from_db()
    assert replenishment.state == ReplenishState.APPROVED
    client.post(reverse("returns:replenish_issue", args=[replenishment.pk]), {"confirmed": "1"})
    replenishment.refresh_from_db()
    assert replenishment.state == ReplenishState.ISSUED


def test_rejecting_in_the_inbox_needs_a_comment(client, scene):
    as_user(client, scene, "clerk")
    return_post(client, scene)
    step = ApprovalStep.objects.get(state=StepState.PENDING)
    as_user(client, scene, "supervisor")
    page = client.post(
        reverse("approvals:decide", args=[step.pk, "reject"]), {"comment": ""}, follow=True
    )
    assert "Give a reason when rejecting." in page.content.decode()
    step.refresh_from_db()
    assert step.state == StepState.PENDING
    as_user(client, scene, "qc")  # holds no tier: the step is not in their inbox
    page = client.post(reverse("approvals:decide", args=[step.pk, "approve"]), follow=True)
    assert "This step is not in your inbox." in page.content.decode()
    empty = client.post(reverse("approvals:bulk_approve"), {"comment": "x"}, follow=True)
    assert "Tick the steps to approve." in empty.content.decode()
    step.refresh_from_db()
    assert step.state == StepState.PENDING


def test_out_of_scope_requests_are_404_and_pages_need_their_permission(client, scene):
    as_user(client, scene, "clerk")
    return_post(client, scene)
    slip = ReturnRequest.objects.get()
    outsider = UserFactory(username="outsider")
    outsider.groups.add(*scene.users["clerk"].groups.all())
    other = WorkshopFactory(code="W2", name="Paint")
    other.members.add(outsider)
    client.force_login(outsider)
    url = reverse("returns:request_detail", kwargs={"kind": "return", "pk": slip.pk})
    assert client.get(url).status_code == 404
    assert client.get(reverse("returns:qc_list")).status_code == 403
    assert client.get(reverse("returns:receiving")).status_code == 403
    assert client.get(reverse("print:label_form")).status_code == 403
    typed = client.post(
        NEW_RETURN, {"work_order": scene.work_order.number, **management(total=0)}
    ).content.decode()
    assert "No work order WO-100 that you can work on." in typed


def test_notifications_show_unread_and_mark_read(client, scene):
    keeper = scene.users["keeper"]
    first, second = (
        notify(users=[keeper], title=title, body="WO-100")[0] for title in ("Late", "Short")
    )
    as_user(client, scene, "keeper")
    page = client.get(reverse("alerts:notifications")).content.decode()
    assert page.count('class="unread"') == 2 and "2 unread" in page
    client.post(reverse("alerts:notifications_read"), {"ids": [first.pk]})
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    unread = client.get(reverse("alerts:notifications") + "?show=unread").content.decode()
    assert "Short" in unread and "Late" not in unread
    client.post(reverse("alerts:notifications_read"))
    second.refresh_from_db()
    assert second.read_at is not None


def test_applicant_withdraws_a_submitted_request_from_its_page(client, scene):
    as_user(client, scene, "clerk")
    return_post(client, scene)
    slip = ReturnRequest.objects.get()
    url = reverse(
        "returns:request_action", kwargs={"kind": "return", "pk": slip.pk, "action": "cancel"}
    )
    detail = reverse("returns:request_detail", kwargs={"kind": "return", "pk": slip.pk})
    page = client.get(detail).content.decode()
    assert f'data-confirm="Withdraw {slip.number}? It cannot be submitted again."' in page
    assert 'name="confirmed"' in page
    client.post(url)  # not confirmed: nothing happens
    slip.refresh_from_db()
    assert slip.state == ReturnState.SUBMITTED
    client.post(url, {"confirmed": "1"})
    slip.refresh_from_db()
    assert slip.state == ReturnState.CANCELLED
    assert not ApprovalStep.objects.filter(state=StepState.PENDING).exists()


def test_shortage_and_label_pages_render(client, scene):
    as_user(client, scene, "keeper")
    assert "No open shortage slips." in client.get(reverse("returns:shortages")).content.decode()
    labels = client.get(reverse("print:label_form")).content.decode()
    assert "TUBE|B1" in labels and reverse("print:labels") in labels


def test_rejected_request_is_resubmitted_from_its_page(client, scene):
    as_user(client, scene, "clerk")
    return_post(client, scene)
    slip = ReturnRequest.objects.get()
    step = ApprovalStep.objects.get(state=StepState.PENDING)
    as_user(client, scene, "supervisor")
    client.post(reverse("approvals:decide", args=[step.pk, "reject"]), {"comment": "Wrong lot"})
    as_user(client, scene, "clerk")
    detail = reverse("returns:request_detail", kwargs={"kind": "return", "pk": slip.pk})
    page = client.get(detail).content.decode()
    assert "Wrong lot" in page and "rejected" in page
    submit = reverse(
        "returns:request_action", kwargs={"kind": "return", "pk": slip.pk, "action": "submit"}
    )
    assert submit in page
    client.post(submit)
    slip.refresh_from_db()
    assert slip.state == ReturnState.SUBMITTED
    assert ApprovalStep.objects.get(state=StepState.PENDING).round == 2


def test_short_issue_opens_a_slip_that_is_fulfilled_from_the_shortage_page(client, scene):
    clerk, keeper = scene.users["clerk"], scene.users["keeper"]
    request = replenishment(scene.work_order, clerk, [request_line(scene.tube, 400)])
    request = replenish_submit(replenish_request=request, actor=clerk)
    approve_all(request)
    as_user(client, scene, "keeper")
    client.post(reverse("returns:replenish_issue", args=[request.pk]), {"confirmed": "1"})
    request.refresh_from_db()
    assert request.state == ReplenishState.SHORT
    slip = ShortageSlip.objects.get()
    page = client.get(reverse("returns:shortages")).content.decode()
    assert slip.number in page and reverse("returns:slip_print", args=[slip.number]) in page
    fulfil = reverse("returns:shortage_fulfil", args=[slip.pk])
    refused = client.post(fulfil, {"confirmed": "1"}, follow=True)
    assert "Still short of TUBE" in refused.content.decode()
    receive(scene.tube, scene.shelf, 200, keeper, batch_no="B2")
    unasked = client.post(fulfil, follow=True)  # irreversible: nothing without "I confirm"
    assert "Nothing was done" in unasked.content.decode()
    slip.refresh_from_db()
    assert slip.state == ShortageState.OPEN
    client.post(fulfil, {"confirmed": "1"})
    slip.refresh_from_db(), request.refresh_from_db()
    assert slip.state == ShortageState.CLOSED and request.state == ReplenishState.ISSUED
