"""The suspect verdict (疑似) and the nonconforming-material record (R-R9, seed 000 FAQ 3):
quarantine, joint sign-off by QC and production, disposition."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from approvals.models import StepState, Tier
from approvals.services import approval_decide, steps_of
from audit.models import AuditEvent
from core.errors import StateConflict
from inventory.models import InspectionStatus, LedgerEntry, MovementType, StockBalance
from materials.models import LocationKind
from returns.models import Disposition, NonconformingState, ReturnState, Verdict
from returns.services.nonconforming import (
    NO_SUPPLIER,
    NOT_IN_QUARANTINE,
    NOT_SIGNED,
    PROBLEM_REQUIRED,
    QUANTITY_MISMATCH,
    nonconforming_dispose,
)
from returns.services.return_drafting import return_cancel
from returns.services.return_receipt import return_receive
from tests.builders import location
from tests.factories import SupplierFactory
from tests.returns.builders import pending_step, tier_holder
from tests.returns.nonconforming_builders import (
    QTY,
    quarantined,
    record_of,
    reviewed_return,
    sign,
    suspect_verdict,
)
from workorders.models import ProductionLine


@pytest.fixture
def quarantine(db):
    return location("QA", kind=LocationKind.QUARANTINE)


@pytest.fixture
def line_side(workshop):
    spot = location("LS1", kind=LocationKind.LINE_SIDE)
    ProductionLine.objects.create(
        workshop=workshop, code="L1", name="Line 1", line_side_location=spot
    )
    return spot


@pytest.fixture
def suspect(work_order, tube, lot, clerk, qc, user, quarantine):
    """5 tubes of lot T1 judged suspect, received and posted into quarantine QA."""
    return quarantined(work_order, tube, QTY, lot=lot, applicant=clerk, qc=qc, keeper=user)


def on_hand(material, lot, place):
    balance = StockBalance.objects.filter(material=material, lot=lot, location=place).first()
    return balance.quantity if balance else Decimal(0)


def usable_on_hand(material, lot):
    return sum(
        StockBalance.objects.filter(
            material=material, lot=lot, location__kind__in=LocationKind.usable()
        ).values_list("quantity", flat=True),
        Decimal(0),
    )


def nothing_written(record):
    """The state that a refused disposal must leave untouched."""
    return (
        LedgerEntry.objects.count(),
        sorted(StockBalance.objects.values_list("id", "quantity")),
        AuditEvent.objects.count(),
        record.state,
    )


def test_suspect_to_quarantine_sign_off_rework_closes_the_record(
    suspect, tube, lot, shelf, quarantine, line_side, workshop, user
):
    slip = suspect
    assert slip.state == ReturnState.POSTED
    assert slip.lines.get().verdict == Verdict.SUSPECT
    # in quarantine, not in usable stock: shelf A keeps the 400 left after issuing 100
    assert on_hand(tube, lot, quarantine) == QTY
    assert on_hand(tube, lot, shelf) == 400
    assert usable_on_hand(tube, lot) == 400
    record = record_of(slip)
    assert record.number.startswith("NC-")
    assert record.state == NonconformingState.SIGNING
    assert (record.quantity, record.location, record.material, record.lot) == (
        QTY,
        quarantine,
        tube,
        lot,
    )
    assert record.problem == "Surface spots, maybe corrosion"
    assert AuditEvent.objects.filter(action="nonconforming.open").count() == 1
    assert pending_step(record).tier == Tier.QC

    assert sign(record, workshop) == [Tier.QC, Tier.PRODUCTION_MANAGER]
    assert record.state == NonconformingState.SIGNED

    record = nonconforming_dispose(
        record=record, disposition=Disposition.REWORK, quantity="5", actor=user
    )
    assert record.state == NonconformingState.CLOSED
    assert (record.disposition, record.destination, record.disposed_qty) == (
        Disposition.REWORK,
        line_side,
        QTY,
    )
    assert on_hand(tube, lot, quarantine) == 0
    assert on_hand(tube, lot, line_side) == QTY
    transfers = LedgerEntry.objects.filter(movement_type=MovementType.TRANSFER)
    assert sorted(transfers.values_list("location__code", "quantity")) == [
        ("LS1", QTY),
        ("QA", -QTY),
    ]
    assert transfers.first().remark.startswith(record.number)
    assert AuditEvent.objects.filter(action="nonconforming.dispose").count() == 1
    assert AuditEvent.objects.filter(action="stock.transfer").count() == 1
    call_command("check_ledger")


@pytest.mark.parametrize(
    ("disposition", "kind", "code"),
    [
        (Disposition.USE_AS_IS, None, "A"),  # back to where it was issued from
        (Disposition.SCRAP, LocationKind.SCRAP, "SC9"),
        (Disposition.RETURN_TO_SUPPLIER, LocationKind.SUPPLIER_RETURN, "SR9"),
    ],
)
def test_each_disposition_goes_to_its_area(
    suspect, tube, lot, shelf, quarantine, workshop, user, disposition, kind, code
):
    if kind:
        location(code, kind=kind)
    lot.supplier = SupplierFactory(code="ACME")
    lot.save(update_fields=["supplier"])
    record = record_of(suspect)
    sign(record, workshop)
    record = nonconforming_dispose(record=record, disposition=disposition, quantity=QTY, actor=user)
    assert record.destination.code == code
    assert on_hand(tube, lot, record.destination) == (400 + QTY if code == "A" else QTY)
    assert on_hand(tube, lot, quarantine) == 0
    lot.refresh_from_db()
    assert lot.inspection_status != InspectionStatus.FAILED
    if disposition == Disposition.USE_AS_IS:
        assert usable_on_hand(tube, lot) == 400 + QTY
    else:
        assert usable_on_hand(tube, lot) == 400
    call_command("check_ledger")


def test_keeper_may_pick_the_destination_of_its_kind(suspect, tube, lot, workshop, user):
    record = record_of(suspect)
    sign(record, workshop)
    storage = location("B7")
    wrong = location("SC7", kind=LocationKind.SCRAP)
    with pytest.raises(ValidationError) as refused:
        nonconforming_dispose(
            record=record,
            disposition=Disposition.USE_AS_IS,
            quantity=QTY,
            location=wrong,
            actor=user,
        )
    assert "SC7" in str(refused.value)
    nonconforming_dispose(
        record=record, disposition=Disposition.USE_AS_IS, quantity=QTY, location=storage, actor=user
    )
    assert on_hand(tube, lot, storage) == QTY


def test_disposing_before_sign_off_is_refused(suspect, workshop, user):
    record = record_of(suspect)
    approval = pending_step(record)
    approval_decide(step=approval, actor=tier_holder(Tier.QC, workshop), approve=True)
    before = nothing_written(record)  # QC signed, production not yet
    with pytest.raises(StateConflict) as refused:
        nonconforming_dispose(
            record=record, disposition=Disposition.SCRAP, quantity=QTY, actor=user
        )
    assert refused.value.message == NOT_SIGNED
    record.refresh_from_db()
    assert nothing_written(record) == before


def test_disposing_twice_is_refused(suspect, workshop, user, line_side):
    record = record_of(suspect)
    sign(record, workshop)
    nonconforming_dispose(record=record, disposition=Disposition.REWORK, quantity=QTY, actor=user)
    record.refresh_from_db()
    before = nothing_written(record)
    with pytest.raises(StateConflict):
        nonconforming_dispose(
            record=record, disposition=Disposition.REWORK, quantity=QTY, actor=user
        )
    assert nothing_written(record) == before


def test_return_to_supplier_needs_a_lot_supplier(suspect, workshop, user):
    location("SR9", kind=LocationKind.SUPPLIER_RETURN)
    record = record_of(suspect)
    sign(record, workshop)
    before = nothing_written(record)
    with pytest.raises(ValidationError) as refused:
        nonconforming_dispose(
            record=record, disposition=Disposition.RETURN_TO_SUPPLIER, quantity=QTY, actor=user
        )
    assert refused.value.message_dict["disposition"] == [
        str(NO_SUPPLIER % {"lot": "T1", "material": "TUBE"})
    ]
    assert nothing_written(record) == before


def test_quantity_mismatch_is_refused(suspect, workshop, user, line_side):
    record = record_of(suspect)
    sign(record, workshop)
    before = nothing_written(record)
    with pytest.raises(ValidationError) as refused:
        nonconforming_dispose(record=record, disposition=Disposition.REWORK, quantity=3, actor=user)
    expected = QUANTITY_MISMATCH % {
        "record": record.number,
        "expected": "5",
        "material": "TUBE",
        "qty": "3",
    }
    assert refused.value.message_dict["quantity"] == [str(expected)]
    assert nothing_written(record) == before


def test_no_quarantine_location_refuses_the_receipt(
    work_order, tube, lot, clerk, qc, user, supplier_area, scrap_area
):
    slip = reviewed_return(work_order, tube, QTY, lot=lot, applicant=clerk)
    slip = suspect_verdict(slip, qc)
    with pytest.raises(ValidationError) as refused:
        return_receive(return_request=slip, lines=[], actor=user)
    assert "quarantine" in refused.value.message_dict["location"][0]
    # the keeper may not put suspect material in the scrap area either
    with pytest.raises(ValidationError):
        return_receive(
            return_request=slip,
            lines=[{"line": slip.lines.get(), "location": scrap_area}],
            actor=user,
        )


def test_suspect_needs_a_problem_description(work_order, tube, lot, clerk, qc):
    slip = reviewed_return(work_order, tube, QTY, lot=lot, applicant=clerk)
    with pytest.raises(ValidationError) as refused:
        suspect_verdict(slip, qc, note=" ")
    assert refused.value.message_dict["qc_note"] == [
        str(PROBLEM_REQUIRED % {"line": 1, "material": "TUBE"})
    ]
    assert not slip.nonconforming_records.exists()


def test_not_in_quarantine_before_posting_and_cancel_withdraws_the_record(
    work_order, tube, lot, clerk, qc, user, quarantine, workshop
):
    slip = reviewed_return(work_order, tube, QTY, lot=lot, applicant=clerk)
    slip = suspect_verdict(slip, qc)
    record = record_of(slip)
    sign(record, workshop)
    with pytest.raises(StateConflict) as refused:
        nonconforming_dispose(
            record=record, disposition=Disposition.SCRAP, quantity=QTY, actor=user
        )
    assert refused.value.message == NOT_IN_QUARANTINE
    return_cancel(return_request=slip, actor=clerk)
    record.refresh_from_db()
    assert record.state == NonconformingState.CANCELLED


def test_a_dispute_opens_a_new_round_of_sign_off(suspect, workshop):
    record = record_of(suspect)
    approval_decide(
        step=pending_step(record),
        actor=tier_holder(Tier.QC, workshop),
        approve=False,
        comment="Spots are only dust",
    )
    record.refresh_from_db()
    assert record.state == NonconformingState.SIGNING
    assert record.dispute == "Spots are only dust"
    steps = steps_of(record).filter(round=2)
    assert steps.get(sequence=1).state == StepState.PENDING
    assert sign(record, workshop) == [Tier.QC, Tier.PRODUCTION_MANAGER]
    assert record.state == NonconformingState.SIGNED
