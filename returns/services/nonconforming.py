"""Nonconforming-material records (不合格品处理单, R-R9, seed 000 FAQ 3): QC's suspect verdict
opens one per line, QC and production sign it jointly (approval steps, the inbox), and the
keeper carries out the disposition: the material leaves quarantine through an audited
transfer and the record closes, all in one transaction.

Lock order: the record row, then stock rows (``stock_transfer``), then the document-number
sequence, then the audit chain (``audit_record`` last), as in ``returns.services.common``.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import Tier
from approvals.services import approval_steps_cancel, approval_steps_open, request_scope_require
from audit.services import audit_record
from core.errors import StateConflict
from core.fields import format_qty
from core.services import document_number_next
from core.states import transition_require
from core.transactions import atomic_service
from inventory.services import stock_transfer, validate_location, validate_quantity
from materials.models import Location, LocationKind
from org.access import permission_require
from returns.models import (
    NONCONFORMING_LIVE,
    NONCONFORMING_TRANSITIONS,
    Disposition,
    NonconformingRecord,
    NonconformingState,
    ReturnLine,
    ReturnRequest,
    ReturnState,
    Verdict,
)
from returns.selectors import area_location, original_location
from returns.services.common import Actor
from workorders.models import ProductionLine

# R-R9: the joint sign-off, QC first (it judged the material), then production.
SIGN_OFF_TIERS = [Tier.QC, Tier.PRODUCTION_MANAGER]
BOOKED = {ReturnState.POSTED, ReturnState.CONFIRMED}

WRONG_STATE = _("%(record)s is %(state)s: it cannot be %(action)s.")
NOT_SIGNED = _("%(record)s is not signed off by QC and production yet: it cannot be disposed of.")
NOT_IN_QUARANTINE = _(
    "The material of %(record)s is not in quarantine yet: return %(request)s is %(state)s."
)
DISPOSITION_UNKNOWN = _("Unknown disposition %(disposition)s.")
QUANTITY_MISMATCH = _(
    "%(record)s covers %(expected)s of %(material)s in quarantine, not %(qty)s: "
    "the whole quantity is disposed of at once."
)
NO_SUPPLIER = _("Lot %(lot)s of %(material)s has no supplier: it cannot be returned to a supplier.")
NO_LOT_SUPPLIER = _("%(material)s has no lot, so no supplier: it cannot be returned to a supplier.")
DESTINATION_WRONG_KIND = _(
    "Location %(location)s is a %(kind)s location: “%(disposition)s” needs a %(needed)s location."
)
NO_DESTINATION = _(
    "No active %(kind)s location for “%(disposition)s” of %(material)s: choose one or ask an "
    "administrator."
)
PROBLEM_REQUIRED = _("Describe the problem of suspect line %(line)s (%(material)s) in the QC note.")

# Where each disposition may take the material; the first kind is the default area.
DESTINATION_KINDS = {
    Disposition.USE_AS_IS: LocationKind.usable(),
    Disposition.REWORK: [LocationKind.LINE_SIDE],
    Disposition.SCRAP: [LocationKind.SCRAP],
    Disposition.RETURN_TO_SUPPLIER: [LocationKind.SUPPLIER_RETURN],
}


def snapshot(record: NonconformingRecord) -> dict:
    return {
        "number": record.number,
        "state": record.state,
        "disposition": record.disposition,
        "return_request": str(record.return_request),
    }


def record_audit(
    record: NonconformingRecord,
    *,
    actor: Actor | None,
    device: str,
    action: str,
    before: dict | None = None,
    details: dict | None = None,
) -> None:
    audit_record(
        actor=actor,
        device=device,
        action=f"nonconforming.{action}",
        obj=record,
        before=before,
        after={**snapshot(record), **(details or {})},
    )


def ensure_record_transition(record: NonconformingRecord, target: str, action: str) -> None:
    transition_require(
        record,
        target,
        NONCONFORMING_TRANSITIONS,
        message=WRONG_STATE,
        params={"record": str(record), "state": record.get_state_display(), "action": action},
    )


# ---------------------------------------------------------------------------- the QC verdict


def problem_of(line: ReturnLine) -> str:
    """A suspect line needs its problem written down: it is what the signers judge."""
    problem = (line.qc_note or "").strip()
    if line.verdict == Verdict.SUSPECT and not problem:
        raise ValidationError(
            {"qc_note": PROBLEM_REQUIRED % {"line": line.position, "material": line.material.code}}
        )
    return problem


def nonconforming_sync(
    *, return_request: ReturnRequest, lines: list[ReturnLine], actor: Actor, device: str = ""
) -> list[NonconformingRecord]:
    """Called by the QC verdict (the return locked): a live record for every suspect line,
    its sign-off steps opened; a record whose line is no longer suspect (a new verdict after
    a rejection) is cancelled. Numbers are drawn before any audit row (lock order)."""
    live = {
        record.return_line_id: record
        for record in NonconformingRecord.objects.select_for_update().filter(
            return_line__in=lines, state__in=NONCONFORMING_LIVE
        )
    }
    opened, changed = [], []
    for line in lines:
        record = live.get(line.pk)
        if line.verdict != Verdict.SUSPECT:
            if record is not None:
                ensure_record_transition(record, NonconformingState.CANCELLED, _("cancelled"))
                changed.append((record, snapshot(record), "cancel"))
                record.state = NonconformingState.CANCELLED
                record.save(update_fields=["state", "updated_at"])
                approval_steps_cancel(request=record)
            continue
        problem = problem_of(line)
        if record is not None:
            record.problem = problem
            record.save(update_fields=["problem", "updated_at"])
            continue
        opened.append(
            NonconformingRecord.objects.create(
                number=document_number_next(prefix="NC"),
                return_line=line,
                return_request=return_request,
                work_order=return_request.work_order,
                applicant=return_request.applicant,
                material=line.material,
                lot=line.lot,
                problem=problem,
                raised_by=actor,
            )
        )
    for record in opened:
        approval_steps_open(
            request=record,
            tiers=SIGN_OFF_TIERS,
            workshop=return_request.work_order.workshop,
            requester=return_request.applicant,
            context={"return_request": return_request.number},
        )
    for record in opened:
        record_audit(record, actor=actor, device=device, action="open")
    for record, before, action in changed:
        record_audit(record, actor=actor, device=device, action=action, before=before)
    return opened


# ---------------------------------------------------------------------------- sign-off handlers


def nonconforming_signed(
    record: NonconformingRecord, actor: Actor | None, device: str
) -> NonconformingRecord:
    """Approval handler: the last of the joint signatures (the record is locked)."""
    ensure_record_transition(record, NonconformingState.SIGNED, _("signed off"))
    before = snapshot(record)
    record.state, record.signed_at = NonconformingState.SIGNED, timezone.now()
    record.save(update_fields=["state", "signed_at", "updated_at"])
    record_audit(record, actor=actor, device=device, action="sign", before=before)
    return record


def nonconforming_disputed(
    record: NonconformingRecord, actor: Actor | None, device: str, comment: str
) -> NonconformingRecord:
    """Approval handler: a signer disagrees. The dispute is kept on the record and a new
    round of the joint sign-off opens, so the record stays in the inbox until both agree."""
    ensure_record_transition(record, NonconformingState.SIGNED, _("signed off"))
    record.dispute = comment[:500]
    record.save(update_fields=["dispute", "updated_at"])
    approval_steps_open(
        request=record,
        tiers=SIGN_OFF_TIERS,
        workshop=record.work_order.workshop,
        requester=record.applicant,
        context={"return_request": record.return_request.number, "dispute": record.dispute},
    )
    record_audit(record, actor=actor, device=device, action="dispute", details={"comment": comment})
    return record


def nonconforming_return_cancelled(return_request: ReturnRequest, actor: Actor | None) -> None:
    """A withdrawn return leaves nothing in quarantine: its live records are cancelled."""
    records = NonconformingRecord.objects.select_for_update().filter(
        return_request=return_request, state__in=NONCONFORMING_LIVE
    )
    for record in records:
        before = snapshot(record)
        record.state = NonconformingState.CANCELLED
        record.save(update_fields=["state", "updated_at"])
        approval_steps_cancel(request=record)
        record_audit(record, actor=actor, device="", action="cancel", before=before)


# ---------------------------------------------------------------------------- disposition


def locked_record(record: NonconformingRecord, *, actor: Actor) -> NonconformingRecord:
    record = (
        NonconformingRecord.objects.select_for_update(of=("self",))
        .select_related(
            "return_request",
            "return_line__location",
            "work_order__workshop",
            "work_order__line__line_side_location",
            "material",
            "lot__supplier",
        )
        .get(pk=record.pk)
    )
    request_scope_require(request=record, actor=actor)
    return record


def ensure_disposable(record: NonconformingRecord) -> None:
    """409s: signed first, once only, and the material must be in quarantine."""
    params = {"record": str(record)}
    if record.state == NonconformingState.SIGNING:
        raise StateConflict(NOT_SIGNED, params=params)
    ensure_record_transition(record, NonconformingState.CLOSED, _("disposed of"))
    slip = record.return_request
    if slip.state not in BOOKED or record.location is None:
        raise StateConflict(
            NOT_IN_QUARANTINE,
            params={**params, "request": str(slip), "state": slip.get_state_display()},
        )


def default_destination(record: NonconformingRecord, disposition: str) -> Location | None:
    """Use as is: back where the work order's material was issued from; rework: the line
    side of the work order's line, else of its workshop; scrap and supplier return: the
    area of that kind, preferably in the quarantine's warehouse."""
    quarantine = record.location
    if disposition == Disposition.USE_AS_IS:
        origin = original_location(
            work_order=record.work_order, material=record.material, lot=record.lot
        )
        usable = origin is not None and origin.is_active and origin.is_usable
        return origin if usable else area_location(kind=LocationKind.STORAGE, near=quarantine)
    if disposition == Disposition.REWORK:
        line = record.work_order.line
        if line is not None and line.line_side_location and line.line_side_location.is_active:
            return line.line_side_location
        workshop_line = (
            ProductionLine.objects.filter(
                workshop=record.work_order.workshop,
                line_side_location__is_active=True,
                line_side_location__kind=LocationKind.LINE_SIDE,
            )
            .select_related("line_side_location")
            .order_by("code")
            .first()
        )
        return workshop_line.line_side_location if workshop_line else None
    return area_location(kind=DESTINATION_KINDS[disposition][0], near=quarantine)


def destination_for(
    record: NonconformingRecord, disposition: str, chosen: Location | None
) -> Location:
    kinds = DESTINATION_KINDS[disposition]
    label = Disposition(disposition).label
    if chosen is not None:
        validate_location(chosen)
        if chosen.kind not in kinds:
            raise ValidationError(
                {
                    "location": DESTINATION_WRONG_KIND
                    % {
                        "location": chosen.code,
                        "kind": chosen.get_kind_display(),
                        "disposition": label,
                        "needed": LocationKind(kinds[0]).label,
                    }
                }
            )
        return chosen
    location = default_destination(record, disposition)
    if location is None or location.kind not in kinds:
        raise ValidationError(
            {
                "location": NO_DESTINATION
                % {
                    "kind": LocationKind(kinds[0]).label,
                    "disposition": label,
                    "material": record.material.code,
                }
            }
        )
    return location


def ensure_supplier(record: NonconformingRecord) -> None:
    if record.lot is None:
        raise ValidationError({"disposition": NO_LOT_SUPPLIER % {"material": record.material.code}})
    if record.lot.supplier_id is None:
        raise ValidationError(
            {
                "disposition": NO_SUPPLIER
                % {"lot": record.lot.batch_no, "material": record.material.code}
            }
        )


@atomic_service
def nonconforming_dispose(
    *,
    record: NonconformingRecord,
    disposition: str,
    quantity: Decimal | int | str,
    actor: Actor,
    location: Location | None = None,
    note: str = "",
    device: str = "",
) -> NonconformingRecord:
    """R-R9: carry out the signed disposition. The whole quarantined quantity moves by an
    audited transfer (use as is → usable storage, the lot not marked failed; rework → the
    line side; scrap → a scrap area for the scrap-disposal document; return to supplier →
    the supplier-return area for the supplier-return document) and the record closes."""
    permission_require(actor, "returns.post_return", _("dispose of nonconforming material"))
    record = locked_record(record, actor=actor)
    ensure_disposable(record)
    if disposition not in Disposition.values:
        raise ValidationError({"disposition": DISPOSITION_UNKNOWN % {"disposition": disposition}})
    quantity = validate_quantity(quantity, material=record.material)
    if quantity != record.quantity:
        raise ValidationError(
            {
                "quantity": QUANTITY_MISMATCH
                % {
                    "record": str(record),
                    "expected": format_qty(record.quantity),
                    "material": record.material.code,
                    "qty": format_qty(quantity),
                }
            }
        )
    if disposition == Disposition.RETURN_TO_SUPPLIER:
        ensure_supplier(record)
    destination = destination_for(record, disposition, location)
    label = Disposition(disposition).label
    entries = stock_transfer(
        material=record.material,
        from_location=record.location,
        to_location=destination,
        quantity=quantity,
        lot=record.lot,
        serials=record.return_line.serials,
        remark=f"{record.number} {label}"[:200],
        actor=actor,
        device=device,
    )
    before = snapshot(record)
    record.state = NonconformingState.CLOSED
    record.disposition, record.disposition_note = disposition, (note or "").strip()[:300]
    record.disposed_qty, record.destination = quantity, destination
    record.disposed_by, record.disposed_at = actor, timezone.now()
    record.save(
        update_fields=[
            "state",
            "disposition",
            "disposition_note",
            "disposed_qty",
            "destination",
            "disposed_by",
            "disposed_at",
            "updated_at",
        ]
    )
    record_audit(
        record,
        actor=actor,
        device=device,
        action="dispose",
        before=before,
        details={
            "from": record.location.code,
            "to": destination.code,
            "quantity": str(quantity),
            "transfer": entries[0].doc_id,
        },
    )
    return record
