"""Scrap disposal (报废单, R-D1): from a process-defect return in the scrap area to SCRAP
entries with value, signed by QC and production (and finance above the set amount); rework
moves the material instead; bad input writes nothing; the month-end workbook's Scrap sheet."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation
from openpyxl import load_workbook

from approvals.models import StepState, Tier
from approvals.services import approval_decide, steps_of
from audit.models import AuditEvent
from core.errors import StateConflict
from finance.month_end import month_end_compute
from finance.workbook import month_end_workbook
from inventory.models import LedgerEntry, MovementType, Serial, SerialStatus, StockBalance
from materials.models import LocationKind, TrackingMode
from returns.models import DisposalRoute, DisposalState, ScrapDisposal
from returns.services.disposals import (
    DisposalLineInput,
    scrap_disposal_cancel,
    scrap_disposal_create,
    scrap_disposal_post,
    scrap_disposal_submit,
)
from tests.builders import location, receive
from tests.factories import MaterialFactory
from tests.returns.builders import approve_all, pending_step, tier_holder

pytestmark = pytest.mark.django_db


def on_hand(material, place):
    return sum(
        StockBalance.objects.filter(material=material, location=place).values_list(
            "quantity", flat=True
        ),
        Decimal(0),
    )


def total_stock(material):
    return sum(
        StockBalance.objects.filter(material=material).values_list("quantity", flat=True),
        Decimal(0),
    )


def disposal_of(
    qc, workshop, tube, lot, place, quantity=2, route=DisposalRoute.WAREHOUSE_SCRAP, **kw
):
    return scrap_disposal_create(
        workshop=workshop,
        route=route,
        lines=[
            DisposalLineInput(material=tube, lot=lot, location=place, quantity=Decimal(quantity))
        ],
        applicant=qc,
        **kw,
    )


def approved(disposal, applicant):
    disposal = scrap_disposal_submit(disposal=disposal, actor=applicant)
    tiers = approve_all(disposal)
    disposal.refresh_from_db()
    return disposal, tiers


@pytest.fixture
def in_scrap(scrap_return, scrap_area, tube):
    """The process-defect return put 2 tubes of T1 into the scrap area (QC's verdict)."""
    assert on_hand(tube, scrap_area) == 2
    return scrap_area


def test_process_defect_return_to_scrap_disposal_posts_scrap_with_value(
    in_scrap, qc, user, workshop, tube, lot
):
    """End to end: return → QC process defect → scrap area → disposal → SCRAP entries."""
    disposal = disposal_of(qc, workshop, tube, lot, in_scrap)
    assert disposal.number.startswith("SD-")
    assert disposal.value == Decimal("5.00")  # 2 × 2.50 standard cost
    disposal, tiers = approved(disposal, qc)
    assert tiers == [Tier.QC, Tier.PRODUCTION_MANAGER]  # 5.00 is below 1000: no finance
    assert disposal.state == DisposalState.APPROVED

    disposal = scrap_disposal_post(disposal=disposal, actor=user)
    assert disposal.state == DisposalState.POSTED
    assert disposal.posting_date == timezone.localdate()
    assert on_hand(tube, in_scrap) == 0
    (entry,) = LedgerEntry.objects.filter(doc_type="scrap_disposal", doc_id=disposal.number)
    assert entry.movement_type == MovementType.SCRAP
    assert entry.quantity == Decimal(-2)
    assert entry.location == in_scrap and entry.lot == lot
    assert AuditEvent.objects.filter(action="scrap_disposal.post").exists()
    call_command("check_ledger")


def test_the_month_end_workbook_has_the_scrap_sheet(
    in_scrap, qc, user, workshop, tube, lot, tmp_path
):
    disposal, _tiers = approved(disposal_of(qc, workshop, tube, lot, in_scrap), qc)
    scrap_disposal_post(disposal=disposal, actor=user)
    month_end = month_end_compute(month=timezone.localdate().replace(day=1))
    path = tmp_path / "month.xlsx"
    with translation.override("en"):
        month_end_workbook(month_end, str(path))
    rows = [row for row in load_workbook(path)["Scrap"].iter_rows(values_only=True)]
    (line,) = [row for row in rows if row[1] == "TUBE"]
    assert line[0].startswith("warehouse scrap area")
    assert (Decimal(str(line[3])), line[4], Decimal(str(line[5]))) == (
        Decimal(2),
        tube.uom.code,
        Decimal("5"),
    )
    assert Decimal(str(rows[-1][5])) == Decimal("5")  # scrapped in the month


def test_finance_signs_only_above_the_set_amount(in_scrap, qc, workshop, tube, lot, settings):
    settings.SCRAP_FINANCE_APPROVAL_ABOVE = "5"
    at_limit = scrap_disposal_submit(
        disposal=disposal_of(qc, workshop, tube, lot, in_scrap, 2), actor=qc
    )
    assert list(steps_of(at_limit).values_list("tier", flat=True)) == [
        Tier.QC,
        Tier.PRODUCTION_MANAGER,
    ]
    settings.SCRAP_FINANCE_APPROVAL_ABOVE = "4.99"
    above = disposal_of(qc, workshop, tube, lot, in_scrap, 2)
    above, tiers = approved(above, qc)
    assert tiers == [Tier.QC, Tier.PRODUCTION_MANAGER, Tier.FINANCE]
    assert above.state == DisposalState.APPROVED


def test_rework_moves_the_material_to_the_workshop_and_keeps_the_stock(
    in_scrap, qc, user, workshop, tube, lot
):
    line_side = location("LS-WS1", kind=LocationKind.LINE_SIDE)
    before = total_stock(tube)
    disposal = disposal_of(
        qc, workshop, tube, lot, in_scrap, route=DisposalRoute.REWORK, rework_location=line_side
    )
    disposal, _tiers = approved(disposal, qc)
    scrap_disposal_post(disposal=disposal, actor=user)
    assert on_hand(tube, in_scrap) == 0
    assert on_hand(tube, line_side) == 2
    assert total_stock(tube) == before
    assert not LedgerEntry.objects.filter(movement_type=MovementType.SCRAP).exists()
    assert (
        LedgerEntry.objects.filter(
            movement_type=MovementType.TRANSFER, remark__startswith=disposal.number
        ).count()
        == 2
    )
    call_command("check_ledger")


def test_rework_needs_a_workshop_location(in_scrap, qc, workshop, tube, lot):
    with pytest.raises(ValidationError) as error:
        disposal_of(qc, workshop, tube, lot, in_scrap, route=DisposalRoute.REWORK)
    assert "rework_location" in error.value.message_dict
    with pytest.raises(ValidationError):
        disposal_of(
            qc, workshop, tube, lot, in_scrap, route=DisposalRoute.REWORK, rework_location=in_scrap
        )
    assert not ScrapDisposal.objects.exists()


def test_more_than_lies_in_the_location_is_refused(in_scrap, qc, workshop, tube, lot):
    with pytest.raises(ValidationError) as error:
        disposal_of(qc, workshop, tube, lot, in_scrap, 3)
    assert "Only 2 of TUBE / T1 is at SC" in str(error.value)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        disposal_of(qc, workshop, tube, lot, in_scrap, 3)
    assert "报废" in str(error.value.messages[0])
    assert not ScrapDisposal.objects.exists()


def test_usable_stock_is_refused(in_scrap, shelf, qc, workshop, tube, lot):
    with pytest.raises(ValidationError) as error:
        disposal_of(qc, workshop, tube, lot, shelf, 1)
    assert "only stock in scrap or quarantine locations" in str(error.value)
    assert not ScrapDisposal.objects.exists()


def test_posting_unapproved_or_twice_is_a_conflict(in_scrap, qc, user, workshop, tube, lot):
    disposal = disposal_of(qc, workshop, tube, lot, in_scrap)
    with pytest.raises(StateConflict, match="draft"):
        scrap_disposal_post(disposal=disposal, actor=user)
    disposal, _tiers = approved(disposal, qc)
    scrap_disposal_post(disposal=disposal, actor=user)
    entries = LedgerEntry.objects.count()
    with pytest.raises(StateConflict, match="posted"):
        scrap_disposal_post(disposal=disposal, actor=user)
    assert LedgerEntry.objects.count() == entries


def test_the_applicant_does_not_post_and_qc_cannot_post(in_scrap, qc, user, workshop, tube, lot):
    disposal = disposal_of(user, workshop, tube, lot, in_scrap)
    disposal, _tiers = approved(disposal, user)
    with pytest.raises(StateConflict):
        scrap_disposal_post(disposal=disposal, actor=user)
    with pytest.raises(PermissionDenied):
        scrap_disposal_post(disposal=disposal, actor=qc)
    assert on_hand(tube, in_scrap) == 2


def test_a_rejection_sends_it_back_to_draft_and_it_can_be_cancelled(
    in_scrap, qc, user, workshop, tube, lot
):
    disposal = scrap_disposal_submit(
        disposal=disposal_of(qc, workshop, tube, lot, in_scrap), actor=qc
    )
    approval_decide(
        step=pending_step(disposal), actor=tier_holder(Tier.QC), approve=False, comment="recount"
    )
    disposal.refresh_from_db()
    assert (disposal.state, disposal.rejection_reason) == (DisposalState.DRAFT, "recount")
    assert not steps_of(disposal).filter(state=StepState.PENDING).exists()
    disposal = scrap_disposal_submit(disposal=disposal, actor=qc)  # a new round
    disposal = scrap_disposal_cancel(disposal=disposal, actor=qc)
    assert disposal.state == DisposalState.CANCELLED
    assert not steps_of(disposal).filter(state__in=[StepState.PENDING, StepState.WAITING]).exists()
    with pytest.raises(StateConflict):
        scrap_disposal_post(disposal=disposal, actor=user)
    assert on_hand(tube, in_scrap) == 2


def test_only_qc_and_keepers_raise_disposals(in_scrap, clerk, workshop, tube, lot):
    workshop.members.add(clerk)
    with pytest.raises(PermissionDenied):
        disposal_of(clerk, workshop, tube, lot, in_scrap)


def test_serial_tracked_units_are_disposed_of_by_serial_number(scrap_area, qc, user, workshop):
    motor = MaterialFactory(code="MOTOR", tracking=TrackingMode.SERIAL)
    receive(motor, scrap_area, 2, user, batch_no="M1", serials=["SN1", "SN2"])
    lot = motor.lots.get()
    with pytest.raises(ValidationError, match="serial"):
        disposal_of(qc, workshop, motor, lot, scrap_area, 1)  # no serial number given
    disposal = scrap_disposal_create(
        workshop=workshop,
        route=DisposalRoute.WAREHOUSE_SCRAP,
        lines=[
            DisposalLineInput(
                material=motor, lot=lot, location=scrap_area, quantity=Decimal(1), serials=["SN2"]
            )
        ],
        applicant=qc,
    )
    disposal, _tiers = approved(disposal, qc)
    scrap_disposal_post(disposal=disposal, actor=user)
    (entry,) = LedgerEntry.objects.filter(movement_type=MovementType.SCRAP)
    assert entry.serial.serial_no == "SN2" and entry.quantity == -1
    scrapped = Serial.objects.get(serial_no="SN2")
    assert (scrapped.location, scrapped.status) == (None, SerialStatus.SCRAPPED)
    assert Serial.objects.get(serial_no="SN1").location == scrap_area
    call_command("check_ledger")


def test_a_scanned_disposal_number_opens_it_with_its_next_actions(
    api, in_scrap, qc, user, workshop, tube, lot
):
    """R-U2: the printed SD- slip is scanned like the other slips."""
    disposal = disposal_of(qc, workshop, tube, lot, in_scrap)
    scanned = api.post("/api/v1/scan/", {"code": disposal.number}, format="json").json()
    assert (scanned["type"], scanned["id"], scanned["state"]) == (
        "scrap_disposal",
        disposal.pk,
        "draft",
    )
    assert scanned["actions"] == ["cancel", "submit"]
    disposal, _tiers = approved(disposal, qc)
    scanned = api.post("/api/v1/scan/", {"code": disposal.number}, format="json").json()
    assert scanned["actions"] == ["cancel", "post"]
    unknown = api.post("/api/v1/scan/", {"code": "SD-202612-9999"}, format="json")
    assert unknown.status_code == 404
