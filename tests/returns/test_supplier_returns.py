"""Supplier returns and claims (R-S2, R-R4, R-L1; seed 002 料废 §4.1.3, seed 003 §5.7.6):
material QC judged a supplier defect goes from the supplier-return area back to the supplier
on a return signed by the warehouse and MC supervisors and acknowledged by the supplier;
posting writes ``SUPPLIER_RETURN`` entries and opens the claim for the ERP; a replacement
receipt or a credit note closes it within 7 days or material control is alerted."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override

from alerts.checks import alerts_check
from alerts.models import Alert, AlertKind, Notification
from approvals.models import StepState, Tier
from approvals.services import approval_decide, steps_of
from audit.models import AuditEvent
from core.errors import StateConflict
from core.models import OutboxEvent
from inventory.models import LedgerEntry, MovementType, StockBalance
from materials.models import LocationKind
from returns.models import ClaimClosure, SupplierReturnState, Verdict
from returns.services.supplier_claims import (
    supplier_claim_credit,
    supplier_return_replacement_receive,
)
from returns.services.supplier_returns import (
    supplier_return_acknowledge,
    supplier_return_cancel,
    supplier_return_claim_amount_set,
    supplier_return_post,
    supplier_return_submit,
)
from tests.builders import batch_material, days_from_today, location, receive, with_roles
from tests.factories import MaterialFactory, SupplierFactory, UserFactory
from tests.returns.builders import line, posted_return
from tests.returns.supplier_builders import (
    draft_supplier_return,
    mc_user,
    posted_supplier_return,
    sign_all,
    signed_supplier_return,
    signer,
    sr_line,
)

pytestmark = pytest.mark.django_db

CHECK = AlertKind.SUPPLIER_CLAIM_OVERDUE


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="SUP-ALU", name="Foshan Aluminium Co.")


@pytest.fixture
def tube(user, shelf, supplier):
    """Aluminium tube at 12.50 a piece, batch-tracked: 500 of SUP-ALU's lot T1 on shelf A."""
    material = batch_material(code="TUBE", standard_cost=Decimal("12.5"))
    receive(
        material,
        shelf,
        500,
        user,
        batch_no="T1",
        expiry_date=days_from_today(200),
        supplier=supplier,
    )
    return material


@pytest.fixture
def defect_return(user, clerk, qc, tube, lot, supplier_area, work_order):
    """R-R4: 5 tubes returned by the line, QC's verdict supplier defect: in the area."""
    return posted_return(
        work_order,
        [line(tube, 5, lot=lot)],
        applicant=clerk,
        qc=qc,
        keeper=user,
        verdict=Verdict.SUPPLIER_DEFECT,
        code="SUPPLIER_DEFECT",
    )


def area_balance(area, lot):
    balance = StockBalance.objects.filter(location=area, lot=lot).first()
    return balance.quantity if balance else Decimal(0)


def stock_state():
    return LedgerEntry.objects.count(), sorted(StockBalance.objects.values_list("id", "quantity"))


def nothing_written(action):
    """``action`` refused: no ledger row, balance, audit event or outbox event written."""
    before = stock_state(), AuditEvent.objects.count(), OutboxEvent.objects.count()
    with pytest.raises((ValidationError, StateConflict)) as error:
        action()
    assert (stock_state(), AuditEvent.objects.count(), OutboxEvent.objects.count()) == before
    return error.value


def message(error):
    if isinstance(error, ValidationError):
        return " ".join(str(m) for messages in error.message_dict.values() for m in messages)
    return str(error)


def in_chinese(action):
    with override("zh-hans"):
        return message(nothing_written(action))


# ------------------------------------------------------------------------ end to end


def test_supplier_defect_goes_back_and_the_claim_closes_by_replacement(
    user, tube, lot, shelf, supplier, supplier_area, defect_return
):
    """R-R4 → R-S2 → R-L1: the defect return's 5 tubes lie in the supplier-return area; the
    supplier return is signed (warehouse supervisor, MC supervisor), acknowledged and posted
    as SUPPLIER_RETURN entries that empty the area; the ERP gets the claim; the replacement
    is received citing the return and closes the claim; the ledger holds."""
    assert area_balance(supplier_area, lot) == Decimal(5)
    supplier_return = draft_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    assert supplier_return.number.startswith("SR-")
    assert supplier_return.claim_amount == Decimal("62.50")  # 5 × 12.50 at standard cost
    supplier_return = supplier_return_submit(supplier_return=supplier_return, actor=user)
    assert supplier_return.state == SupplierReturnState.SUBMITTED
    sign_all(supplier_return)
    assert supplier_return.state == SupplierReturnState.SIGNED
    supplier_return_acknowledge(
        supplier_return=supplier_return, actor=user, name="Chen Wei", on=timezone.localdate()
    )
    supplier_return = supplier_return_post(supplier_return=supplier_return, actor=user)

    assert supplier_return.state == SupplierReturnState.POSTED
    assert area_balance(supplier_area, lot) == 0
    entry = LedgerEntry.objects.get(doc_type="supplier_return", doc_id=supplier_return.number)
    assert (entry.movement_type, entry.quantity, entry.location) == (
        MovementType.SUPPLIER_RETURN,
        Decimal(-5),
        supplier_area,
    )
    opened = OutboxEvent.objects.get(topic="supplier_claim.opened")
    assert opened.payload["number"] == supplier_return.number
    assert opened.payload["supplier"] == {"code": "SUP-ALU", "name": "Foshan Aluminium Co."}
    assert opened.payload["claim_amount"] == "62.50"
    assert [(ln["material"], ln["lot"], ln["quantity"]) for ln in opened.payload["lines"]] == [
        ("TUBE", "T1", "5.0000")
    ]

    on_shelf = StockBalance.objects.get(location=shelf, lot=lot).quantity
    supplier_return = supplier_return_replacement_receive(
        supplier_return=supplier_return,
        line=supplier_return.lines.get(),
        quantity=Decimal(5),
        location=shelf,
        batch_no="T1",
        actor=user,
    )
    assert supplier_return.state == SupplierReturnState.CLOSED
    assert supplier_return.closure == ClaimClosure.REPLACEMENT
    assert StockBalance.objects.get(location=shelf, lot=lot).quantity == on_shelf + 5
    receipt = AuditEvent.objects.get(
        action="stock.receive", after__reference=supplier_return.number
    )
    assert receipt.object_id.startswith("GR-")
    closed = OutboxEvent.objects.get(topic="supplier_claim.closed")
    assert closed.payload["closure"] == "replacement"
    call_command("check_ledger", stdout=StringIO())  # R-L2: balances == Σ entries

    actions = list(
        AuditEvent.objects.filter(
            object_type="returns.supplierreturn", object_id=str(supplier_return.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "supplier_return.create",
        "supplier_return.submit",
        "supplier_return.sign",
        "supplier_return.acknowledge",
        "supplier_return.post",
        "supplier_return.close",
    ]


def test_partial_replacement_keeps_the_claim_open(
    user, tube, lot, shelf, supplier, supplier_area, defect_return
):
    supplier_return = posted_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    line_ = supplier_return.lines.get()
    supplier_return = supplier_return_replacement_receive(
        supplier_return=supplier_return,
        line=line_,
        quantity=2,
        location=shelf,
        batch_no="R1",
        actor=user,
    )
    assert supplier_return.state == SupplierReturnState.POSTED
    line_.refresh_from_db()
    assert line_.replaced_qty == 2
    assert tube.lots.get(batch_no="R1").supplier == supplier
    error = nothing_written(
        lambda: supplier_return_replacement_receive(
            supplier_return=supplier_return,
            line=line_,
            quantity=4,
            location=shelf,
            batch_no="R1",
            actor=user,
        )
    )
    assert "Only 3 of TUBE is still to be replaced" in message(error)
    supplier_return_replacement_receive(
        supplier_return=supplier_return,
        line=line_,
        quantity=3,
        location=shelf,
        batch_no="R1",
        actor=user,
    )
    supplier_return.refresh_from_db()
    assert supplier_return.state == SupplierReturnState.CLOSED


def test_credit_note_closes_the_claim_once(user, tube, lot, supplier, supplier_area, defect_return):
    supplier_return = posted_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    mc = mc_user()
    supplier_return = supplier_claim_credit(
        supplier_return=supplier_return, actor=mc, credit_note="CN-8812", amount=Decimal("60")
    )
    assert (supplier_return.state, supplier_return.closure, supplier_return.credit_amount) == (
        SupplierReturnState.CLOSED,
        ClaimClosure.CREDIT,
        Decimal("60.00"),
    )
    assert OutboxEvent.objects.get(topic="supplier_claim.closed").payload["credit_note"] == (
        "CN-8812"
    )

    def again():
        supplier_claim_credit(
            supplier_return=supplier_return, actor=mc, credit_note="CN-8813", amount=1
        )

    error = nothing_written(again)
    assert isinstance(error, StateConflict)  # 409
    assert (
        message(error)
        == f"The claim of supplier return {supplier_return.number} is already closed."
    )
    assert supplier_return.number in in_chinese(again) and "已关闭" in in_chinese(again)


# ------------------------------------------------------------------------ bad input


def test_more_than_on_hand_is_refused(user, tube, lot, supplier, supplier_area, defect_return):
    error = nothing_written(
        lambda: draft_supplier_return(supplier, [sr_line(tube, 6, supplier_area, lot)], user)
    )
    assert message(error) == "Only 5 of TUBE / T1 is on hand at SR; 6 asked."
    chinese = in_chinese(
        lambda: draft_supplier_return(supplier, [sr_line(tube, 6, supplier_area, lot)], user)
    )
    assert "现存" in chinese and "SR" in chinese


def test_lot_of_another_supplier_is_refused(user, tube, lot, supplier_area, defect_return):
    other = SupplierFactory(code="SUP-STEEL")
    error = nothing_written(
        lambda: draft_supplier_return(other, [sr_line(tube, 5, supplier_area, lot)], user)
    )
    assert message(error) == "Lot T1 of TUBE came from SUP-ALU, not from SUP-STEEL."
    assert "供应商" in in_chinese(
        lambda: draft_supplier_return(other, [sr_line(tube, 5, supplier_area, lot)], user)
    )


def test_a_location_that_is_no_supplier_return_area_is_refused(
    user, tube, lot, shelf, supplier, defect_return
):
    error = nothing_written(
        lambda: draft_supplier_return(supplier, [sr_line(tube, 5, shelf, lot)], user)
    )
    assert message(error) == "Location A is not a supplier-return area."
    assert "退供应商区" in in_chinese(
        lambda: draft_supplier_return(supplier, [sr_line(tube, 5, shelf, lot)], user)
    )


def test_posting_before_signatures_is_a_conflict(
    user, tube, lot, supplier, supplier_area, defect_return
):
    supplier_return = draft_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    supplier_return_submit(supplier_return=supplier_return, actor=user)
    error = nothing_written(
        lambda: supplier_return_post(supplier_return=supplier_return, actor=user)
    )
    assert isinstance(error, StateConflict)
    assert "only once the warehouse supervisor and the MC supervisor have signed it" in str(error)
    assert "签" in in_chinese(
        lambda: supplier_return_post(supplier_return=supplier_return, actor=user)
    )
    assert area_balance(supplier_area, lot) == 5


def test_posting_without_the_suppliers_acknowledgement_is_a_conflict(
    user, tube, lot, supplier, supplier_area, defect_return
):
    supplier_return = draft_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    sign_all(supplier_return_submit(supplier_return=supplier_return, actor=user))
    error = nothing_written(
        lambda: supplier_return_post(supplier_return=supplier_return, actor=user)
    )
    assert isinstance(error, StateConflict)
    assert "acknowledgement" in str(error)


def test_signers_follow_the_order_and_a_rejection_sends_it_back(
    user, tube, lot, supplier, supplier_area, defect_return
):
    """R-S2: the warehouse supervisor first; a rejection needs resubmission; the raiser
    never signs (R-A6)."""
    supplier_return = draft_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    supplier_return_submit(supplier_return=supplier_return, actor=user)
    step = steps_of(supplier_return).get(state=StepState.PENDING)
    with pytest.raises(StateConflict):
        approval_decide(step=step, actor=signer("mc_supervisor"), approve=True)
    approval_decide(
        step=step, actor=signer("warehouse_supervisor"), approve=False, comment="Wrong lot"
    )
    supplier_return.refresh_from_db()
    assert (supplier_return.state, supplier_return.rejection_reason) == (
        SupplierReturnState.REJECTED,
        "Wrong lot",
    )
    supplier_return_submit(supplier_return=supplier_return, actor=user)
    sign_all(supplier_return)
    assert supplier_return.state == SupplierReturnState.SIGNED


def test_claim_amount_is_editable_until_posting(
    user, tube, lot, supplier, supplier_area, defect_return
):
    supplier_return = signed_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    supplier_return_claim_amount_set(
        supplier_return=supplier_return, actor=user, amount=Decimal("80")
    )
    supplier_return = supplier_return_post(supplier_return=supplier_return, actor=user)
    assert OutboxEvent.objects.get(topic="supplier_claim.opened").payload["claim_amount"] == (
        "80.00"
    )
    error = nothing_written(
        lambda: supplier_return_claim_amount_set(
            supplier_return=supplier_return, actor=user, amount=Decimal("90")
        )
    )
    assert isinstance(error, StateConflict)


def test_cancel_before_posting_only(user, tube, lot, supplier, supplier_area, defect_return):
    supplier_return = signed_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    supplier_return_cancel(supplier_return=supplier_return, actor=user)
    supplier_return.refresh_from_db()
    assert supplier_return.state == SupplierReturnState.CANCELLED
    posted = posted_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    error = nothing_written(lambda: supplier_return_cancel(supplier_return=posted, actor=user))
    assert isinstance(error, StateConflict)


def test_serial_tracked_units_go_back_by_serial(user, supplier):
    """R-M4: a serial-tracked material returns named units, each from the area."""
    area = location("SR2", kind=LocationKind.SUPPLIER_RETURN)
    motor = MaterialFactory(code="MOTOR", tracking="serial", standard_cost=Decimal(100))
    receive(motor, area, 2, user, batch_no="M1", serials=["S1", "S2"], supplier=supplier)
    lot = motor.lots.get()
    with pytest.raises(ValidationError):
        draft_supplier_return(supplier, [sr_line(motor, 1, area, lot)], user)
    posted = posted_supplier_return(supplier, [sr_line(motor, 1, area, lot, ["S2"])], user)
    entries = LedgerEntry.objects.filter(doc_id=posted.number)
    assert [(e.serial.serial_no, e.quantity) for e in entries] == [("S2", Decimal(-1))]
    assert area_balance(area, lot) == 1


def test_only_the_warehouse_and_material_control_raise_them(
    tube, lot, supplier, supplier_area, defect_return
):
    clerk = with_roles(UserFactory(username="line-clerk"), "clerk")
    with pytest.raises(Exception) as error:
        draft_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], clerk)
    assert error.type.__name__ == "PermissionDenied"


# ------------------------------------------------------------------------ 7-day SLA


def test_claim_open_past_seven_days_alerts_material_control(
    user, tube, lot, supplier, supplier_area, defect_return
):
    """Seed 003 §5.7.6: replacement or credit within 7 days, followed by material control;
    closing the claim clears the alert."""
    mc = mc_user()
    supplier_return = posted_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    now = timezone.now()
    assert alerts_check([CHECK], now=now + timedelta(days=6))[CHECK] == (0, 0)
    assert alerts_check([CHECK], now=now + timedelta(days=8))[CHECK] == (1, 0)
    alert = Alert.objects.get(kind=CHECK, cleared_at__isnull=True)
    assert alert.object_id == supplier_return.pk
    notice = Notification.objects.get(user=mc, alert=alert)
    assert supplier_return.number in notice.body and "SUP-ALU" in notice.body
    assert Notification.objects.filter(user=user, alert=alert).exists()  # who raised it
    assert alerts_check([CHECK], now=now + timedelta(days=9))[CHECK] == (0, 0)  # once

    supplier_claim_credit(
        supplier_return=supplier_return, actor=mc, credit_note="CN-1", amount=Decimal("62.5")
    )
    assert alerts_check([CHECK], now=now + timedelta(days=9))[CHECK] == (0, 1)
    alert.refresh_from_db()
    assert alert.cleared_at is not None


def test_the_signer_is_told_without_a_work_order(
    user, tube, lot, supplier, supplier_area, defect_return
):
    """R-N1: a supplier return has no work order: the waiting notice says "—", not "( )"."""
    holder = signer(Tier.WAREHOUSE_SUPERVISOR)
    slip = draft_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    supplier_return_submit(supplier_return=slip, actor=user)

    notice = Notification.objects.get(user=holder)
    assert notice.message == "step_waiting"
    assert notice.body == (
        f"The warehouse supervisor step of {slip.number} (work order —) waits for your decision."
    )


def test_a_scanned_supplier_return_number_opens_it_with_its_next_actions(
    api, user, tube, lot, supplier, supplier_area, defect_return
):
    """R-U2: the keeper scans the SR- slip to find what is left to do on it."""
    supplier_return = draft_supplier_return(supplier, [sr_line(tube, 5, supplier_area, lot)], user)
    scanned = api.post("/api/v1/scan/", {"code": supplier_return.number}, format="json").json()
    assert (scanned["type"], scanned["id"], scanned["state"]) == (
        "supplier_return",
        supplier_return.pk,
        "draft",
    )
    assert scanned["actions"] == ["cancel", "submit"]
