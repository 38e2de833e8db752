"""Stock moved by the warehouse itself: transfers between locations and count adjustments."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.services import document_number_next
from core.transactions import atomic_service
from inventory.models import LedgerEntry, Lot, MovementType
from inventory.services.movements import entries_summary, one_movement_per_unit
from inventory.services.posting import ledger_post
from inventory.services.validation import (
    serials_create,
    serials_in_stock,
    validate_location,
    validate_lot,
    validate_quantity,
    validate_serials,
)
from materials.models import Location, Material

SAME_LOCATION = _("Source and destination locations are the same.")
REASON_REQUIRED = _("A reason is required for a stock adjustment.")


@atomic_service
def stock_transfer(
    *,
    material: Material,
    from_location: Location,
    to_location: Location,
    quantity: Decimal | int | str,
    actor: AbstractBaseUser,
    device: str = "",
    lot: Lot | None = None,
    serials: Iterable[str] = (),
    remark: str = "",
    posting_date: date | None = None,
) -> list[LedgerEntry]:
    """Move stock between locations: a negative and a positive ``TRANSFER`` entry."""
    quantity = validate_quantity(quantity, material=material)
    validate_lot(material=material, lot=lot, allow_expired=True)
    validate_location(to_location, field="to_location")
    if from_location.pk == to_location.pk:
        raise ValidationError({"to_location": SAME_LOCATION})
    serials = list(serials)
    validate_serials(material=material, quantity=quantity, serials=serials)
    units = serials_in_stock(material=material, lot=lot, serials=serials) if serials else []
    common = {
        "material": material,
        "lot": lot,
        "movement_type": MovementType.TRANSFER,
        "serials": units,
        "remark": remark,
    }
    number = document_number_next(prefix="TR")
    entries = ledger_post(
        movements=one_movement_per_unit(location=from_location, quantity=-quantity, **common)
        + one_movement_per_unit(location=to_location, quantity=quantity, **common),
        doc_type="transfer",
        doc_id=number,
        actor=actor,
        device=device,
        posting_date=posting_date,
    )
    audit_record(
        actor=actor,
        device=device,
        action="stock.transfer",
        object_type="transfer",
        object_id=number,
        after={"posting_date": str(entries[0].posting_date), "entries": entries_summary(entries)},
    )
    return entries


@atomic_service
def stock_adjust(
    *,
    material: Material,
    location: Location,
    quantity: Decimal | int | str,
    reason: str,
    actor: AbstractBaseUser,
    device: str = "",
    lot: Lot | None = None,
    serials: Iterable[str] = (),
    posting_date: date | None = None,
) -> list[LedgerEntry]:
    """Count correction with a mandatory reason; ``quantity`` is signed."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    quantity = Decimal(quantity)
    magnitude = validate_quantity(abs(quantity), material=material)
    validate_lot(material=material, lot=lot, allow_expired=True)
    validate_location(location)
    serials = list(serials)
    validate_serials(material=material, quantity=magnitude, serials=serials)
    units = []
    if serials and quantity < 0:
        units = serials_in_stock(material=material, lot=lot, serials=serials)
    elif serials:
        units = serials_create(material=material, lot=lot, serials=serials, location=location)
    number = document_number_next(prefix="AJ")
    entries = ledger_post(
        movements=one_movement_per_unit(
            material=material,
            lot=lot,
            location=location,
            quantity=quantity,
            serials=units,
            remark=reason,
            movement_type=MovementType.ADJUSTMENT,
            new_units=quantity > 0,
        ),
        doc_type="adjustment",
        doc_id=number,
        actor=actor,
        device=device,
        posting_date=posting_date,
    )
    audit_record(
        actor=actor,
        device=device,
        action="stock.adjust",
        object_type="adjustment",
        object_id=number,
        after={
            "reason": reason,
            "posting_date": str(entries[0].posting_date),
            "entries": entries_summary(entries),
        },
    )
    return entries
