"""R-W4 close-out checklist, sign-offs, finished-goods receipt and closing; R-W5 deadline.

Scenario used throughout: product needs 2 TUBE per unit with 5 % loss, planned 100, so
200 + 10 may be issued. 200 are issued; output is 76 good + 4 scrap = 80, so the standard
is 160, the allowance 8 and 32 TUBE are expected back (leftover).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.functional import Promise

from audit.models import AuditEvent
from core.errors import StateConflict
from inventory.models import LedgerEntry, MovementType, Serial, SerialStatus, StockBalance
from materials.models import TrackingMode
from returns.models import (
    ReasonCode,
    ReplenishLine,
    ReplenishRequest,
    ReplenishState,
    ReturnRequest,
    ReturnState,
    ShortageSlip,
    ShortageState,
    Verdict,
)
from returns.services.return_drafting import return_submit
from returns.services.return_posting import return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from tests.builders import batch_material, location, receive, released_work_order, with_roles
from tests.factories import MaterialFactory, UserFactory
from tests.returns.builders import approve_all, draft_return
from tests.returns.builders import line as return_line
from workorders.closeout import (
    CloseOutBlocked,
    closeout_checklist,
    closeout_summary,
    leftover_deadline,
    leftover_overdue,
)
from workorders.models import SignOff, SignOffRole, WorkOrderStatus
from workorders.services.closing import (
    work_order_close,
    work_order_declare_leftover,
    work_order_receive_output,
    work_order_sign_off,
)
from workorders.services.issuing import IssueLine, work_order_issue
from workorders.services.lifecycle import work_order_complete, work_order_report_output

pytestmark = pytest.mark.django_db

CODES = [
    "output_reported",
    "consumption_variance",
    "qc_passed",
    "finished_goods_received",
    "leftovers_returned",
    "scrap_recorded",
    "requests_finished",
    "sign_offs",
    "replacement_debts",  # registered by returns (R-P5)
]


# ---------------------------------------------------------------------------- scenario


def in_progress_work_order(user, *, issued=200, number="WO-1"):
    tube = MaterialFactory(code="TUBE")
    shelf = location("A")
    receive(tube, shelf, 500, user)
    location("FG")
    work_order = released_work_order(user, components=[(tube, "2", "5")], number=number)
    work_order_issue(
        work_order=work_order, actor=user, lines=[IssueLine(tube, Decimal(issued), shelf)]
    )
    work_order.refresh_from_db()
    return work_order


def completed_work_order(user, *, good=76, scrap=4, **kwargs):
    work_order = in_progress_work_order(user, **kwargs)
    work_order_report_output(work_order=work_order, good_qty=good, scrap_qty=scrap, actor=user)
    return work_order_complete(work_order=work_order, actor=user)


def return_leftover(work_order, material, quantity, applicant):
    """Leftover back through the whole return flow (R-R3): create, submit, supervisor review,
    QC verdict "good", warehouse receipt, posting (red-letter issue entries, R-R7)."""
    request = draft_return(work_order, applicant, [return_line(material, quantity)])
    request = return_submit(return_request=request, actor=applicant)
    approve_all(request)
    inspector = with_roles(UserFactory(username="qc-inspector"), "qc", "keeper")
    verdicts = [{"line": line, "verdict": Verdict.GOOD} for line in request.lines.all()]
    return_qc_verdict(return_request=request, verdicts=verdicts, actor=inspector)
    return_receive(return_request=request, lines=[], actor=inspector)
    return return_post(return_request=request, actor=inspector)


def sign_all(work_order, actor, roles=SignOffRole.values):
    for role in roles:
        work_order_sign_off(work_order=work_order, role=role, actor=actor)


def item(work_order, code):
    return next(i for i in closeout_checklist(work_order) if i["code"] == code)


def check(work_order, code):
    found = item(work_order, code)
    return found["ok"], found["detail"]


def open_codes(work_order):
    return [i["code"] for i in closeout_checklist(work_order) if not i["ok"]]


def stock_state():
    return LedgerEntry.objects.count(), sorted(StockBalance.objects.values_list("id", "quantity"))


def in_every_department(user):
    """``user`` in each department that signs the close-out (R-W4); as keeper it also books
    the finished goods in."""
    return with_roles(user, "team_leader", "qc", "keeper", "finance")


@pytest.fixture
def user(user):
    return in_every_department(user)


@pytest.fixture
def completed(user):
    return completed_work_order(user)


@pytest.fixture
def tube(completed):
    return completed.lines.get().material


# ---------------------------------------------------------------------------- the checklist


def test_checklist_lists_every_item_in_order_with_a_translatable_label(completed):
    items = closeout_checklist(completed)
    assert [i["code"] for i in items] == CODES
    assert all(isinstance(i["label"], Promise) for i in items)  # gettext_lazy
    assert open_codes(completed) == [
        "qc_passed",
        "finished_goods_received",
        "leftovers_returned",
        "sign_offs",
    ]


def test_output_reported_open_then_compared_with_plan(user):
    work_order = in_progress_work_order(user)
    assert item(work_order, "output_reported")["ok"] is False
    work_order_report_output(work_order=work_order, good_qty=76, scrap_qty=4, actor=user)
    reported = item(work_order, "output_reported")
    assert reported["ok"] is True
    assert reported["detail"] == {
        "planned": Decimal("100"),
        "good": Decimal("76"),
        "scrap": Decimal("4"),
        "produced": Decimal("80"),
        "variance": Decimal("-20"),
        "variance_pct": Decimal("-20.00"),
    }


def test_consumption_variance_compares_net_issue_with_the_bom(user):
    work_order = in_progress_work_order(user)
    assert item(work_order, "consumption_variance")["ok"] is False  # nothing to compare with
    work_order_report_output(work_order=work_order, good_qty=76, scrap_qty=4, actor=user)
    variance = item(work_order, "consumption_variance")
    assert variance["ok"] is True  # over-allowance lines are flagged, not blocking
    assert variance["detail"]["lines"] == [
        {
            "material": "TUBE",
            "standard": Decimal("160"),
            "allowance": Decimal("8"),
            "actual": Decimal("200"),
            "variance": Decimal("40"),
            "variance_pct": Decimal("25.00"),
            "excess": Decimal("32"),
            "over_allowance": True,
            "declared": False,
            "over_quota": Decimal("0"),
            "leftover": Decimal("32"),
        }
    ]


def test_qc_passed_needs_the_qc_sign_off(user, completed):
    assert check(completed, "qc_passed") == (False, {})
    work_order_sign_off(work_order=completed, role=SignOffRole.QC, actor=user)
    qc = item(completed, "qc_passed")
    assert qc["ok"] is True and qc["detail"]["signed_by"] == user.username


def test_finished_goods_received_counts_receipts_against_good_output(user, completed):
    assert item(completed, "finished_goods_received")["detail"]["outstanding"] == 76
    work_order_receive_output(
        work_order=completed, location=location("FG"), quantity=50, actor=user
    )
    partial = item(completed, "finished_goods_received")
    assert (partial["ok"], partial["detail"]["received"], partial["detail"]["outstanding"]) == (
        False,
        Decimal("50"),
        Decimal("26"),
    )
    work_order_receive_output(
        work_order=completed, location=location("FG"), quantity=26, actor=user
    )
    assert item(completed, "finished_goods_received")["ok"] is True


def test_leftovers_open_until_returned(user, completed, tube):
    assert check(completed, "leftovers_returned") == (
        False,
        {"open": [{"material": "TUBE", "quantity": Decimal("32")}]},
    )
    return_leftover(completed, tube, 20, user)
    assert item(completed, "leftovers_returned")["detail"]["open"][0]["quantity"] == 12
    return_leftover(completed, tube, 12, user)
    assert check(completed, "leftovers_returned") == (True, {"open": []})


def test_leftovers_declared_consumed_are_ok_and_flagged_as_over_consumption(user, completed, tube):
    work_order_declare_leftover(
        work_order=completed, material=tube, quantity=32, note="tubes bent at the press", actor=user
    )
    assert item(completed, "leftovers_returned")["ok"] is True
    [line] = item(completed, "consumption_variance")["detail"]["lines"]
    assert (line["over_allowance"], line["declared"], line["excess"]) == (True, True, 32)
    assert (line["over_quota"], line["leftover"]) == (32, 0)  # R-W6


def test_scrap_recorded_with_the_output_report(user):
    work_order = in_progress_work_order(user)
    assert item(work_order, "scrap_recorded")["ok"] is False
    work_order_report_output(work_order=work_order, good_qty=76, scrap_qty=4, actor=user)
    scrap = item(work_order, "scrap_recorded")
    assert scrap["ok"] is True
    assert scrap["detail"] == {"scrap": Decimal("4"), "scrap_pct": Decimal("5.00")}


def test_an_unfinished_return_request_blocks_requests_finished(user, completed):
    draft = ReturnRequest.objects.create(
        work_order=completed,
        reason=ReasonCode.objects.get(kind="return", code="LEFTOVER"),
        applicant=user,
    )
    requests = item(completed, "requests_finished")
    assert requests["ok"] is False
    assert requests["detail"]["returns"] == [{"id": draft.pk, "number": None, "state": "draft"}]
    draft.state = ReturnState.CANCELLED
    draft.save()
    assert check(completed, "requests_finished") == (
        True,
        {"returns": [], "replenishments": [], "shortages": []},
    )


def test_open_replenishments_and_shortage_slips_block_requests_finished(user, completed, tube):
    request = ReplenishRequest.objects.create(
        work_order=completed,
        reason=ReasonCode.objects.get(kind="replenish", code="OPERATOR_SCRAP"),
        applicant=user,
        number="RP-TEST-0001",
        state=ReplenishState.SHORT,
    )
    line = ReplenishLine.objects.create(
        request=request, material=tube, quantity=10, issued_qty=6, short_qty=4
    )
    slip = ShortageSlip.objects.create(number="SH-TEST-0001", replenish_line=line, material=tube)
    detail = item(completed, "requests_finished")["detail"]
    assert detail["replenishments"] == [
        {"id": request.pk, "number": "RP-TEST-0001", "state": "short"}
    ]
    assert [s["number"] for s in detail["shortages"]] == ["SH-TEST-0001"]
    request.state = ReplenishState.ISSUED
    request.save()
    assert open_codes(completed).count("requests_finished") == 1  # the slip is still open
    slip.state = ShortageState.CLOSED
    slip.save()
    assert item(completed, "requests_finished")["ok"] is True


def test_sign_offs_list_the_missing_roles(user, completed):
    assert item(completed, "sign_offs")["detail"]["missing"] == [
        "production",
        "qc",
        "warehouse",
        "finance",
    ]
    sign_all(completed, user, roles=["production", "qc", "warehouse"])
    assert item(completed, "sign_offs")["detail"]["missing"] == ["finance"]
    work_order_sign_off(work_order=completed, role="finance", actor=user, note="costs booked")
    sign_offs = item(completed, "sign_offs")
    assert sign_offs["ok"] is True
    assert [s["role"] for s in sign_offs["detail"]["signed"]] == SignOffRole.values


def test_checklist_queries_do_not_grow_with_lines_or_documents(user):
    def queries(work_order):
        with CaptureQueriesContext(connection) as ctx:
            closeout_checklist(work_order)
        return len(ctx)

    small = completed_work_order(user)
    parts = [MaterialFactory(code=f"PART{i}") for i in range(5)]
    for part in parts:
        receive(part, location("A"), 100, user)
    big = released_work_order(
        user, components=[(part, "1", "0") for part in parts], number="WO-BIG"
    )
    work_order_issue(
        work_order=big,
        actor=user,
        lines=[IssueLine(part, Decimal(100), location("A")) for part in parts],
    )
    work_order_report_output(work_order=big, good_qty=50, actor=user)
    big = work_order_complete(work_order=big, actor=user)
    sign_all(big, user)
    for part in parts:
        work_order_declare_leftover(
            work_order=big, material=part, quantity=50, note="used", actor=user
        )
    assert queries(big) == queries(small)


# ---------------------------------------------------------------------------- R-W5


def test_leftover_deadline_is_24_hours_after_completion(user):
    work_order = in_progress_work_order(user)
    assert leftover_deadline(work_order) is None
    work_order_report_output(work_order=work_order, good_qty=76, scrap_qty=4, actor=user)
    work_order = work_order_complete(work_order=work_order, actor=user)
    assert leftover_deadline(work_order) == work_order.completed_at + timedelta(hours=24)


def test_leftover_overdue_only_after_the_deadline_and_while_leftovers_are_open(
    user, completed, tube
):
    deadline = leftover_deadline(completed)
    assert leftover_overdue(completed, deadline) is False
    assert leftover_overdue(completed, deadline + timedelta(seconds=1)) is True
    return_leftover(completed, tube, 32, user)
    assert leftover_overdue(completed, deadline + timedelta(hours=5)) is False


def test_summary_says_whether_the_work_order_can_close(user, completed):
    summary = closeout_summary(completed, timezone.now())
    assert summary["can_close"] is False and summary["leftover_overdue"] is False
    assert summary["leftover_deadline"] == leftover_deadline(completed)


# ---------------------------------------------------------------------------- close


def test_closing_a_work_order_blocked_then_allowed(user):
    """Acceptance (R-W4): issue more than needed → complete → leftovers shown → returned →
    finished goods received → sign-offs → closed; a second close is a conflict."""
    work_order = completed_work_order(user)
    tube = work_order.lines.get().material
    with pytest.raises(CloseOutBlocked) as blocked:
        work_order_close(work_order=work_order, actor=user)
    assert [i["code"] for i in blocked.value.open_items] == [
        "qc_passed",
        "finished_goods_received",
        "leftovers_returned",
        "sign_offs",
    ]
    assert str(blocked.value) == (
        "Work order WO-1 cannot be closed; open close-out items: QC passed, Finished goods "
        "received, Leftover material returned or declared consumed, Signed off by production, "
        "QC, warehouse and finance."
    )
    work_order.refresh_from_db()
    assert (work_order.status, work_order.closed_at) == (WorkOrderStatus.COMPLETED, None)

    return_leftover(work_order, tube, 32, user)
    work_order_receive_output(
        work_order=work_order, location=location("FG"), quantity=76, actor=user
    )
    sign_all(work_order, user)
    assert open_codes(work_order) == []

    closed = work_order_close(work_order=work_order, actor=user, device="HH-07")
    assert closed.status == WorkOrderStatus.CLOSED and closed.closed_at
    event = AuditEvent.objects.filter(action="workorder.close").get()
    assert (event.device_id, event.before["status"], event.after["status"]) == (
        "HH-07",
        "completed",
        "closed",
    )
    with pytest.raises(StateConflict, match="WO-1 is closed; it cannot be closed") as again:
        work_order_close(work_order=closed, actor=user)
    assert not isinstance(again.value, CloseOutBlocked)


def test_only_a_completed_work_order_closes(user):
    work_order = in_progress_work_order(user)
    with pytest.raises(StateConflict, match="is in progress; it cannot be closed"):
        work_order_close(work_order=work_order, actor=user)


# ---------------------------------------------------------------------------- receive output


def in_production_with_output(user, good):
    work_order = in_progress_work_order(user)
    work_order_report_output(work_order=work_order, good_qty=good, actor=user)
    return work_order


def test_receive_output_posts_fg_receipt_entries_of_the_product(user):
    work_order = in_production_with_output(user, good=10)
    entries = work_order_receive_output(
        work_order=work_order, location=location("FG"), quantity=10, actor=user, device="HH-07"
    )
    [entry] = LedgerEntry.objects.filter(pk__in=[e.pk for e in entries])
    assert (entry.material, entry.quantity, entry.movement_type, entry.work_order) == (
        work_order.product,
        10,
        MovementType.RECEIPT,
        work_order,
    )
    assert entry.doc_type == "fg_receipt" and entry.doc_id.startswith("FG-")
    assert StockBalance.objects.get(material=work_order.product).quantity == 10
    assert AuditEvent.objects.filter(action="workorder.receive_output", device_id="HH-07").exists()


def test_receive_output_follows_the_products_tracking_mode(user):
    work_order = in_production_with_output(user, good=5)
    product = work_order.product
    product.tracking = TrackingMode.SERIAL
    product.save()
    before = stock_state()
    with pytest.raises(ValidationError, match="tracked by batch: a lot is required"):
        work_order_receive_output(
            work_order=work_order, location=location("FG"), quantity=2, actor=user
        )
    with pytest.raises(ValidationError, match="2 serial numbers given for a quantity of 3"):
        work_order_receive_output(
            work_order=work_order,
            location=location("FG"),
            quantity=3,
            batch_no="B1",
            serials=["S1", "S2"],
            actor=user,
        )
    assert stock_state() == before and not product.lots.exists()
    entries = work_order_receive_output(
        work_order=work_order,
        location=location("FG"),
        quantity=2,
        batch_no="B1",
        serials=["S1", "S2"],
        actor=user,
    )
    assert [e.serial.serial_no for e in entries] == ["S1", "S2"]
    assert set(Serial.objects.values_list("status", flat=True)) == {SerialStatus.IN_STOCK}


@pytest.mark.parametrize(
    "quantity, message", [("0", "greater than zero"), ("-3", "greater than zero")]
)
def test_bad_receive_output_writes_nothing(user, quantity, message):
    work_order = in_progress_work_order(user)
    before = stock_state()
    with pytest.raises(ValidationError, match=message):
        work_order_receive_output(
            work_order=work_order, location=location("FG"), quantity=quantity, actor=user
        )
    assert stock_state() == before


def test_receipts_never_exceed_the_good_output_reported(user):
    work_order = in_progress_work_order(user)
    before = stock_state()
    with pytest.raises(ValidationError, match="exceeds the good output not yet received"):
        work_order_receive_output(
            work_order=work_order, location=location("FG"), quantity=1, actor=user
        )
    work_order_report_output(work_order=work_order, good_qty=10, actor=user)
    work_order_receive_output(
        work_order=work_order, location=location("FG"), quantity=7, actor=user
    )
    with pytest.raises(ValidationError, match=r"Receiving 4 .* not yet received \(3\)"):
        work_order_receive_output(
            work_order=work_order, location=location("FG"), quantity=4, actor=user
        )
    assert StockBalance.objects.get(material=work_order.product).quantity == 7
    assert LedgerEntry.objects.filter(doc_type="fg_receipt").count() == 1
    assert stock_state()[0] == before[0] + 1


def test_only_the_keeper_receives_finished_goods(user):
    work_order = in_production_with_output(user, good=10)
    leader = with_roles(UserFactory(username="leader1"), "team_leader")
    before = stock_state()
    with pytest.raises(PermissionDenied, match="not allowed to receive finished goods"):
        work_order_receive_output(
            work_order=work_order, location=location("FG"), quantity=1, actor=leader
        )
    assert stock_state() == before


def test_each_department_signs_only_for_itself(completed):
    inspector = with_roles(UserFactory(username="qc2"), "qc")
    for role in ("production", "warehouse", "finance"):
        with pytest.raises(PermissionDenied, match="not allowed to sign off for"):
            work_order_sign_off(work_order=completed, role=role, actor=inspector)
    assert not SignOff.objects.exists()
    work_order_sign_off(work_order=completed, role="qc", actor=inspector)
    assert list(SignOff.objects.values_list("role", "signed_by__username")) == [("qc", "qc2")]


def test_receive_output_needs_a_work_order_in_production(user):
    tube = batch_material(code="ALU")
    released = released_work_order(user, components=[(tube, "1", "0")], number="WO-R")
    location("FG")
    with pytest.raises(StateConflict, match="WO-R is released; it cannot be received from"):
        work_order_receive_output(
            work_order=released, location=location("FG"), quantity=1, actor=user
        )


# ---------------------------------------------------------------------------- sign-off, declare


def test_sign_off_once_per_role_on_a_completed_work_order(user):
    work_order = in_progress_work_order(user)
    with pytest.raises(StateConflict, match="is in progress; it cannot be signed off"):
        work_order_sign_off(work_order=work_order, role="qc", actor=user)
    work_order_report_output(work_order=work_order, good_qty=1, actor=user)
    work_order = work_order_complete(work_order=work_order, actor=user)
    sign_off = work_order_sign_off(work_order=work_order, role="qc", actor=user, note="AQL ok")
    assert (sign_off.signed_by, sign_off.note) == (user, "AQL ok")
    with pytest.raises(StateConflict, match="WO-1 was already signed off by QC"):
        work_order_sign_off(work_order=work_order, role="qc", actor=user)
    with pytest.raises(ValidationError, match="boss is not a sign-off role"):
        work_order_sign_off(work_order=work_order, role="boss", actor=user)
    assert SignOff.objects.count() == 1


def test_declare_leftover_needs_a_note_and_a_required_material(user, completed, tube):
    with pytest.raises(ValidationError, match="Explain how the leftover was consumed"):
        work_order_declare_leftover(
            work_order=completed, material=tube, quantity=1, note="  ", actor=user
        )
    stranger = MaterialFactory(code="STRANGER")
    with pytest.raises(ValidationError, match="STRANGER is not required by work order WO-1"):
        work_order_declare_leftover(
            work_order=completed, material=stranger, quantity=1, note="x", actor=user
        )
    work_order_declare_leftover(
        work_order=completed, material=tube, quantity=32, note="bent", actor=user
    )
    with pytest.raises(StateConflict, match="leftover of TUBE on work order WO-1 was already"):
        work_order_declare_leftover(
            work_order=completed, material=tube, quantity=1, note="x", actor=user
        )
    assert completed.leftover_declarations.count() == 1


def test_declare_leftover_only_at_close_out(user):
    work_order = in_progress_work_order(user)
    tube = work_order.lines.get().material
    with pytest.raises(StateConflict, match="is in progress; it cannot be declared on"):
        work_order_declare_leftover(
            work_order=work_order, material=tube, quantity=1, note="x", actor=user
        )
