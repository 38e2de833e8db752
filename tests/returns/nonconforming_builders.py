"""Scenario builders for suspect material (R-R9); they call the real services."""

from decimal import Decimal

from approvals.services import approval_decide
from returns.models import NonconformingRecord
from returns.services.return_drafting import return_submit
from returns.services.return_posting import return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from tests.returns.builders import draft_return, line, pending_step, tier_holder


def reviewed_return(work_order, material, quantity, *, lot, applicant, code="SUPPLIER_DEFECT"):
    slip = draft_return(work_order, applicant, [line(material, quantity, lot=lot)], code=code)
    slip = return_submit(return_request=slip, actor=applicant)
    approval_decide(
        step=pending_step(slip),
        actor=tier_holder("supervisor", work_order.workshop),
        approve=True,
    )
    return slip


def suspect_verdict(slip, qc, note="Surface spots, maybe corrosion"):
    verdicts = [{"line": ln, "verdict": "suspect", "qc_note": note} for ln in slip.lines.all()]
    return return_qc_verdict(return_request=slip, verdicts=verdicts, actor=qc)


def quarantined(work_order, material, quantity, *, lot, applicant, qc, keeper):
    """A return judged suspect, received and posted: its material sits in quarantine."""
    slip = reviewed_return(work_order, material, quantity, lot=lot, applicant=applicant)
    slip = suspect_verdict(slip, qc)
    slip = return_receive(return_request=slip, lines=[], actor=keeper)
    return return_post(return_request=slip, actor=keeper)


def record_of(slip):
    return NonconformingRecord.objects.get(return_request=slip)


def sign(record, workshop):
    """QC, then production: the joint sign-off (R-R9)."""
    signers = []
    while (step := pending_step(record)) is not None:
        approval_decide(step=step, actor=tier_holder(step.tier, workshop), approve=True)
        signers.append(step.tier)
    record.refresh_from_db()
    return signers


QTY = Decimal(5)
