"""Replace first, return later (先补后退, R-P5, R-P2): a defect replenishment may cite a
submitted defect return; the replacement is a debt the return's posting clears; an open
debt blocks close-out (R-W4) and alerts after 24 h."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from alerts.checks import alerts_check
from alerts.models import Alert, AlertKind, Notification
from approvals.services import approval_decide
from audit.models import AuditEvent
from core.errors import StateConflict
from inventory.models import LedgerEntry, StockBalance
from returns.models import (
    Condition,
    ReplacementDebt,
    ReplenishRequest,
    ReplenishState,
    ReturnState,
    Verdict,
)
from returns.services.issuing import replenish_issue
from returns.services.line_edits import return_line_change
from returns.services.replenish import replenish_cancel, replenish_submit
from returns.services.return_drafting import return_cancel, return_reject, return_submit
from returns.services.return_posting import return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from tests.builders import receive, released_work_order, with_roles
from tests.factories import MaterialFactory, UserFactory
from tests.returns.builders import (
    approve_all,
    draft_return,
    line,
    pending_step,
    replenishment,
    tier_holder,
)
from workorders.closeout import CloseOutBlocked, closeout_checklist, ensure_closeable
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = pytest.mark.django_db

DEBT_ITEM = "replacement_debts"


def cite(return_request, quantity):
    return {"return_line": return_request.lines.get(), "quantity": Decimal(quantity)}


def submitted_return(work_order, clerk, material, quantity, lot=None, code="SUPPLIER_DEFECT"):
    slip = draft_return(work_order, clerk, [line(material, quantity, lot=lot)], code=code)
    return return_submit(return_request=slip, actor=clerk)


def replace_first(work_order, clerk, material, quantity, slip, cited=None):
    return replenishment(
        work_order,
        clerk,
        [line(material, quantity, citations=[cite(slip, cited or quantity)])],
        code="MATERIAL_DEFECT",
    )


def received_return(slip, *, qc, keeper, received=None, note=""):
    """Review, QC verdict (supplier defect) and receipt, not yet posted."""
    approval_decide(
        step=pending_step(slip),
        actor=tier_holder("supervisor", slip.work_order.workshop),
        approve=True,
    )
    slip = return_qc_verdict(
        return_request=slip,
        verdicts=[{"line": ln, "verdict": Verdict.SUPPLIER_DEFECT} for ln in slip.lines.all()],
        actor=qc,
    )
    lines = []
    if received is not None:
        lines = [
            {"line": slip.lines.get(), "received_qty": Decimal(received), "receive_note": note}
        ]
    return return_receive(return_request=slip, lines=lines, actor=keeper)


def debt_item(work_order):
    return next(item for item in closeout_checklist(work_order) if item["code"] == DEBT_ITEM)


def written():
    return (
        ReplenishRequest.objects.count(),
        ReplacementDebt.objects.count(),
        LedgerEntry.objects.count(),
        sorted(StockBalance.objects.values_list("id", "quantity")),
    )


@pytest.fixture
def controller(db):
    return with_roles(UserFactory(username="mc-1"), "material_control")


# ------------------------------------------------------------------------ end to end


def test_replace_first_debt_blocks_closeout_until_the_return_is_posted(
    user, clerk, qc, tube, lot, supplier_area, work_order
):
    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    assert slip.state == ReturnState.SUBMITTED
    assert debt_item(work_order)["ok"]

    request = replace_first(work_order, clerk, tube, 5, slip)
    debt = ReplacementDebt.objects.get()
    assert (debt.quantity, debt.cleared_qty, debt.is_open) == (Decimal(5), 0, True)
    assert debt.citation.replenish_line.request == request
    assert debt.citation.return_line.request == slip

    request = replenish_submit(replenish_request=request, actor=clerk)
    approve_all(request)
    request = replenish_issue(replenish_request=request, actor=user)
    assert request.state == ReplenishState.ISSUED  # the line does not stop

    item = debt_item(work_order)
    assert not item["ok"]
    [row] = item["detail"]["rows"]
    assert row["text"] == (
        f"{request.number} replaced 5 PCS of TUBE ahead of return {slip.number}: "
        "5 PCS still to be returned."
    )
    assert row["url"] == request.get_absolute_url()
    with pytest.raises(CloseOutBlocked) as blocked:
        ensure_closeable(work_order)
    assert DEBT_ITEM in [i["code"] for i in blocked.value.open_items]
    assert "Replacements matched by posted defect returns" in str(blocked.value)

    slip = received_return(slip, qc=qc, keeper=user)
    assert ReplacementDebt.objects.get().is_open  # received is not posted
    slip = return_post(return_request=slip, actor=user)

    debt.refresh_from_db()
    assert (debt.cleared_qty, debt.is_open) == (Decimal(5), False)
    assert debt.cleared_at is not None
    event = AuditEvent.objects.filter(action="return.post", object_id=str(slip.pk)).get()
    assert event.after["debts"] == [
        {
            "debt": debt.pk,
            "replenishment": request.number,
            "material": "TUBE",
            "quantity": "5",
            "cleared": "5",
            "open": "0",
        }
    ]
    item = debt_item(work_order)
    assert item["ok"] and item["detail"]["rows"] == []
    call_command("check_ledger")


def test_received_less_than_replaced_leaves_the_rest_open(
    user, clerk, qc, tube, lot, supplier_area, work_order
):
    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    request = replace_first(work_order, clerk, tube, 5, slip)
    slip = received_return(slip, qc=qc, keeper=user, received=3, note="two missing")
    return_post(return_request=slip, actor=user)

    debt = ReplacementDebt.objects.get()
    assert (debt.cleared_qty, debt.open_qty, debt.is_open) == (Decimal(3), Decimal(2), True)
    [row] = debt_item(work_order)["detail"]["rows"]
    assert row["text"].endswith("2 PCS still to be returned.")
    assert str(request) in row["text"]
    call_command("check_ledger")


def test_cancelled_replenishment_owes_nothing(clerk, tube, lot, work_order):
    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    request = replace_first(work_order, clerk, tube, 5, slip)
    assert not debt_item(work_order)["ok"]
    replenish_cancel(replenish_request=request, actor=clerk)
    assert debt_item(work_order)["ok"]
    # the return's quantity is free to be cited again
    replace_first(work_order, clerk, tube, 5, slip)


# ------------------------------------------------------------------------ the 24 h alert


def test_an_open_debt_alerts_once_after_24_hours_and_clearing_resolves_it(
    user, clerk, qc, tube, lot, supplier_area, work_order, controller
):
    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    replace_first(work_order, clerk, tube, 5, slip)
    debt = ReplacementDebt.objects.get()
    kind = AlertKind.REPLACEMENT_DEBT

    assert alerts_check([kind], now=debt.opened_at + timedelta(hours=23)) == {kind: (0, 0)}
    later = debt.opened_at + timedelta(hours=25)
    assert alerts_check([kind], now=later) == {kind: (1, 0)}
    assert alerts_check([kind], now=later + timedelta(hours=1)) == {kind: (0, 0)}

    alert = Alert.objects.get(kind=kind)
    assert alert.is_open and alert.subject == debt
    assert "ahead of defect return" in alert.message and "5 PCS is still not returned" in (
        alert.message
    )
    notified = set(
        Notification.objects.filter(alert=alert).values_list("user__username", flat=True)
    )
    assert notified == {"clerk", "mc-1"}

    slip = received_return(slip, qc=qc, keeper=user)
    return_post(return_request=slip, actor=user)
    assert alerts_check([kind], now=later + timedelta(hours=2)) == {kind: (0, 1)}
    alert.refresh_from_db()
    assert not alert.is_open
    assert Notification.objects.filter(alert=alert).count() == 2


# ------------------------------------------------------------------------ bad input


def test_a_draft_rejected_or_cancelled_return_cannot_be_cited(
    clerk, supervisor, tube, lot, work_order
):
    before = written()
    draft = draft_return(work_order, clerk, [line(tube, 5, lot=lot)], code="SUPPLIER_DEFECT")
    with pytest.raises(ValidationError) as error:
        replace_first(work_order, clerk, tube, 5, draft)
    assert error.value.message_dict["citations"] == [
        f"Return slip {draft} is draft: only a submitted or posted defect return can be cited."
    ]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        replace_first(work_order, clerk, tube, 5, draft)
    assert error.value.message_dict["citations"] == [
        f"退料单 {draft} 状态为草稿：只能引用已提交或已过账的不良退料单。"
    ]

    rejected = submitted_return(work_order, clerk, tube, 2, lot=lot)
    rejected = return_reject(return_request=rejected, actor=supervisor, reason="wrong lot")
    with pytest.raises(ValidationError, match="is rejected: only a submitted or posted"):
        replace_first(work_order, clerk, tube, 2, rejected)

    cancelled = submitted_return(work_order, clerk, tube, 2, lot=lot)
    cancelled = return_cancel(return_request=cancelled, actor=clerk)
    with pytest.raises(ValidationError, match="is cancelled: only a submitted or posted"):
        replace_first(work_order, clerk, tube, 2, cancelled)
    assert written() == before


def test_a_return_cited_later_rejected_or_cancelled_refuses_the_submission(
    clerk, supervisor, tube, lot, work_order
):
    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    request = replace_first(work_order, clerk, tube, 5, slip)
    return_cancel(return_request=slip, actor=clerk)
    with pytest.raises(ValidationError, match="is cancelled: only a submitted or posted"):
        replenish_submit(replenish_request=request, actor=clerk)
    request.refresh_from_db()
    assert request.state == ReplenishState.DRAFT


def test_a_return_that_is_not_a_defect_return_cannot_be_cited(clerk, tube, lot, work_order):
    before = written()
    leftover = submitted_return(work_order, clerk, tube, 5, lot=lot, code="LEFTOVER")
    before = written()
    with pytest.raises(ValidationError) as error:
        replace_first(work_order, clerk, tube, 5, leftover)
    message = (
        f"Return line {leftover.lines.get().pk} is not a defect return: neither its reason nor "
        "its condition is a defect."
    )
    assert error.value.message_dict["citations"] == [message]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        replace_first(work_order, clerk, tube, 5, leftover)
    assert "不是不良退料" in error.value.message_dict["citations"][0]
    assert written() == before

    # A line declared defective on a leftover slip is a defect return before QC.
    damaged = draft_return(
        work_order,
        clerk,
        [line(tube, 2, lot=lot, condition=Condition.DEFECTIVE)],
        code="LEFTOVER",
    )
    damaged = return_submit(return_request=damaged, actor=clerk)
    replace_first(work_order, clerk, tube, 2, damaged)
    assert ReplacementDebt.objects.get().quantity == Decimal(2)


def test_a_return_of_another_work_order_or_material_cannot_be_cited(
    user, clerk, tube, lot, shelf, workshop, work_order
):
    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    bolt = MaterialFactory(code="BOLT")
    receive(bolt, shelf, 50, user)
    other = released_work_order(
        user, components=[(tube, 1, 0), (bolt, 1, 0)], number="WO-2", workshop=workshop
    )
    work_order_issue(work_order=other, actor=user, lines=[IssueLine(bolt, Decimal(10), shelf)])
    before = written()
    with pytest.raises(ValidationError, match="is not a return of TUBE from work order WO-2"):
        replace_first(other, clerk, tube, 5, slip)
    with pytest.raises(ValidationError, match="is not a return of BOLT from work order WO-2"):
        replace_first(other, clerk, bolt, 5, slip)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        replace_first(other, clerk, bolt, 5, slip)
    assert "WO-2" in error.value.message_dict["citations"][0]
    assert "is not a return" not in error.value.message_dict["citations"][0]
    assert written() == before


def test_over_citing_is_refused(clerk, tube, lot, work_order):
    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    before = written()
    with pytest.raises(ValidationError) as error:
        replace_first(work_order, clerk, tube, 6, slip)
    assert error.value.message_dict["citations"] == [
        f"Return line {slip.lines.get().pk} has 5 of defective TUBE left to replace, not 6."
    ]
    assert written() == before

    replace_first(work_order, clerk, tube, 3, slip)
    before = written()
    with pytest.raises(ValidationError, match="has 2 of defective TUBE left to replace, not 3"):
        replace_first(work_order, clerk, tube, 3, slip)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        replace_first(work_order, clerk, tube, 3, slip)
    assert "left to replace" not in error.value.message_dict["citations"][0]
    with pytest.raises(ValidationError, match="One-for-one"):
        replace_first(work_order, clerk, tube, 3, slip, cited=2)
    assert written() == before


# ------------------------------------------------------------------------ pages and API


def page_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_pages_show_the_debt_and_the_blocking_item(
    admin, user, clerk, qc, tube, lot, supplier_area, work_order
):
    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    client = page_client(admin)

    form = client.get(reverse("returns:new_replenish") + f"?work_order={work_order.number}")
    assert form.status_code == 200

    request = replace_first(work_order, clerk, tube, 5, slip)
    text = f"replaced 5 PCS of TUBE ahead of return {slip.number}: 5 PCS still to be returned."
    for kind, obj in (("replenish", request), ("return", slip)):
        page = client.get(reverse("returns:request_detail", args=[kind, obj.pk]))
        body = page.content.decode()
        assert page.status_code == 200
        assert "Replace first, return later" in body and "debt open" in body
        assert text in body

    page = client.get(reverse("workorders:detail", args=[work_order.pk]))
    body = page.content.decode()
    assert "Replacements matched by posted defect returns" in body
    assert text in body

    with translation.override("zh-hans"):
        page = client.get(
            reverse("returns:request_detail", args=["return", slip.pk]),
            headers={"accept-language": "zh-hans"},
        )
    assert "先补后退" in page.content.decode()

    slip = received_return(slip, qc=qc, keeper=user)
    return_post(return_request=slip, actor=user)
    body = client.get(reverse("returns:request_detail", args=["replenish", request.pk]))
    assert "debt cleared" in body.content.decode()

    api = APIClient()
    api.force_authenticate(admin)
    data = api.get(f"/api/v1/replenishments/{request.pk}/").json()
    [citation] = data["lines"][0]["citations"]
    assert citation["debt"]["open"] is False
    assert Decimal(citation["debt"]["cleared_qty"]) == Decimal(5)


def test_the_create_form_offers_submitted_defect_returns(clerk, tube, lot, work_order):
    from returns.forms import citable_lines, citation_label

    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    submitted_return(work_order, clerk, tube, 2, lot=lot, code="LEFTOVER")
    [offered] = citable_lines(work_order)
    assert offered.request == slip
    assert str(citation_label(offered)) == (
        f"{slip.number} · TUBE · 5 PCS defective (submitted: replace first, return later)"
    )


def test_a_cited_return_line_cannot_be_edited_below_what_it_replaced(
    clerk, supervisor, tube, lot, work_order
):
    slip = submitted_return(work_order, clerk, tube, 5, lot=lot)
    replace_first(work_order, clerk, tube, 4, slip)
    slip = return_reject(return_request=slip, actor=supervisor, reason="count again")
    with pytest.raises(StateConflict) as refused:
        return_line_change(return_line=slip.lines.get(), quantity=Decimal(3), actor=clerk)
    assert str(refused.value) == (
        f"Line {slip.lines.get().pk} (TUBE) is already replaced by 4 (replace first, return "
        "later): it cannot return less than that."
    )
    assert slip.lines.get().quantity == Decimal(5)
    assert return_line_change(
        return_line=slip.lines.get(), quantity=Decimal(4), actor=clerk
    ).quantity == Decimal(4)
