"""Returns (退料), R-R1…R-R8: the slip's life from draft to finance confirmation, the quantity
guards, QC verdicts, put-away, the 2 % refusal, rejection and cancellation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals.models import StepState, Tier, TierAssignment
from approvals.services import approval_decide, steps_of
from audit.models import AuditEvent
from core.errors import StateConflict
from core.models import OutboxEvent
from inventory.models import (
    InspectionStatus,
    LedgerEntry,
    MovementType,
    Serial,
    SerialStatus,
    StockBalance,
)
from inventory.selectors import issuable_balances
from inventory.services import lot_set_inspection_status
from materials.models import LocationKind, TrackingMode, WarehouseCategory
from returns.models import ReturnState, Verdict
from returns.selectors import closeout_open_requests
from returns.services.return_drafting import (
    return_cancel,
    return_line_add,
    return_reject,
    return_review,
    return_submit,
)
from returns.services.return_posting import return_confirm, return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from tests.builders import location, receive, released_work_order, with_roles
from tests.factories import (
    MaterialFactory,
    UserFactory,
    WarehouseCategoryFactory,
    WarehouseFactory,
)
from tests.returns.builders import draft_return, line, pending_step, reason, tier_holder
from workorders.selectors import material_totals
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = pytest.mark.django_db


def stock_state():
    return LedgerEntry.objects.count(), sorted(StockBalance.objects.values_list("id", "quantity"))


def on_hand(material, loc):
    balance = StockBalance.objects.filter(material=material, location=loc).first()
    return balance.quantity if balance else Decimal("0")


def this_month():
    return timezone.localtime().strftime("%Y%m")


def reloaded(request):
    request.refresh_from_db()
    return request


def audit_actions(request):
    return list(
        AuditEvent.objects.filter(object_type="returns.returnrequest", object_id=str(request.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def submitted(work_order, clerk, lines, code="LEFTOVER"):
    return return_submit(
        return_request=draft_return(work_order, clerk, lines, code=code), actor=clerk
    )


def reviewed(work_order, clerk, supervisor, lines, code="LEFTOVER"):
    """Reviewed by the supervisor, and a defect return by the workshop director too (R-A4)."""
    request = submitted(work_order, clerk, lines, code=code)
    request = return_review(return_request=request, actor=supervisor)
    while (step := pending_step(request)) is not None:
        director = tier_holder(step.tier, work_order.workshop)
        request = return_review(return_request=request, actor=director)
    return request


def inspected(request, qc, verdict=Verdict.GOOD, defect_rate=None):
    verdicts = [
        {"line": ln, "verdict": verdict, "defect_rate": defect_rate, "qc_note": ""}
        for ln in request.lines.all()
    ]
    return return_qc_verdict(return_request=request, verdicts=verdicts, actor=qc)


# ------------------------------------------------------------------------ end to end


def test_good_leftover_return_end_to_end(
    user, clerk, supervisor, qc, finance, tube, lot, shelf, work_order
):
    """R-R2/R-R3/R-R7/R-M5: leftover back to its original shelf as a red-letter issue."""
    request = draft_return(
        work_order, clerk, [line(tube, 30, lot=lot, condition="good")], explanation="left over"
    )
    assert (request.state, request.number, request.warehouse_category.code) == (
        ReturnState.DRAFT,
        None,
        "RAW",
    )

    request = return_submit(return_request=request, actor=clerk)
    assert request.state == ReturnState.SUBMITTED and request.submitted_at
    assert request.number == f"RT-{this_month()}-0001"
    [step] = steps_of(request)
    assert (step.tier, step.state, step.requester) == (Tier.SUPERVISOR, StepState.PENDING, clerk)

    request = return_review(return_request=request, actor=supervisor, comment="ok")
    assert request.state == ReturnState.REVIEWED and request.reviewed_at

    request = inspected(request, qc)
    assert request.state == ReturnState.INSPECTED
    assert (request.inspected_by, request.lines.get().verdict) == (qc, Verdict.GOOD)

    request = return_receive(return_request=request, lines=[], actor=user)
    [returned] = request.lines.all()
    assert request.state == ReturnState.RECEIVED and request.received_by == user
    assert (returned.received_qty, returned.location) == (Decimal(30), shelf)

    request = return_post(return_request=request, actor=user, device="HH-01")
    assert request.state == ReturnState.POSTED and request.posted_by == user
    [entry] = LedgerEntry.objects.filter(doc_type="return")
    assert (
        entry.movement_type,
        entry.quantity,
        entry.location,
        entry.lot,
        entry.work_order,
        entry.doc_type,
        entry.doc_id,
        entry.doc_line,
        entry.remark,
        entry.device_id,
    ) == (
        MovementType.RETURN,
        Decimal(30),
        shelf,
        lot,
        work_order,
        "return",
        request.number,
        1,
        "LEFTOVER Saving / leftover",
        "HH-01",
    )
    # The original issue entry is untouched; the return reverses it (R-R7).
    assert entry.reason_code == "LEFTOVER"  # month-end groups the ledger by it (R-J1)
    assert LedgerEntry.objects.filter(doc_type="issue").get().quantity == Decimal(-100)
    assert on_hand(tube, shelf) == Decimal(430)
    assert material_totals([work_order.pk])[work_order.pk][tube.pk]["returned"] == Decimal(30)

    request = return_confirm(return_request=request, actor=finance)
    assert (request.state, request.confirmed_by) == (ReturnState.CONFIRMED, finance)
    assert audit_actions(request) == [
        "return.create",
        "return.submit",
        "return.approve",
        "return.qc_verdict",
        "return.receive",
        "return.post",
        "return.confirm",
    ]
    with pytest.raises(StateConflict, match="is finance confirmed: it cannot be confirmed"):
        return_confirm(return_request=request, actor=finance)


def test_supplier_defect_goes_to_the_supplier_return_area_never_usable(
    user, clerk, supervisor, qc, tube, lot, shelf, supplier_area, work_order
):
    request = reviewed(
        work_order, clerk, supervisor, [line(tube, 10, lot=lot)], code="SUPPLIER_DEFECT"
    )
    request = inspected(request, qc, Verdict.SUPPLIER_DEFECT)
    request = return_receive(return_request=request, lines=[], actor=user)
    assert request.lines.get().location == supplier_area
    return_post(return_request=request, actor=user)
    assert on_hand(tube, supplier_area) == Decimal(10)
    assert on_hand(tube, shelf) == Decimal(400)
    usable = issuable_balances(material=tube).values_list("location__code", flat=True)
    assert list(usable) == ["A"]


def test_process_defect_goes_to_scrap_and_needs_a_defect_rate(
    user, clerk, supervisor, qc, tube, lot, scrap_area, work_order
):
    request = reviewed(
        work_order, clerk, supervisor, [line(tube, 4, lot=lot)], code="PROCESS_DEFECT"
    )
    with pytest.raises(ValidationError, match="needs the defect rate of line 1"):
        inspected(request, qc, Verdict.PROCESS_DEFECT)
    assert reloaded(request).state == ReturnState.REVIEWED
    request = inspected(request, qc, Verdict.PROCESS_DEFECT, defect_rate=Decimal("4.5"))
    assert request.lines.get().defect_rate == Decimal("4.5")
    request = return_receive(return_request=request, lines=[], actor=user)
    return_post(return_request=request, actor=user)
    assert on_hand(tube, scrap_area) == Decimal(4)


# ------------------------------------------------------------------------ put-away


def test_good_material_goes_back_to_where_it_was_last_issued_from(
    user, clerk, supervisor, qc, tube, lot, work_order
):
    shelf_b = location("B")
    receive(tube, shelf_b, 50, user, batch_no="T1")
    work_order_issue(
        work_order=work_order, actor=user, lines=[IssueLine(tube, Decimal(5), shelf_b, lot=lot)]
    )
    request = inspected(reviewed(work_order, clerk, supervisor, [line(tube, 5, lot=lot)]), qc)
    request = return_receive(return_request=request, lines=[], actor=user)
    assert request.lines.get().location == shelf_b


def test_keeper_may_choose_a_location_that_fits_the_verdict(
    user, clerk, supervisor, qc, tube, lot, scrap_area, supplier_area, work_order
):
    request = inspected(reviewed(work_order, clerk, supervisor, [line(tube, 5, lot=lot)]), qc)
    returned = request.lines.get()
    with pytest.raises(ValidationError, match="Location SC is a scrap location"):
        return_receive(
            return_request=request, lines=[{"line": returned, "location": scrap_area}], actor=user
        )
    shelf_c = location("C")
    request = return_receive(
        return_request=request, lines=[{"line": returned, "location": shelf_c}], actor=user
    )
    assert request.lines.get().location == shelf_c


def test_defective_material_never_goes_to_a_usable_location(
    user, clerk, supervisor, qc, tube, lot, shelf, work_order
):
    request = reviewed(
        work_order, clerk, supervisor, [line(tube, 5, lot=lot)], code="SUPPLIER_DEFECT"
    )
    request = inspected(request, qc, Verdict.SUPPLIER_DEFECT)
    returned = request.lines.get()
    with pytest.raises(ValidationError, match="Location A is a storage location"):
        return_receive(
            return_request=request, lines=[{"line": returned, "location": shelf}], actor=user
        )
    with pytest.raises(ValidationError) as error:
        return_receive(return_request=request, lines=[], actor=user)  # no supplier-return area yet
    assert error.value.message_dict["location"] == [
        "No active supplier-return area location to put TUBE away: give one or ask an "
        "administrator."
    ]
    assert reloaded(request).state == ReturnState.INSPECTED


def test_supplier_return_area_of_the_same_warehouse_is_preferred(
    user, clerk, supervisor, qc, tube, lot, work_order
):
    location("SR0", kind=LocationKind.SUPPLIER_RETURN, warehouse=WarehouseFactory(code="WH0"))
    near = location("SR9", kind=LocationKind.SUPPLIER_RETURN)  # WH1, like shelf A
    request = reviewed(
        work_order, clerk, supervisor, [line(tube, 5, lot=lot)], code="SUPPLIER_DEFECT"
    )
    request = return_receive(
        return_request=inspected(request, qc, Verdict.SUPPLIER_DEFECT), lines=[], actor=user
    )
    assert request.lines.get().location == near


# ------------------------------------------------------------------------ receiving


def test_a_count_mismatch_needs_a_written_note(user, clerk, supervisor, qc, tube, lot, work_order):
    request = inspected(reviewed(work_order, clerk, supervisor, [line(tube, 30, lot=lot)]), qc)
    returned = request.lines.get()
    with pytest.raises(ValidationError, match="28 received instead of 30 needs a written note"):
        return_receive(
            return_request=request, lines=[{"line": returned, "received_qty": 28}], actor=user
        )
    with pytest.raises(ValidationError, match="more than the 30 on the slip"):
        return_receive(
            return_request=request,
            lines=[{"line": returned, "received_qty": 31, "receive_note": "x"}],
            actor=user,
        )
    request = return_receive(
        return_request=request,
        lines=[{"line": returned, "received_qty": 28, "receive_note": "2 bent, kept at line"}],
        actor=user,
    )
    return_post(return_request=request, actor=user)
    assert LedgerEntry.objects.get(doc_type="return").quantity == Decimal(28)


def test_a_defect_lot_with_more_than_2_percent_foreign_material_is_refused(
    user, clerk, supervisor, qc, tube, lot, supplier_area, work_order
):
    """R-R5: a recorded refusal back to the applicant, nothing booked."""
    request = reviewed(
        work_order, clerk, supervisor, [line(tube, 50, lot=lot)], code="SUPPLIER_DEFECT"
    )
    request = inspected(request, qc, Verdict.SUPPLIER_DEFECT)
    before = stock_state()
    returned = request.lines.get()
    request = return_receive(
        return_request=request,
        lines=[{"line": returned, "foreign_qty": Decimal("1.5")}],
        actor=user,
    )
    assert request.state == ReturnState.REJECTED
    assert request.rejection_reason == (
        "Line 1 (TUBE): 3% of the defect lot is other material, more than 2%: refused."
    )
    assert request.lines.get().foreign_qty == Decimal("1.5")
    assert stock_state() == before
    assert audit_actions(request)[-1] == "return.refuse"


def test_exactly_2_percent_foreign_material_is_accepted(
    user, clerk, supervisor, qc, tube, lot, supplier_area, work_order
):
    request = reviewed(
        work_order, clerk, supervisor, [line(tube, 50, lot=lot)], code="SUPPLIER_DEFECT"
    )
    request = inspected(request, qc, Verdict.SUPPLIER_DEFECT)
    returned = request.lines.get()
    request = return_receive(
        return_request=request, lines=[{"line": returned, "foreign_qty": 1}], actor=user
    )
    assert request.state == ReturnState.RECEIVED


# ------------------------------------------------------------------------ R-R8


def test_expired_lot_may_be_returned_but_not_as_good_stock(
    user, clerk, supervisor, qc, tube, lot, scrap_area, work_order
):
    request = reviewed(work_order, clerk, supervisor, [line(tube, 5, lot=lot)])
    type(lot).objects.filter(pk=lot.pk).update(expiry_date=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError, match="Lot T1 expired on .*: it cannot go back to good"):
        inspected(request, qc, Verdict.GOOD)
    assert reloaded(request).state == ReturnState.REVIEWED
    request = inspected(request, qc, Verdict.PROCESS_DEFECT, defect_rate=Decimal(100))
    assert request.state == ReturnState.INSPECTED


@pytest.mark.parametrize("status", [InspectionStatus.FAILED, InspectionStatus.QUARANTINE])
def test_failed_lot_cannot_go_back_to_good_stock(
    user, clerk, supervisor, qc, tube, lot, work_order, status
):
    request = reviewed(work_order, clerk, supervisor, [line(tube, 5, lot=lot)])
    lot_set_inspection_status(lot=lot, status=status, actor=qc)
    with pytest.raises(ValidationError, match=f"Lot T1 is {status.label}: it cannot go back"):
        inspected(request, qc, Verdict.GOOD)


def test_a_lot_failed_after_qc_still_cannot_be_posted_as_good(
    user, clerk, supervisor, qc, tube, lot, work_order
):
    request = inspected(reviewed(work_order, clerk, supervisor, [line(tube, 5, lot=lot)]), qc)
    request = return_receive(return_request=request, lines=[], actor=user)
    lot_set_inspection_status(lot=lot, status=InspectionStatus.FAILED, actor=qc)
    before = stock_state()
    with pytest.raises(ValidationError, match="Lot T1 is failed"):
        return_post(return_request=request, actor=user)
    assert stock_state() == before and reloaded(request).state == ReturnState.RECEIVED


# ------------------------------------------------------------------------ R-R6, R-M2


def test_returning_more_than_issued_needs_an_explanation(user, clerk, tube, lot, work_order):
    before = stock_state()
    with pytest.raises(ValidationError) as error:
        draft_return(work_order, clerk, [line(tube, 101, lot=lot)])
    assert error.value.message_dict["excess_explanation"] == [
        "Returning 101 of TUBE / T1 exceeds what work order WO-1 can still return (100: issued "
        "and replenished, less returned and on open return slips). Explain the excess, e.g. a "
        "temporary issue."
    ]
    assert stock_state() == before and not work_order.return_requests.exists()
    request = draft_return(
        work_order, clerk, [line(tube, 101, lot=lot, excess_explanation="borrowed from WO-0")]
    )
    assert request.lines.get().excess_explanation == "borrowed from WO-0"


def test_open_return_slips_count_against_what_can_still_be_returned(clerk, tube, lot, work_order):
    draft_return(work_order, clerk, [line(tube, 60, lot=lot)])
    with pytest.raises(ValidationError, match=r"can still return \(40"):
        draft_return(work_order, clerk, [line(tube, 41, lot=lot)])
    with pytest.raises(ValidationError, match=r"can still return \(10"):
        draft_return(work_order, clerk, [line(tube, 30, lot=lot), line(tube, 11, lot=lot)])
    assert work_order.return_requests.count() == 1


def test_cancelled_slips_free_their_quantity(clerk, tube, lot, work_order):
    first = draft_return(work_order, clerk, [line(tube, 100, lot=lot)])
    return_cancel(return_request=first, actor=clerk)
    assert draft_return(work_order, clerk, [line(tube, 100, lot=lot)]).state == ReturnState.DRAFT


def test_one_slip_holds_one_warehouse_category(user, clerk, tube, lot, work_order):
    glue = MaterialFactory(code="GLUE", warehouse_category=WarehouseCategoryFactory(code="CHEM"))
    with pytest.raises(ValidationError) as error:
        draft_return(
            work_order,
            clerk,
            [line(tube, 5, lot=lot), line(glue, 1, excess_explanation="extra")],
        )
    assert error.value.message_dict["lines"] == [
        "GLUE is kept in warehouse category CHEM, but this slip holds RAW: one return slip "
        "holds one warehouse category."
    ]
    assert not work_order.return_requests.exists()
    assert WarehouseCategory.objects.filter(code="CHEM").exists()


def test_reason_must_be_an_active_return_reason(clerk, tube, lot, work_order):
    with pytest.raises(ValidationError, match="OVER_QUOTA is not a return reason"):
        draft_return(work_order, clerk, [line(tube, 5, lot=lot)], code="OVER_QUOTA")
    reason("LEFTOVER").__class__.objects.filter(code="LEFTOVER").update(is_active=False)
    with pytest.raises(ValidationError, match="LEFTOVER is no longer in use"):
        draft_return(work_order, clerk, [line(tube, 5, lot=lot)])


def test_nothing_can_be_returned_from_a_work_order_without_issues(user, clerk, tube, lot):
    planned = released_work_order(user, components=[(tube, 1, 0)], number="WO-2")
    with pytest.raises(StateConflict, match="WO-2 is released: nothing can be returned"):
        draft_return(planned, clerk, [line(tube, 1, lot=lot, excess_explanation="x")])


def test_lines_are_validated_like_any_stock_line(clerk, tube, lot, work_order):
    with pytest.raises(ValidationError, match="tracked by batch: a lot is required"):
        draft_return(work_order, clerk, [line(tube, 5)])
    with pytest.raises(ValidationError, match="greater than zero"):
        draft_return(work_order, clerk, [line(tube, 0, lot=lot)])
    with pytest.raises(ValidationError, match="Give at least one line"):
        draft_return(work_order, clerk, [])


def test_scanned_lines_are_added_to_a_draft_with_the_same_rules(
    clerk, supervisor, tube, lot, work_order
):
    request = draft_return(work_order, clerk, [line(tube, 60, lot=lot)])
    added = return_line_add(
        return_request=request, material=tube, lot=lot, quantity=30, actor=clerk
    )
    assert request.lines.count() == 2 and added.quantity == Decimal(30)
    with pytest.raises(ValidationError, match=r"can still return \(10"):
        return_line_add(return_request=request, material=tube, lot=lot, quantity=11, actor=clerk)
    glue = MaterialFactory(code="GLUE", warehouse_category=WarehouseCategoryFactory(code="CHEM"))
    with pytest.raises(ValidationError, match="one return slip holds one warehouse category"):
        return_line_add(
            return_request=request, material=glue, quantity=1, excess_explanation="x", actor=clerk
        )
    with pytest.raises(PermissionDenied):
        return_line_add(
            return_request=request, material=tube, lot=lot, quantity=1, actor=supervisor
        )
    return_submit(return_request=request, actor=clerk)
    with pytest.raises(StateConflict, match="is submitted: it cannot be changed"):
        return_line_add(return_request=request, material=tube, lot=lot, quantity=1, actor=clerk)
    assert request.lines.count() == 2


# ------------------------------------------------------------------------ serials


def test_serial_units_return_to_stock(user, clerk, supervisor, qc, shelf, workshop):
    motor = MaterialFactory(code="MOTOR", tracking=TrackingMode.SERIAL)
    receive(motor, shelf, 3, user, batch_no="M1", serials=["SN1", "SN2", "SN3"])
    m1 = motor.lots.get()
    work_order = released_work_order(
        user, components=[(motor, 1, 0)], number="WO-M", planned_qty=3, workshop=workshop
    )
    work_order_issue(
        work_order=work_order,
        actor=user,
        lines=[IssueLine(motor, Decimal(2), shelf, lot=m1, serials=("SN1", "SN2"))],
    )
    with pytest.raises(ValidationError, match="SN3 was not issued to work order WO-M"):
        draft_return(work_order, clerk, [line(motor, 1, lot=m1, serials=["SN3"])])
    request = reviewed(work_order, clerk, supervisor, [line(motor, 1, lot=m1, serials=["SN2"])])
    request = return_receive(return_request=inspected(request, qc), lines=[], actor=user)
    return_post(return_request=request, actor=user)
    sn2 = Serial.objects.get(serial_no="SN2")
    assert (sn2.status, sn2.location) == (SerialStatus.IN_STOCK, shelf)
    assert Serial.objects.get(serial_no="SN1").status == SerialStatus.ISSUED
    [entry] = LedgerEntry.objects.filter(doc_type="return")
    assert (entry.serial, entry.quantity) == (sn2, Decimal(1))


# ------------------------------------------------------------------------ approval


def test_bom_change_returns_need_the_technical_department_too(
    clerk, supervisor, tube, lot, work_order, workshop
):
    request = submitted(work_order, clerk, [line(tube, 5, lot=lot)], code="BOM_CHANGE")
    assert [s.tier for s in steps_of(request)] == [Tier.SUPERVISOR, Tier.TECHNICAL]
    request = return_review(return_request=request, actor=supervisor)
    assert request.state == ReturnState.SUBMITTED
    request = return_review(return_request=request, actor=tier_holder(Tier.TECHNICAL))
    assert request.state == ReturnState.REVIEWED


def test_rejected_return_goes_back_and_keeps_its_number_on_resubmit(
    clerk, supervisor, tube, lot, work_order
):
    request = submitted(work_order, clerk, [line(tube, 5, lot=lot)])
    number = request.number
    with pytest.raises(ValidationError, match="Give a reason when rejecting"):
        return_review(return_request=request, actor=supervisor, approve=False)
    assert reloaded(request).state == ReturnState.SUBMITTED

    request = return_review(
        return_request=request, actor=supervisor, approve=False, comment="count them again"
    )
    assert (request.state, request.rejection_reason) == (ReturnState.REJECTED, "count them again")
    assert list(steps_of(request).values_list("round", "state")) == [(1, StepState.REJECTED)]

    request = return_submit(return_request=request, actor=clerk)
    assert (request.state, request.number, request.rejection_reason) == (
        ReturnState.SUBMITTED,
        number,
        "",
    )
    assert list(steps_of(request).values_list("round", "state")) == [
        (1, StepState.REJECTED),
        (2, StepState.PENDING),
    ]
    assert return_review(return_request=request, actor=supervisor).state == ReturnState.REVIEWED


def test_a_resubmitted_return_must_still_fit_in_what_is_returnable(
    clerk, supervisor, tube, lot, work_order
):
    """R-R6: while the first slip was rejected its 60 were free, and another slip took 50."""
    first = submitted(work_order, clerk, [line(tube, 60, lot=lot)])
    return_review(return_request=first, actor=supervisor, approve=False, comment="wrong count")
    submitted(work_order, clerk, [line(tube, 50, lot=lot)])
    before = stock_state(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        return_submit(return_request=first, actor=clerk)
    assert "can still return (50" in error.value.message_dict["lines"][0]
    assert reloaded(first).state == ReturnState.REJECTED
    assert (stock_state(), AuditEvent.objects.count()) == before
    first.lines.update(quantity=50)
    assert return_submit(return_request=first, actor=clerk).state == ReturnState.SUBMITTED


def test_keeper_rejects_with_a_reason_and_open_steps_close(
    user, clerk, supervisor, tube, lot, work_order
):
    request = submitted(work_order, clerk, [line(tube, 5, lot=lot)], code="BOM_CHANGE")
    with pytest.raises(ValidationError, match="Give a reason for the rejection"):
        return_reject(return_request=request, actor=user, reason="  ")
    request = return_reject(return_request=request, actor=user, reason="mixed materials")
    assert (request.state, request.rejection_reason) == (ReturnState.REJECTED, "mixed materials")
    assert set(steps_of(request).values_list("state", flat=True)) == {StepState.CANCELLED}
    with pytest.raises(StateConflict, match="is rejected: it cannot be rejected"):
        return_reject(return_request=request, actor=user, reason="again")


def test_the_requester_cannot_decide_even_holding_the_tier(clerk, tube, lot, work_order, workshop):
    TierAssignment.objects.create(user=clerk, tier=Tier.SUPERVISOR, workshop=workshop)
    request = submitted(work_order, clerk, [line(tube, 5, lot=lot)])
    with pytest.raises(StateConflict, match="cannot decide on your own request"):
        return_review(return_request=request, actor=clerk)
    assert reloaded(request).state == ReturnState.SUBMITTED
    assert pending_step(request).decided_by is None


def test_a_decided_step_cannot_be_decided_again(clerk, supervisor, tube, lot, work_order):
    request = submitted(work_order, clerk, [line(tube, 5, lot=lot)])
    [step] = steps_of(request)
    return_review(return_request=request, actor=supervisor)
    with pytest.raises(StateConflict, match="already decided"):
        approval_decide(step=step, actor=supervisor, approve=False, comment="no")
    with pytest.raises(StateConflict, match="is supervisor reviewed|is reviewed"):
        return_review(return_request=request, actor=supervisor, approve=False, comment="no")
    assert reloaded(request).state == ReturnState.REVIEWED


def test_only_the_applicant_submits(clerk, supervisor, tube, lot, work_order):
    request = draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
    with pytest.raises(PermissionDenied, match="Only the applicant of RT-draft-"):
        return_submit(return_request=request, actor=supervisor)
    assert reloaded(request).number is None
    admin = UserFactory(username="root", is_superuser=True)
    assert return_submit(return_request=request, actor=admin).state == ReturnState.SUBMITTED


def test_the_applicant_cannot_give_the_qc_verdict(clerk, supervisor, tube, lot, work_order):
    request = reviewed(work_order, clerk, supervisor, [line(tube, 5, lot=lot)])
    with pytest.raises(PermissionDenied, match="not allowed to give QC verdicts"):
        inspected(request, supervisor)  # only QC gives verdicts
    with_roles(clerk, "qc")  # even holding the QC role, never on their own return
    with pytest.raises(StateConflict, match="QC verdict on your own return"):
        inspected(request, clerk)
    with pytest.raises(ValidationError, match="Give a QC verdict for line 1"):
        return_qc_verdict(return_request=request, verdicts=[], actor=with_roles(supervisor, "qc"))


# ------------------------------------------------------------------------ wrong states


def test_posting_an_unapproved_return_is_refused(user, clerk, tube, lot, work_order):
    request = submitted(work_order, clerk, [line(tube, 5, lot=lot)])
    before = stock_state()
    with pytest.raises(StateConflict, match="is submitted: it cannot be posted"):
        return_post(return_request=request, actor=user)
    with pytest.raises(StateConflict, match="is submitted: it cannot be received"):
        return_receive(return_request=request, lines=[], actor=user)
    assert stock_state() == before and reloaded(request).state == ReturnState.SUBMITTED


def test_posting_twice_books_once(user, clerk, supervisor, qc, tube, lot, shelf, work_order):
    request = inspected(reviewed(work_order, clerk, supervisor, [line(tube, 5, lot=lot)]), qc)
    request = return_receive(return_request=request, lines=[], actor=user)
    return_post(return_request=request, actor=user)
    before = stock_state()
    with pytest.raises(StateConflict, match="is posted: it cannot be posted"):
        return_post(return_request=request, actor=user)
    assert stock_state() == before
    assert LedgerEntry.objects.filter(doc_type="return").count() == 1
    [event] = OutboxEvent.objects.filter(topic="return.posted")  # told to the ERP once
    assert event.payload["number"] == request.number


def test_cancel_before_posting_only(user, clerk, supervisor, qc, tube, lot, work_order):
    request = submitted(work_order, clerk, [line(tube, 5, lot=lot)])
    with pytest.raises(PermissionDenied):
        return_cancel(return_request=request, actor=supervisor)
    request = return_cancel(return_request=request, actor=clerk)
    assert request.state == ReturnState.CANCELLED
    assert set(steps_of(request).values_list("state", flat=True)) == {StepState.CANCELLED}
    with pytest.raises(StateConflict, match="is cancelled: it cannot be cancelled"):
        return_cancel(return_request=request, actor=clerk)

    posted = inspected(reviewed(work_order, clerk, supervisor, [line(tube, 5, lot=lot)]), qc)
    posted = return_post(
        return_request=return_receive(return_request=posted, lines=[], actor=user), actor=user
    )
    with pytest.raises(StateConflict, match="is posted: it cannot be cancelled"):
        return_cancel(return_request=posted, actor=clerk)


def test_open_requests_of_a_work_order(user, clerk, supervisor, qc, tube, lot, work_order):
    draft = draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
    cancelled = return_cancel(
        return_request=draft_return(work_order, clerk, [line(tube, 5, lot=lot)]), actor=clerk
    )
    posted = inspected(reviewed(work_order, clerk, supervisor, [line(tube, 5, lot=lot)]), qc)
    return_post(
        return_request=return_receive(return_request=posted, lines=[], actor=user), actor=user
    )
    rejected = return_reject(
        return_request=submitted(work_order, clerk, [line(tube, 5, lot=lot)]),
        actor=user,
        reason="no",
    )
    open_requests = closeout_open_requests(work_order)
    open_returns = {row["id"] for row in open_requests["returns"]}
    assert open_returns == {draft.pk, rejected.pk}
    assert cancelled.pk not in open_returns
    assert open_requests["replenishments"] == []


def test_every_change_is_audited_with_the_device(clerk, tube, lot, work_order):
    request = draft_return(work_order, clerk, [line(tube, 5, lot=lot)], device="HH-3")
    event = AuditEvent.objects.get(action="return.create")
    assert (event.actor_username, event.device_id, event.object_id) == (
        "clerk",
        "HH-3",
        str(request.pk),
    )
    assert event.after["lines"][0]["material"] == "TUBE"
