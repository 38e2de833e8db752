"""What a posting is made of: ``Movement`` (one signed quantity change) and the helpers that
build and summarise them. No database writes here."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from inventory.models import LedgerEntry, Lot, Serial
from materials.models import Location, Material


@dataclass(frozen=True)
class Movement:
    """One signed quantity change to post; ``serial`` moves exactly one unit. A
    ``new_unit`` was created by this posting already in its final state (in stock where it
    is received): it is neither locked nor flipped (issue #17)."""

    material: Material
    location: Location
    quantity: Decimal
    movement_type: str
    lot: Lot | None = None
    serial: Serial | None = None
    doc_line: int | None = None
    remark: str = ""
    new_unit: bool = False

    @property
    def key(self) -> tuple[int, int, int]:
        """The balance row it moves: (material, lot or 0, location)."""
        return (self.material.pk, self.lot.pk if self.lot else 0, self.location.pk)


def moved_serial_ids(movements: Sequence[Movement]) -> list[int]:
    """The existing serial units a posting moves, by id; new units need no lock."""
    return sorted({m.serial.pk for m in movements if m.serial and not m.new_unit})


def one_movement_per_unit(
    *,
    material: Material,
    lot: Lot | None,
    location: Location,
    quantity: Decimal,
    movement_type: str,
    serials: Sequence[Serial],
    remark: str = "",
    new_units: bool = False,
) -> list[Movement]:
    """Serial-tracked stock moves one unit per entry; the rest moves in one entry.
    ``new_units``: the serials come from ``serials_create`` (already in stock here)."""
    if serials:
        return [
            Movement(
                material,
                location,
                Decimal(1 if quantity > 0 else -1),
                movement_type,
                lot=lot,
                serial=serial,
                doc_line=i,
                remark=remark,
                new_unit=new_units,
            )
            for i, serial in enumerate(serials, start=1)
        ]
    return [
        Movement(material, location, quantity, movement_type, lot=lot, doc_line=1, remark=remark)
    ]


def entries_summary(entries: Iterable[LedgerEntry]) -> list[dict]:
    """The posted entries as the audit trail and the ERP events show them."""
    return [
        {
            "material": e.material.code,
            "lot": e.lot.batch_no if e.lot else None,
            "serial": e.serial.serial_no if e.serial else None,
            "location": e.location.code,
            "quantity": e.quantity,
            "type": e.movement_type,
        }
        for e in entries
    ]
