"""Checks every stock movement passes before it is posted: quantity precision and whole
units, the lot against the material's tracking mode (R-M4), serial numbers, and the
location. They raise ``ValidationError`` with field errors and write nothing, except
``serials_create`` (new units, in stock where their receipt posts them)."""

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.fields import QTY
from inventory.models import Lot, Serial, SerialStatus
from materials.models import Location, Material, TrackingMode

QTY_NOT_POSITIVE = _("Quantity must be greater than zero.")
QTY_TOO_PRECISE = _("Quantity may have at most 4 decimal places.")
QTY_NOT_WHOLE = _("Quantity of %(material)s must be a whole number.")
LOT_REQUIRED = _("%(material)s is tracked by batch: a lot is required.")
LOT_NOT_ALLOWED = _("%(material)s is not batch-tracked: give no lot.")
LOT_OTHER_MATERIAL = _("Lot %(lot)s belongs to %(lot_material)s, not %(material)s.")
LOT_EXPIRED = _("Lot %(lot)s expired on %(expiry)s.")
SERIALS_REQUIRED = _("%(material)s is serial-tracked: scan one serial number per unit.")
SERIALS_NOT_ALLOWED = _("%(material)s is not serial-tracked: give no serial numbers.")
SERIAL_COUNT_MISMATCH = _("%(count)s serial numbers given for a quantity of %(qty)s.")
SERIAL_DUPLICATED = _("Serial number %(serial)s is given twice.")
SERIAL_UNKNOWN = _("Serial number %(serial)s is unknown or not in stock.")
SERIAL_EXISTS = _("Serial number %(serial)s already exists.")
SERIAL_OTHER_LOT = _("Serial number %(serial)s belongs to lot %(lot)s.")
LOCATION_INACTIVE = _("Location %(location)s is not active.")


def validate_quantity(
    quantity: Decimal | int | str, *, material: Material, field: str = "quantity"
) -> Decimal:
    """A positive quantity with at most 4 decimals, whole for serial-tracked materials and
    whole-unit measures; returned as a ``Decimal``."""
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({field: QTY_NOT_POSITIVE})
    if quantity != quantity.quantize(QTY):
        raise ValidationError({field: QTY_TOO_PRECISE})
    whole = material.tracking == TrackingMode.SERIAL or material.uom.whole_units
    if whole and quantity != quantity.to_integral_value():
        raise ValidationError({field: QTY_NOT_WHOLE % {"material": material.code}})
    return quantity


def validate_lot(*, material: Material, lot: Lot | None, allow_expired: bool = False) -> None:
    """The lot fits the material's tracking mode, belongs to it and (by default) is in date."""
    tracked = material.tracking in (TrackingMode.BATCH, TrackingMode.SERIAL)
    if tracked and lot is None:
        raise ValidationError({"lot": LOT_REQUIRED % {"material": material.code}})
    if not tracked and lot is not None:
        raise ValidationError({"lot": LOT_NOT_ALLOWED % {"material": material.code}})
    if lot is None:
        return
    if lot.material_id != material.pk:
        raise ValidationError(
            {
                "lot": LOT_OTHER_MATERIAL
                % {
                    "lot": lot.batch_no,
                    "lot_material": lot.material.code,
                    "material": material.code,
                }
            }
        )
    if not allow_expired and lot.is_expired():
        raise ValidationError(
            {"lot": LOT_EXPIRED % {"lot": lot.batch_no, "expiry": lot.expiry_date}}
        )


def validate_serials(*, material: Material, quantity: Decimal, serials: Sequence[str]) -> None:
    """One distinct serial number per unit of a serial-tracked material, none otherwise."""
    if material.tracking != TrackingMode.SERIAL:
        if serials:
            raise ValidationError({"serials": SERIALS_NOT_ALLOWED % {"material": material.code}})
        return
    if not serials:
        raise ValidationError({"serials": SERIALS_REQUIRED % {"material": material.code}})
    if len(serials) != quantity:
        raise ValidationError(
            {"serials": SERIAL_COUNT_MISMATCH % {"count": len(serials), "qty": quantity}}
        )
    seen = set()
    for serial_no in serials:
        if serial_no in seen:
            raise ValidationError({"serials": SERIAL_DUPLICATED % {"serial": serial_no}})
        seen.add(serial_no)


def validate_location(location: Location, field: str = "location") -> None:
    if not location.is_active:
        raise ValidationError({field: LOCATION_INACTIVE % {"location": location.code}})


def serials_in_stock(
    *, material: Material, lot: Lot | None, serials: Sequence[str]
) -> list[Serial]:
    """Existing serial rows for the numbers given; unknown ones are an error."""
    found = {
        s.serial_no: s for s in Serial.objects.filter(material=material, serial_no__in=serials)
    }
    for serial_no in serials:
        serial = found.get(serial_no)
        if serial is None or serial.status != SerialStatus.IN_STOCK:
            raise ValidationError({"serials": SERIAL_UNKNOWN % {"serial": serial_no}})
        if serial.lot_id != lot.pk:
            raise ValidationError(
                {"serials": SERIAL_OTHER_LOT % {"serial": serial_no, "lot": serial.lot.batch_no}}
            )
    return [found[s] for s in serials]


def serials_create(
    *, material: Material, lot: Lot | None, serials: Sequence[str], location: Location
) -> list[Serial]:
    """New serial units, inserted in their final state (in stock at ``location``): the
    posting that receives them is in the same transaction, so nobody sees them before
    their entries, and a refused posting takes them back with it."""
    taken = Serial.objects.filter(material=material, serial_no__in=serials).first()
    if taken:
        raise ValidationError({"serials": SERIAL_EXISTS % {"serial": taken.serial_no}})
    return Serial.objects.bulk_create(
        [
            Serial(
                material=material,
                lot=lot,
                serial_no=s,
                status=SerialStatus.IN_STOCK,
                location=location,
            )
            for s in serials
        ]
    )
