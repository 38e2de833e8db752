"""Supplier claims (R-S2; seed 002 料废 §4.1.3): a posted supplier return's claim closes when
the supplier replaces every line (received through ``stock_receive`` citing the return) or
credits it with a credit note; the ERP is told either way (``supplier_claim.closed``).

Lock order as ``returns.services.supplier_returns``: the supplier return's row, then the
line, then stock rows, then the audit chain.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import StateConflict
from core.fields import MONEY, format_qty
from core.outbox import outbox_emit
from core.transactions import atomic_service
from inventory.services import stock_receive, validate_quantity
from materials.models import Location, TrackingMode
from org.access import permission_require
from returns.models import ClaimClosure, SupplierReturn, SupplierReturnLine, SupplierReturnState
from returns.services.supplier_returns import (
    AMOUNT_NEGATIVE,
    PERMISSION,
    Actor,
    audit,
    ensure_transition,
    locked,
    state_change,
)

CLAIM_CLOSED = _("The claim of supplier return %(number)s is already closed.")
CREDIT_NOTE_REQUIRED = _("Give the credit note's number.")
REPLACED_TOO_MUCH = _(
    "Only %(open)s of %(material)s is still to be replaced on %(number)s; %(quantity)s given."
)
LINE_OTHER_RETURN = _("Line %(line)s is not a line of %(number)s.")
REPLACEMENT_LOCATION = _(
    "Location %(location)s is not a storage or line-side location: replacement stock must "
    "be usable."
)


def claim_close(
    supplier_return: SupplierReturn,
    *,
    actor: Actor,
    device: str,
    closure: str,
    details: dict,
    **fields: Any,
) -> SupplierReturn:
    """The claim closed (R-S2): the ERP is told (``supplier_claim.closed``)."""
    now = timezone.now()
    outbox_emit(
        topic="supplier_claim.closed",
        payload={
            "number": supplier_return.number,
            "supplier": supplier_return.supplier.code,
            "claim_amount": supplier_return.claim_amount,
            "closure": closure,
            "closed_at": now,
            **details,
        },
    )
    return state_change(
        supplier_return,
        SupplierReturnState.CLOSED,
        actor=actor,
        device=device,
        action="close",
        details={"closure": closure, **details},
        closure=closure,
        closed_by=actor,
        closed_at=now,
        **fields,
    )


def ensure_claim_open(supplier_return: SupplierReturn, action: Any) -> None:
    if supplier_return.state == SupplierReturnState.CLOSED:
        raise StateConflict(CLAIM_CLOSED, params={"number": supplier_return.number})
    ensure_transition(supplier_return, SupplierReturnState.CLOSED, action)


@atomic_service
def supplier_return_replacement_receive(
    *,
    supplier_return: SupplierReturn,
    line: SupplierReturnLine,
    quantity: Decimal,
    location: Location,
    actor: Actor,
    batch_no: str = "",
    serials: list[str] | None = None,
    device: str = "",
) -> SupplierReturn:
    """The supplier's replacement for one line, received into usable stock through
    ``stock_receive`` with the return's number as reference, up to what is still open on
    the line; when every line is replaced the claim closes (R-S2)."""
    permission_require(actor, PERMISSION, _("receive supplier replacements"))
    supplier_return = locked(supplier_return)
    ensure_claim_open(supplier_return, _("closed"))
    line = (
        SupplierReturnLine.objects.select_for_update(of=("self",))
        .select_related("material")
        .get(pk=line.pk)
    )
    if line.supplier_return_id != supplier_return.pk:
        raise ValidationError(
            {"line": LINE_OTHER_RETURN % {"line": line.pk, "number": supplier_return.number}}
        )
    quantity = validate_quantity(quantity, material=line.material)
    if quantity > line.open_qty:
        raise ValidationError(
            {
                "quantity": REPLACED_TOO_MUCH
                % {
                    "open": format_qty(line.open_qty),
                    "material": line.material.code,
                    "number": supplier_return.number,
                    "quantity": format_qty(quantity),
                }
            }
        )
    if not location.is_usable:
        raise ValidationError({"location": REPLACEMENT_LOCATION % {"location": location.code}})
    tracked = line.material.tracking in (TrackingMode.BATCH, TrackingMode.SERIAL)
    entries = stock_receive(
        material=line.material,
        location=location,
        quantity=quantity,
        actor=actor,
        device=device,
        batch_no=batch_no.strip() if tracked else "",
        lot_fields={"supplier": supplier_return.supplier},
        serials=serials or [],
        reference=supplier_return.number,
    )
    line.replaced_qty += quantity
    line.save(update_fields=["replaced_qty"])
    receipt = entries[0].doc_id
    details = {
        "line": line.pk,
        "material": line.material.code,
        "quantity": str(quantity),
        "receipt": receipt,
        "location": location.code,
    }
    if supplier_return.lines.filter(replaced_qty__lt=F("quantity")).exists():
        audit(supplier_return, actor=actor, device=device, action="replacement", details=details)
        return supplier_return
    return claim_close(
        supplier_return,
        actor=actor,
        device=device,
        closure=ClaimClosure.REPLACEMENT,
        details={"receipt": receipt},
    )


@atomic_service
def supplier_claim_credit(
    *,
    supplier_return: SupplierReturn,
    actor: Actor,
    credit_note: str,
    amount: Decimal,
    device: str = "",
) -> SupplierReturn:
    """The supplier credits the claim instead of replacing (R-S2): closes it."""
    permission_require(actor, PERMISSION, _("close supplier claims"))
    supplier_return = locked(supplier_return)
    ensure_claim_open(supplier_return, _("closed"))
    if not (credit_note or "").strip():
        raise ValidationError({"credit_note": CREDIT_NOTE_REQUIRED})
    amount = Decimal(amount)
    if amount < 0:
        raise ValidationError({"amount": AMOUNT_NEGATIVE})
    amount = amount.quantize(MONEY)
    return claim_close(
        supplier_return,
        actor=actor,
        device=device,
        closure=ClaimClosure.CREDIT,
        details={"credit_note": credit_note.strip(), "credit_amount": amount},
        credit_note=credit_note.strip()[:40],
        credit_amount=amount,
    )
