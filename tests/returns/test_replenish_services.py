"""Replenishments (补料), R-P1…R-P4 with R-A2…R-A4 routing: one-for-one against defective
returns, the approval chain, FEFO issue and shortage slips."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals.models import StepState, Tier
from approvals.services import approval_decide, steps_of
from audit.models import AuditEvent
from core.errors import StateConflict
from core.models import OutboxEvent
from inventory.models import LedgerEntry, MovementType, Serial, SerialStatus, StockBalance
from materials.models import TrackingMode
from returns.models import ReplenishState, ReturnState, ShortageState, Verdict
from returns.selectors import closeout_open_requests
from returns.services.common import request_decide
from returns.services.issuing import replenish_issue, shortage_fulfil
from returns.services.replenish import replenish_cancel, replenish_reject, replenish_submit
from returns.services.return_posting import return_confirm
from tests.builders import location, receive, released_work_order
from tests.factories import MaterialFactory
from tests.returns.builders import (
    approve_all,
    draft_return,
    issued_replenishment,
    line,
    pending_step,
    posted_return,
    replenishment,
    tier_holder,
)
from workorders.selectors import material_totals
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = pytest.mark.django_db


def stock_state():
    return LedgerEntry.objects.count(), sorted(StockBalance.objects.values_list("id", "quantity"))


def this_month():
    return timezone.localtime().strftime("%Y%m")


def cite(return_request, quantity):
    return {"return_line": return_request.lines.get(), "quantity": Decimal(quantity)}


@pytest.fixture
def defect_return(user, clerk, qc, tube, lot, supplier_area, work_order):
    """5 tubes returned as a supplier defect and posted to the supplier-return area."""
    return posted_return(
        work_order,
        [line(tube, 5, lot=lot)],
        applicant=clerk,
        qc=qc,
        keeper=user,
        verdict=Verdict.SUPPLIER_DEFECT,
        code="SUPPLIER_DEFECT",
    )


# ------------------------------------------------------------------------ end to end


def test_supplier_defect_replaced_one_for_one(
    user, clerk, tube, lot, shelf, supplier_area, work_order, workshop, defect_return
):
    """R-P2, R-A4, R-P3: replace exactly the defective 5, approved by the workshop director
    and confirmed by material control, issued FEFO as blue entries citing the request."""
    assert StockBalance.objects.get(location=supplier_area).quantity == Decimal(5)
    before = stock_state()
    with pytest.raises(ValidationError) as error:
        replenishment(
            work_order,
            clerk,
            [line(tube, 6, citations=[cite(defect_return, 6)])],
            code="MATERIAL_DEFECT",
        )
    assert "has 5 of defective TUBE left to replace, not 6" in str(error.value)
    with pytest.raises(ValidationError) as error:
        replenishment(
            work_order,
            clerk,
            [line(tube, 6, citations=[cite(defect_return, 5)])],
            code="MATERIAL_DEFECT",
        )
    assert error.value.message_dict["quantity"] == [
        "One-for-one: the replenished 6 of TUBE must equal the defective quantity cited (5)."
    ]
    assert stock_state() == before and not work_order.replenish_requests.exists()

    request = replenishment(
        work_order,
        clerk,
        [line(tube, 5, citations=[cite(defect_return, 5)])],
        code="MATERIAL_DEFECT",
    )
    assert (request.state, request.amount) == (ReplenishState.DRAFT, Decimal("12.50"))

    request = replenish_submit(replenish_request=request, actor=clerk)
    assert request.number == f"RP-{this_month()}-0001"
    steps = list(steps_of(request))
    assert [s.tier for s in steps] == [Tier.WORKSHOP_DIRECTOR, Tier.MATERIAL_CONTROL]
    assert steps[0].policy.version == 1
    [route] = steps[0].context["lines"]
    assert (route["material"], route["ratio"], route["order_band"], route["chain"]) == (
        "TUBE",
        "0.0250",
        "le1000",
        ["workshop_director", "material_control"],
    )

    director = tier_holder(Tier.WORKSHOP_DIRECTOR, workshop)
    request = request_decide(slip=request, actor=director)
    assert request.state == ReplenishState.SUBMITTED
    with pytest.raises(StateConflict, match="is awaiting approval: it cannot be issued"):
        replenish_issue(replenish_request=request, actor=user)
    request = request_decide(slip=request, actor=tier_holder(Tier.MATERIAL_CONTROL))
    assert request.state == ReplenishState.APPROVED and request.approved_at

    request = replenish_issue(replenish_request=request, actor=user, device="HH-2")
    assert (request.state, request.issued_by) == (ReplenishState.ISSUED, user)
    [entry] = LedgerEntry.objects.filter(doc_type="replenish")
    assert (
        entry.movement_type,
        entry.quantity,
        entry.location,
        entry.lot,
        entry.work_order,
        entry.doc_id,
        entry.remark,
    ) == (
        MovementType.REPLENISH,
        Decimal(-5),
        shelf,
        lot,
        work_order,
        request.number,
        "MATERIAL_DEFECT Material defect",
    )
    assert entry.reason_code == "MATERIAL_DEFECT"
    assert request.lines.get().issued_qty == Decimal(5)
    totals = material_totals([work_order.pk])[work_order.pk][tube.pk]
    assert (totals["returned"], totals["replenished"]) == (Decimal(5), Decimal(5))
    with pytest.raises(StateConflict, match="is issued: it cannot be issued"):
        replenish_issue(replenish_request=request, actor=user)

    # The defect is replaced: a second request cannot cite it again.
    with pytest.raises(ValidationError, match="has 0 of defective TUBE left to replace"):
        replenishment(
            work_order,
            clerk,
            [line(tube, 1, citations=[cite(defect_return, 1)])],
            code="MATERIAL_DEFECT",
        )


def test_process_defect_needs_the_production_manager_even_for_a_small_ratio(
    clerk, tube, work_order, scrap_return
):
    """R-A4: 2 of 200 (1 %) is within the workshop director's limit, yet operator scrap
    also goes to the production manager."""
    plain = replenish_submit(
        replenish_request=replenishment(work_order, clerk, [line(tube, 2)], code="OVER_QUOTA"),
        actor=clerk,
    )
    assert [s.tier for s in steps_of(plain)] == [Tier.WORKSHOP_DIRECTOR]
    scrap = replenishment(
        work_order,
        clerk,
        [line(tube, 2, citations=[cite(scrap_return, 2)])],
        code="OPERATOR_SCRAP",
    )
    scrap = replenish_submit(replenish_request=scrap, actor=clerk)
    assert [s.tier for s in steps_of(scrap)] == [
        Tier.WORKSHOP_DIRECTOR,
        Tier.PRODUCTION_MANAGER,
    ]
    assert approve_all(scrap) == [Tier.WORKSHOP_DIRECTOR, Tier.PRODUCTION_MANAGER]
    scrap.refresh_from_db()
    assert scrap.state == ReplenishState.APPROVED


def test_a_short_replenishment_opens_a_shortage_slip_until_stock_arrives(
    user, clerk, shelf, workshop
):
    """R-P4: issue what is there, write the short quantity, a slip SH-… for material
    control; stock arrives, the slip is fulfilled and the request is issued."""
    bolt = MaterialFactory(code="BOLT")
    receive(bolt, shelf, 10, user)
    work_order = released_work_order(
        user, components=[(bolt, 1, 0)], number="WO-B", workshop=workshop
    )
    work_order_issue(work_order=work_order, actor=user, lines=[IssueLine(bolt, Decimal(5), shelf)])

    request = issued_replenishment(work_order, clerk, bolt, 20)
    [bolt_line] = request.lines.all()
    [slip] = bolt_line.shortages.all()
    assert request.state == ReplenishState.SHORT
    [event] = OutboxEvent.objects.filter(topic="shortage.opened")
    assert (event.payload["number"], event.payload["quantity"]) == (slip.number, "15.0000")
    assert (bolt_line.issued_qty, bolt_line.short_qty) == (Decimal(5), Decimal(15))
    assert (slip.number, slip.quantity, slip.state) == (
        f"SH-{this_month()}-0001",
        Decimal(15),
        ShortageState.OPEN,
    )
    assert StockBalance.objects.get(material=bolt).quantity == 0
    assert [row["id"] for row in closeout_open_requests(work_order)["replenishments"]] == [
        request.pk
    ]

    before = stock_state()
    with pytest.raises(ValidationError) as error:
        shortage_fulfil(slip=slip, actor=user)
    assert error.value.message_dict["quantity"] == ["Still short of BOLT: on hand 0, needed 15."]
    receive(bolt, shelf, 10, user)
    with pytest.raises(ValidationError, match="on hand 10, needed 15"):
        shortage_fulfil(slip=slip, actor=user)
    assert stock_state()[0] == before[0] + 1  # only the receipt

    receive(bolt, location("B"), 5, user)
    slip = shortage_fulfil(slip=slip, actor=user)
    assert (slip.state, slip.closed_by) == (ShortageState.CLOSED, user) and slip.closed_at
    request.refresh_from_db()
    bolt_line.refresh_from_db()
    assert request.state == ReplenishState.ISSUED
    assert (bolt_line.issued_qty, bolt_line.short_qty) == (Decimal(20), Decimal(0))
    replenished = LedgerEntry.objects.filter(doc_type="replenish", doc_id=request.number)
    assert sorted(e.quantity for e in replenished) == [-10, -5, -5]
    assert {e.movement_type for e in replenished} == {MovementType.REPLENISH}
    assert closeout_open_requests(work_order)["replenishments"] == []
    with pytest.raises(StateConflict, match="is already closed"):
        shortage_fulfil(slip=slip, actor=user)
    assert AuditEvent.objects.filter(action="replenish.fulfil").count() == 1


def test_a_request_with_two_short_lines_stays_short_until_both_slips_close(
    user, clerk, shelf, workshop
):
    bolt, nut = MaterialFactory(code="BOLT"), MaterialFactory(code="NUT")
    work_order = released_work_order(
        user, components=[(bolt, 1, 0), (nut, 1, 0)], number="WO-B", workshop=workshop
    )
    request = replenishment(work_order, clerk, [line(bolt, 2), line(nut, 3)])
    request = replenish_submit(replenish_request=request, actor=clerk)
    approve_all(request)
    request = replenish_issue(replenish_request=request, actor=user)
    assert request.state == ReplenishState.SHORT
    bolt_slip, nut_slip = (ln.shortages.get() for ln in request.lines.all())
    receive(bolt, shelf, 2, user)
    shortage_fulfil(slip=bolt_slip, actor=user)
    request.refresh_from_db()
    assert request.state == ReplenishState.SHORT
    assert AuditEvent.objects.filter(action="shortage.fulfil").count() == 1
    receive(nut, shelf, 3, user)
    shortage_fulfil(slip=nut_slip, actor=user)
    request.refresh_from_db()
    assert request.state == ReplenishState.ISSUED


def test_serial_units_are_picked_by_serial_number(user, clerk, shelf, workshop):
    motor = MaterialFactory(code="MOTOR", tracking=TrackingMode.SERIAL)
    receive(motor, shelf, 4, user, batch_no="M1", serials=["SN4", "SN2", "SN3", "SN1"])
    work_order = released_work_order(
        user, components=[(motor, 1, 0)], number="WO-M", planned_qty=100, workshop=workshop
    )
    request = issued_replenishment(work_order, clerk, motor, 2)
    assert request.state == ReplenishState.ISSUED
    issued = Serial.objects.filter(status=SerialStatus.ISSUED).order_by("serial_no")
    assert [s.serial_no for s in issued] == ["SN1", "SN2"]
    assert LedgerEntry.objects.filter(doc_type="replenish", quantity=-1).count() == 2


# ------------------------------------------------------------------------ validation


def test_lines_must_be_requirements_of_the_work_order(clerk, tube, work_order):
    other = MaterialFactory(code="OTHER")
    with pytest.raises(ValidationError, match="OTHER is not required by work order WO-1"):
        replenishment(work_order, clerk, [line(other, 1)])
    with pytest.raises(ValidationError, match="TUBE is given on two lines"):
        replenishment(work_order, clerk, [line(tube, 1), line(tube, 2)])
    with pytest.raises(ValidationError, match="not a replenish reason"):
        replenishment(work_order, clerk, [line(tube, 1)], code="LEFTOVER")
    assert not work_order.replenish_requests.exists()


def test_citations_are_required_exactly_for_defects(
    user, clerk, qc, tube, lot, work_order, defect_return
):
    with pytest.raises(ValidationError, match="must cite the return slip lines"):
        replenishment(work_order, clerk, [line(tube, 5)], code="MATERIAL_DEFECT")
    with pytest.raises(ValidationError, match="Only a replenishment for defective material"):
        replenishment(work_order, clerk, [line(tube, 5, citations=[cite(defect_return, 5)])])


def test_only_defective_returns_past_the_draft_can_be_cited(
    user, clerk, qc, supervisor, tube, lot, shelf, work_order
):
    good = posted_return(
        work_order,
        [line(tube, 5, lot=lot)],
        applicant=clerk,
        qc=qc,
        keeper=user,
        verdict=Verdict.GOOD,
        code="LEFTOVER",
    )
    with pytest.raises(ValidationError, match="was not judged defective by QC"):
        replenishment(
            work_order,
            clerk,
            [line(tube, 5, citations=[cite(good, 5)])],
            code="MATERIAL_DEFECT",
        )
    draft = draft_return(work_order, clerk, [line(tube, 5, lot=lot)], code="SUPPLIER_DEFECT")
    draft_line = draft.lines.get()
    draft_line.verdict, draft_line.received_qty = Verdict.SUPPLIER_DEFECT, Decimal(5)
    draft_line.save()
    with pytest.raises(ValidationError, match="is draft: only a submitted or posted defect"):
        replenishment(
            work_order,
            clerk,
            [line(tube, 5, citations=[cite(draft, 5)])],
            code="MATERIAL_DEFECT",
        )


def test_confirmed_returns_can_be_cited_but_not_from_another_work_order(
    user, clerk, finance, tube, lot, shelf, workshop, work_order, defect_return
):
    defect_return = return_confirm(return_request=defect_return, actor=finance)
    other = released_work_order(user, components=[(tube, 1, 0)], number="WO-2", workshop=workshop)
    with pytest.raises(ValidationError, match="is not a return of TUBE from work order WO-2"):
        replenishment(
            other,
            clerk,
            [line(tube, 5, citations=[cite(defect_return, 5)])],
            code="MATERIAL_DEFECT",
        )
    request = replenishment(
        work_order,
        clerk,
        [line(tube, 5, citations=[cite(defect_return, 5)])],
        code="MATERIAL_DEFECT",
    )
    assert defect_return.state == ReturnState.CONFIRMED and request.pk


# ------------------------------------------------------------------------ rejection etc.


def test_rejected_replenishment_is_resubmitted_with_its_number(clerk, tube, work_order, workshop):
    request = replenish_submit(
        replenish_request=replenishment(work_order, clerk, [line(tube, 2)]), actor=clerk
    )
    number = request.number
    director = tier_holder(Tier.WORKSHOP_DIRECTOR, workshop)
    request = request_decide(
        slip=request, actor=director, approve=False, comment="use the spare stock"
    )
    assert (request.state, request.rejection_reason) == (
        ReplenishState.REJECTED,
        "use the spare stock",
    )
    request = replenish_submit(replenish_request=request, actor=clerk)
    assert (request.number, request.rejection_reason) == (number, "")
    assert list(steps_of(request).values_list("round", "state")) == [
        (1, StepState.REJECTED),
        (2, StepState.PENDING),
    ]
    with pytest.raises(StateConflict, match="cannot decide on your own request"):
        approval_decide(step=pending_step(request), actor=clerk, approve=True)
    assert request_decide(slip=request, actor=director).state == ReplenishState.APPROVED


def test_resubmitting_rechecks_one_for_one(clerk, tube, work_order, workshop, defect_return):
    first = replenishment(
        work_order,
        clerk,
        [line(tube, 5, citations=[cite(defect_return, 5)])],
        code="MATERIAL_DEFECT",
    )
    first = replenish_submit(replenish_request=first, actor=clerk)
    first = request_decide(
        slip=first,
        actor=tier_holder(Tier.WORKSHOP_DIRECTOR, workshop),
        approve=False,
        comment="wrong slip",
    )
    # While the first is rejected its citation is free, so a second request takes it …
    second = replenishment(
        work_order,
        clerk,
        [line(tube, 5, citations=[cite(defect_return, 5)])],
        code="MATERIAL_DEFECT",
    )
    # … and the first can no longer be resubmitted.
    with pytest.raises(ValidationError, match="has 0 of defective TUBE left to replace"):
        replenish_submit(replenish_request=first, actor=clerk)
    first.refresh_from_db()
    assert first.state == ReplenishState.REJECTED and second.state == ReplenishState.DRAFT


def test_reject_and_cancel(user, clerk, tube, work_order):
    request = replenish_submit(
        replenish_request=replenishment(work_order, clerk, [line(tube, 2)]), actor=clerk
    )
    with pytest.raises(ValidationError, match="Give a reason for the rejection"):
        replenish_reject(replenish_request=request, actor=user, reason="")
    request = replenish_reject(replenish_request=request, actor=user, reason="no budget")
    assert request.state == ReplenishState.REJECTED
    assert set(steps_of(request).values_list("state", flat=True)) == {StepState.CANCELLED}
    with pytest.raises(PermissionDenied):
        replenish_cancel(replenish_request=request, actor=user)
    request = replenish_cancel(replenish_request=request, actor=clerk)
    assert request.state == ReplenishState.CANCELLED
    with pytest.raises(StateConflict, match="is cancelled: it cannot be cancelled"):
        replenish_cancel(replenish_request=request, actor=clerk)
    with pytest.raises(StateConflict, match="is cancelled: it cannot be submitted"):
        replenish_submit(replenish_request=request, actor=clerk)


def test_nothing_is_replenished_to_a_completed_work_order(user, clerk, tube, work_order):
    from workorders.services.lifecycle import work_order_complete, work_order_report_output

    work_order_report_output(work_order=work_order, good_qty=100, actor=user)
    work_order_complete(work_order=work_order, actor=user)
    with pytest.raises(StateConflict, match="WO-1 is completed: nothing can be replenished"):
        replenishment(work_order, clerk, [line(tube, 2)])
