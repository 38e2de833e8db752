"""Supplier returns (退供应商) and their claims (R-S2, R-R4, R-L1; seed 002 料废 §4.1.3,
seed 003 §5.7.6).

draft → submitted → signed (warehouse supervisor, then MC supervisor) → posted
(``SUPPLIER_RETURN`` entries out of the supplier-return area, the claim opened for the ERP)
→ closed (replacement received citing the return, or a credit note:
``returns.services.supplier_claims``). Cancel before posting;
a rejected signature sends it back to be corrected and submitted again.

Lock order as everywhere: the supplier return's row, then stock rows (``ledger_post``), then
the document-number sequence, then the audit chain (``audit_record`` last).
"""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from approvals.models import Tier
from approvals.services import approval_steps_cancel, approval_steps_open
from core.errors import StateConflict
from core.fields import MONEY, format_qty
from core.outbox import outbox_emit
from core.services import document_number_next
from core.states import transition_require
from core.transactions import atomic_service
from inventory.models import MovementType
from inventory.services import (
    Movement,
    entries_summary,
    ledger_post,
    one_movement_per_unit,
    serials_in_stock,
    validate_location,
    validate_lot,
    validate_quantity,
    validate_serials,
)
from materials.models import LocationKind, Supplier
from org.access import permission_require
from returns.models import (
    CLAIM_DAYS,
    SUPPLIER_RETURN_TRANSITIONS,
    SupplierReturn,
    SupplierReturnLine,
    SupplierReturnState,
)
from returns.services.documents import document_audit, document_state_change, on_hand

Actor = AbstractUser
PERMISSION = "returns.handle_supplier_return"
# R-S2: the warehouse supervisor signs, then the MC supervisor; then the supplier confirms.
SIGNING_TIERS = [Tier.WAREHOUSE_SUPERVISOR, Tier.MC_SUPERVISOR]
NUMBER_PREFIX = "SR"

WRONG_STATE = _("Supplier return %(number)s is %(state)s: it cannot be %(action)s.")
NOT_SIGNED = _(
    "Supplier return %(number)s is %(state)s: it can be posted only once the warehouse "
    "supervisor and the MC supervisor have signed it."
)
NOT_ACKNOWLEDGED = _("Record the supplier's acknowledgement of %(number)s before posting it.")
NO_LINES = _("Give at least one line.")
SUPPLIER_INACTIVE = _("Supplier %(supplier)s is no longer active.")
NOT_SUPPLIER_AREA = _("Location %(location)s is not a supplier-return area.")
LOT_OTHER_SUPPLIER = _(
    "Lot %(lot)s of %(material)s came from %(lot_supplier)s, not from %(supplier)s."
)
MORE_THAN_ON_HAND = _(
    "Only %(on_hand)s of %(material)s%(lot)s is on hand at %(location)s; %(quantity)s asked."
)
SERIAL_ELSEWHERE = _("Serial number %(serial)s is not at %(location)s.")
REASON_REQUIRED = _("Say what is wrong with the material.")
NAME_REQUIRED = _("Give the name of the supplier's person who acknowledged the return.")
DATE_IN_FUTURE = _("The date cannot be in the future.")
AMOUNT_NEGATIVE = _("The amount cannot be negative.")


# ------------------------------------------------------------------------- helpers


def locked(supplier_return: SupplierReturn) -> SupplierReturn:
    return (
        SupplierReturn.objects.select_for_update(of=("self",))
        .select_related("supplier", "applicant")
        .get(pk=supplier_return.pk)
    )


def ensure_transition(supplier_return: SupplierReturn, target: str, action: Any) -> None:
    transition_require(
        supplier_return,
        target,
        SUPPLIER_RETURN_TRANSITIONS,
        message=WRONG_STATE,
        params={
            "number": supplier_return.number,
            "state": supplier_return.get_state_display(),
            "action": action,
        },
    )


def snapshot(supplier_return: SupplierReturn) -> dict:
    return {
        "state": supplier_return.state,
        "number": supplier_return.number,
        "claim_amount": str(supplier_return.claim_amount),
    }


def audit(supplier_return: SupplierReturn, **kwargs: Any) -> None:
    document_audit(supplier_return, prefix="supplier_return", snapshot=snapshot, **kwargs)


def state_change(supplier_return: SupplierReturn, state: str, **kwargs: Any) -> SupplierReturn:
    return document_state_change(
        supplier_return, state, prefix="supplier_return", snapshot=snapshot, **kwargs
    )


def line_value(line: SupplierReturnLine) -> Decimal:
    return (line.quantity * line.unit_value).quantize(MONEY)


def lines_value(lines: list[SupplierReturnLine]) -> Decimal:
    return sum((line_value(line) for line in lines), Decimal(0))


def claim_due(supplier_return: SupplierReturn) -> datetime | None:
    return (
        supplier_return.posted_at + timedelta(days=CLAIM_DAYS)
        if supplier_return.posted_at
        else None
    )


def validate_line(*, supplier: Supplier, data: dict) -> SupplierReturnLine:
    """One line: a supplier-return area, the supplier's own lot, no more than on hand there,
    the serial units where the material is serial-tracked (R-S2, R-M4)."""
    material, lot, location = data["material"], data.get("lot"), data["location"]
    quantity = validate_quantity(data["quantity"], material=material)
    if location.kind != LocationKind.SUPPLIER_RETURN:
        raise ValidationError({"location": NOT_SUPPLIER_AREA % {"location": location.code}})
    validate_location(location)
    validate_lot(material=material, lot=lot, allow_expired=True)  # expired goes back too
    if lot is not None and lot.supplier_id != supplier.pk:
        raise ValidationError(
            {
                "lot": LOT_OTHER_SUPPLIER
                % {
                    "lot": lot.batch_no,
                    "material": material.code,
                    "lot_supplier": lot.supplier.code if lot.supplier_id else "—",
                    "supplier": supplier.code,
                }
            }
        )
    available = on_hand(material, lot, location)
    if quantity > available:
        raise ValidationError(
            {
                "quantity": MORE_THAN_ON_HAND
                % {
                    "on_hand": format_qty(available),
                    "material": material.code,
                    "lot": f" / {lot.batch_no}" if lot else "",
                    "location": location.code,
                    "quantity": format_qty(quantity),
                }
            }
        )
    serials = [str(s).strip() for s in data.get("serials") or [] if str(s).strip()]
    validate_serials(material=material, quantity=quantity, serials=serials)
    if serials:
        for unit in serials_in_stock(material=material, lot=lot, serials=serials):
            if unit.location_id != location.pk:
                raise ValidationError(
                    {
                        "serials": SERIAL_ELSEWHERE
                        % {"serial": unit.serial_no, "location": location.code}
                    }
                )
    return SupplierReturnLine(
        material=material,
        lot=lot,
        location=location,
        quantity=quantity,
        serials=serials,
        unit_value=material.standard_cost,
    )


def claim_payload(supplier_return: SupplierReturn, lines: list[SupplierReturnLine]) -> dict:
    """The debit note for the ERP (R-S2): supplier, lines at standard cost, claim amount."""
    supplier = supplier_return.supplier
    return {
        "number": supplier_return.number,
        "supplier": {"code": supplier.code, "name": supplier.name},
        "reason": supplier_return.reason,
        "claim_amount": supplier_return.claim_amount,
        "posted_at": supplier_return.posted_at,
        "due_at": claim_due(supplier_return),
        "acknowledged_by": supplier_return.acknowledged_by,
        "lines": [
            {
                "material": line.material.code,
                "lot": line.lot.batch_no if line.lot_id else None,
                "serials": line.serials,
                "quantity": line.quantity,
                "unit_value": line.unit_value,
                "value": line_value(line),
            }
            for line in lines
        ],
    }


# ------------------------------------------------------------------------- services


@atomic_service
def supplier_return_create(
    *,
    supplier: Supplier,
    reason: str,
    lines: list[dict],
    actor: Actor,
    device: str = "",
) -> SupplierReturn:
    """A draft supplier return of ``supplier``'s lots lying in supplier-return areas; its
    claim amount is the lines' value at standard cost (editable until posted)."""
    permission_require(actor, PERMISSION, _("raise supplier returns"))
    if not supplier.is_active:
        raise ValidationError({"supplier": SUPPLIER_INACTIVE % {"supplier": supplier.code}})
    if not (reason or "").strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    if not lines:
        raise ValidationError({"lines": NO_LINES})
    built = [validate_line(supplier=supplier, data=data) for data in lines]
    supplier_return = SupplierReturn.objects.create(
        number=document_number_next(prefix=NUMBER_PREFIX),
        supplier=supplier,
        applicant=actor,
        reason=reason.strip()[:300],
        claim_amount=lines_value(built),
    )
    for line in built:
        line.supplier_return = supplier_return
    SupplierReturnLine.objects.bulk_create(built)
    audit(
        supplier_return,
        actor=actor,
        device=device,
        action="create",
        details={
            "supplier": supplier.code,
            "lines": [
                {
                    "material": line.material.code,
                    "lot": line.lot.batch_no if line.lot else None,
                    "location": line.location.code,
                    "quantity": str(line.quantity),
                    "serials": line.serials,
                }
                for line in built
            ],
        },
    )
    return supplier_return


@atomic_service
def supplier_return_submit(
    *, supplier_return: SupplierReturn, actor: Actor, device: str = ""
) -> SupplierReturn:
    """For signature: the warehouse supervisor, then the MC supervisor (R-S2). Plant-wide
    steps (no workshop): plant-wide holders of those tiers sign."""
    permission_require(actor, PERMISSION, _("submit supplier returns"))
    supplier_return = locked(supplier_return)
    ensure_transition(supplier_return, SupplierReturnState.SUBMITTED, _("submitted"))
    approval_steps_open(
        request=supplier_return,
        tiers=SIGNING_TIERS,
        workshop=None,
        requester=supplier_return.applicant,
        context={"supplier": supplier_return.supplier.code},
    )
    return state_change(
        supplier_return,
        SupplierReturnState.SUBMITTED,
        actor=actor,
        device=device,
        action="submit",
        submitted_at=timezone.now(),
        rejection_reason="",
    )


def supplier_return_signed(
    supplier_return: SupplierReturn, actor: Actor | None, device: str
) -> SupplierReturn:
    """Approval handler: the MC supervisor signed last (the row is locked by approvals)."""
    ensure_transition(
        supplier_return, SupplierReturnState.SIGNED, pgettext_lazy("action", "signed")
    )
    return state_change(
        supplier_return,
        SupplierReturnState.SIGNED,
        actor=actor,
        device=device,
        action="sign",
        signed_at=timezone.now(),
    )


def supplier_return_rejected(
    supplier_return: SupplierReturn, actor: Actor | None, device: str, comment: str
) -> SupplierReturn:
    """Approval handler: a signer refused; back to be corrected and submitted again."""
    ensure_transition(supplier_return, SupplierReturnState.REJECTED, _("rejected"))
    return state_change(
        supplier_return,
        SupplierReturnState.REJECTED,
        actor=actor,
        device=device,
        action="reject",
        rejection_reason=comment[:500],
    )


@atomic_service
def supplier_return_acknowledge(
    *,
    supplier_return: SupplierReturn,
    actor: Actor,
    name: str,
    on: date,
    attachment: UploadedFile | None = None,
    device: str = "",
) -> SupplierReturn:
    """The supplier's person who takes the goods signs for them (seed 002 §4.1.3)."""
    permission_require(actor, PERMISSION, _("record supplier acknowledgements"))
    supplier_return = locked(supplier_return)
    if supplier_return.state not in (SupplierReturnState.SUBMITTED, SupplierReturnState.SIGNED):
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": supplier_return.number,
                "state": supplier_return.get_state_display(),
                "action": _("acknowledged"),
            },
        )
    if not (name or "").strip():
        raise ValidationError({"name": NAME_REQUIRED})
    if on > timezone.localdate():
        raise ValidationError({"on": DATE_IN_FUTURE})
    before = snapshot(supplier_return)
    supplier_return.acknowledged_by = name.strip()[:80]
    supplier_return.acknowledged_on = on
    fields = ["acknowledged_by", "acknowledged_on", "updated_at"]
    if attachment is not None:
        supplier_return.acknowledgement.save(attachment.name, attachment, save=False)
        fields.append("acknowledgement")
    supplier_return.save(update_fields=fields)
    audit(
        supplier_return,
        actor=actor,
        device=device,
        action="acknowledge",
        before=before,
        details={
            "acknowledged_by": supplier_return.acknowledged_by,
            "acknowledged_on": str(on),
            "attachment": bool(attachment),
        },
    )
    return supplier_return


@atomic_service
def supplier_return_claim_amount_set(
    *, supplier_return: SupplierReturn, actor: Actor, amount: Decimal, device: str = ""
) -> SupplierReturn:
    """The amount claimed from the supplier, by default the lines' value; until posted."""
    permission_require(actor, PERMISSION, _("change supplier claims"))
    supplier_return = locked(supplier_return)
    if supplier_return.state in (
        SupplierReturnState.POSTED,
        SupplierReturnState.CLOSED,
        SupplierReturnState.CANCELLED,
    ):
        raise StateConflict(
            WRONG_STATE,
            params={
                "number": supplier_return.number,
                "state": supplier_return.get_state_display(),
                "action": _("changed"),
            },
        )
    amount = Decimal(amount)
    if amount < 0:
        raise ValidationError({"amount": AMOUNT_NEGATIVE})
    before = snapshot(supplier_return)
    supplier_return.claim_amount = amount.quantize(MONEY)
    supplier_return.save(update_fields=["claim_amount", "updated_at"])
    audit(supplier_return, actor=actor, device=device, action="claim_amount", before=before)
    return supplier_return


def supplier_return_movements(lines: list[SupplierReturnLine]) -> list[Movement]:
    """R-L1: ``SUPPLIER_RETURN`` entries take each line out of its supplier-return area."""
    movements = []
    for position, line in enumerate(lines, start=1):
        units = []
        if line.serials:
            units = serials_in_stock(material=line.material, lot=line.lot, serials=line.serials)
        movements += [
            replace(movement, doc_line=position)
            for movement in one_movement_per_unit(
                material=line.material,
                lot=line.lot,
                location=line.location,
                quantity=-line.quantity,
                movement_type=MovementType.SUPPLIER_RETURN,
                serials=units,
                remark=f"{line.supplier_return.supplier.code}"[:200],
            )
        ]
    return movements


@atomic_service
def supplier_return_post(
    *, supplier_return: SupplierReturn, actor: Actor, device: str = ""
) -> SupplierReturn:
    """The goods leave (R-S2): ``SUPPLIER_RETURN`` entries, the claim opened for the ERP
    (``supplier_claim.opened``, the debit note). Refused (409) before both signatures and
    the supplier's acknowledgement; ``ledger_post`` refuses more than on hand (400)."""
    permission_require(actor, PERMISSION, _("post supplier returns"))
    supplier_return = locked(supplier_return)
    params = {"number": supplier_return.number, "state": supplier_return.get_state_display()}
    if supplier_return.state in (SupplierReturnState.SUBMITTED, SupplierReturnState.DRAFT):
        raise StateConflict(NOT_SIGNED, params=params)
    ensure_transition(supplier_return, SupplierReturnState.POSTED, _("posted"))
    if not supplier_return.acknowledged_by:
        raise StateConflict(NOT_ACKNOWLEDGED, params=params)
    lines = list(
        supplier_return.lines.select_related("material", "lot", "location", "supplier_return")
    )
    for line in lines:
        line.supplier_return = supplier_return
    entries = ledger_post(
        movements=supplier_return_movements(lines),
        doc_type="supplier_return",
        doc_id=supplier_return.number,
        actor=actor,
        device=device,
    )
    now = timezone.now()
    supplier_return.posted_at = now
    outbox_emit(topic="supplier_claim.opened", payload=claim_payload(supplier_return, lines))
    return state_change(
        supplier_return,
        SupplierReturnState.POSTED,
        actor=actor,
        device=device,
        action="post",
        details={"entries": entries_summary(entries)},
        posted_by=actor,
        posted_at=now,
    )


@atomic_service
def supplier_return_cancel(
    *, supplier_return: SupplierReturn, actor: Actor, device: str = ""
) -> SupplierReturn:
    """Withdrawn before the goods left; open signature steps are closed."""
    permission_require(actor, PERMISSION, _("cancel supplier returns"))
    supplier_return = locked(supplier_return)
    ensure_transition(supplier_return, SupplierReturnState.CANCELLED, _("cancelled"))
    approval_steps_cancel(request=supplier_return)
    return state_change(
        supplier_return, SupplierReturnState.CANCELLED, actor=actor, device=device, action="cancel"
    )
