"""Receipts into stock (``RECEIPT`` entries): goods received here, finished goods through
``receipt_movements`` from the work-order close-out."""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser

from audit.services import audit_record
from core.services import document_number_next
from core.transactions import atomic_service
from inventory.models import LedgerEntry, MovementType
from inventory.services.lots import lot_get_or_create, lot_snapshot
from inventory.services.movements import Movement, entries_summary, one_movement_per_unit
from inventory.services.posting import ledger_post
from inventory.services.validation import (
    serials_create,
    validate_location,
    validate_lot,
    validate_quantity,
    validate_serials,
)
from materials.models import Location, Material


def receipt_movements(
    *,
    material: Material,
    location: Location,
    quantity: Decimal | int | str,
    batch_no: str = "",
    lot_fields: dict | None = None,
    serials: Iterable[str] = (),
    remark: str = "",
) -> list[Movement]:
    """Validate a receipt by the material's tracking mode (R-M4) and build its movements.

    ``batch_no`` names the lot, created with ``lot_fields`` when new; serial units are
    created too. Every receipt (goods, finished goods) goes through here.
    """
    lot = None
    if batch_no:
        lot = lot_get_or_create(material=material, batch_no=batch_no, **(lot_fields or {}))
    quantity = validate_quantity(quantity, material=material)
    validate_lot(material=material, lot=lot)
    validate_location(location)
    serials = list(serials)
    validate_serials(material=material, quantity=quantity, serials=serials)
    units = []
    if serials:
        units = serials_create(material=material, lot=lot, serials=serials, location=location)
    return one_movement_per_unit(
        material=material,
        lot=lot,
        location=location,
        quantity=quantity,
        movement_type=MovementType.RECEIPT,
        serials=units,
        remark=remark,
        new_units=True,
    )


def receipt_summary(entries: Sequence[LedgerEntry]) -> dict:
    lot = entries[0].lot
    return {"lot": lot_snapshot(lot) if lot else None, "entries": entries_summary(entries)}


@atomic_service
def stock_receive(
    *,
    material: Material,
    location: Location,
    quantity: Decimal | int | str,
    actor: AbstractBaseUser,
    device: str = "",
    batch_no: str = "",
    lot_fields: dict | None = None,
    serials: Iterable[str] = (),
    reference: str = "",
    remark: str = "",
    posting_date: date | None = None,
) -> list[LedgerEntry]:
    """Goods receipt into a location (``RECEIPT`` entries), dated ``posting_date`` (R-L6)."""
    movements = receipt_movements(
        material=material,
        location=location,
        quantity=quantity,
        batch_no=batch_no,
        lot_fields=lot_fields,
        serials=serials,
        remark=remark or reference,
    )
    number = document_number_next(prefix="GR")
    entries = ledger_post(
        movements=movements,
        doc_type="receipt",
        doc_id=number,
        actor=actor,
        device=device,
        posting_date=posting_date,
    )
    audit_record(
        actor=actor,
        device=device,
        action="stock.receive",
        object_type="receipt",
        object_id=number,
        after={
            "reference": reference,
            "posting_date": str(entries[0].posting_date),
            **receipt_summary(entries),
        },
    )
    return entries
