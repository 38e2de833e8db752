"""Resolve any scanned code to what it is and what can be done next (DESIGN "API").

Internal Code128 payloads: ``M:<material>``, ``L:<material>|<batch>``, ``S:<material>|<serial>``,
``LOC:<location>`` and the slip numbers that higher apps register (``slip_kind_register``).
GS1 element strings, in brackets or with FNC1/GS separators, are parsed by ``biip``: AI 01
GTIN, 10 lot, 17 expiry, 21 serial, 30/37 quantity. A bare material or location code is
accepted too.
"""

from dataclasses import dataclass
from decimal import Decimal

from biip import ParseError
from biip.gs1_messages import GS1Message
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.fields import format_qty
from inventory.models import Lot, Serial, StockBalance
from inventory.selectors import issuable_balances
from materials.models import Location, Material

GS = "\x1d"  # FNC1 as keyboard-wedge scanners send it
SYMBOLOGY_PREFIXES = ("]C1", "]d2", "]Q3", "]e0")
SLIP_KINDS = []  # (pattern, resolve) pairs, see slip_kind_register
MAX_CODE_LENGTH = 200

EMPTY_CODE = _("Nothing was scanned.")
CODE_TOO_LONG = _("The scanned code is too long.")
MALFORMED = _("The code %(code)s cannot be read: %(error)s")
NOT_FOUND = _("Nothing is known by the code %(code)s.")
BAD_GTIN = _("GTIN %(gtin)s is not valid: %(error)s")
NOT_AN_ITEM = _("%(code)s is not a material, lot or serial label.")
NOT_A_LOCATION = _("%(code)s is not a location.")
LOT_NOT_KNOWN = _("Lot %(lot)s of %(material)s is not known here.")
QUANTITY_NEEDED = _("Give the quantity: the label of %(material)s does not carry one.")
SCAN_THE_LOCATION = _(
    "%(item)s is not held in one usable location with %(qty)s on hand; scan the location."
)


class ScanNotFound(Exception):
    def __init__(self, code):
        self.message = NOT_FOUND % {"code": code}
        super().__init__(str(self.message))


def on_hand(**filters):
    rows = (
        StockBalance.objects.filter(quantity__gt=0, **filters)
        .select_related("lot", "location")
        .order_by("location__code")
    )
    return [
        {
            "lot": b.lot.batch_no if b.lot else None,
            "location": b.location.code,
            "quantity": str(b.quantity),
        }
        for b in rows
    ]


def material_info(material):
    return {
        "code": material.code,
        "name": material.name,
        "uom": material.uom.code,
        "tracking": material.tracking,
    }


def lot_info(lot):
    return {
        "batch_no": lot.batch_no,
        "material": lot.material.code,
        "expiry_date": lot.expiry_date,
        "is_expired": lot.is_expired(),
        "inspection_status": lot.inspection_status,
        "supplier": lot.supplier,
    }


def material_result(material):
    return {
        "type": "material",
        "material": material_info(material),
        "on_hand": on_hand(material=material),
        "actions": ["issue", "return", "transfer"],
    }


def lot_result(lot):
    return {
        "type": "lot",
        "material": material_info(lot.material),
        "lot": lot_info(lot),
        "on_hand": on_hand(lot=lot),
        "actions": ["issue", "return", "transfer"],
    }


def serial_result(serial):
    return {
        "type": "serial",
        "material": material_info(serial.material),
        "lot": lot_info(serial.lot),
        "serial": {
            "serial_no": serial.serial_no,
            "status": serial.status,
            "location": serial.location.code if serial.location else None,
        },
        "actions": ["issue", "return", "transfer"],
    }


def location_result(location):
    return {
        "type": "location",
        "location": {
            "code": location.code,
            "warehouse": location.warehouse.code,
            "kind": location.kind,
        },
        "on_hand": on_hand(location=location),
        "actions": ["receive", "transfer"],
    }


def slip_kind_register(pattern, resolve):
    """A higher app's slip numbers: codes matching ``pattern`` (a compiled regex) resolve
    through ``resolve(number) -> result or None``. The returns app registers its return,
    replenish and shortage slips in its ``AppConfig.ready``."""
    SLIP_KINDS.append((pattern, resolve))


def slip_result(number):
    for pattern, resolve in SLIP_KINDS:
        if pattern.match(number):
            return resolve(number)
    return None


def material_label(material):
    return f"M:{material.code}"


def lot_label(lot):
    return f"L:{lot.material.code}|{lot.batch_no}"


def location_label(location):
    return f"LOC:{location.code}"


def pair(payload):
    first, sep, second = payload.partition("|")
    return (first, second) if sep and first and second else (None, None)


def internal_result(code):
    """Prefixed internal payloads; ``None`` when the code is not one of them."""
    prefix, _sep, payload = code.partition(":")
    if prefix == "M":
        material = Material.objects.select_related("uom").filter(code=payload).first()
        return material and material_result(material)
    if prefix == "L":
        material_code, batch_no = pair(payload)
        lot = (
            Lot.objects.select_related("material__uom")
            .filter(material__code=material_code, batch_no=batch_no)
            .first()
        )
        return lot and lot_result(lot)
    if prefix == "S":
        material_code, serial_no = pair(payload)
        serial = (
            Serial.objects.select_related("material__uom", "lot", "location")
            .filter(material__code=material_code, serial_no=serial_no)
            .first()
        )
        return serial and serial_result(serial)
    if prefix == "LOC":
        location = Location.objects.select_related("warehouse").filter(code=payload).first()
        return location and location_result(location)
    return None


def is_gs1(code):
    return (
        code.startswith(("(",) + SYMBOLOGY_PREFIXES)
        or (GS in code)
        or (code.isdigit() and len(code) >= 16 and code[:2] in {"01", "02", "10", "17", "21"})
    )


def gs1_fields(code):
    """{ai: element string} from either notation; ValidationError when malformed."""
    try:
        if code.startswith("("):
            message = GS1Message.parse_hri(code)
        else:
            for prefix in SYMBOLOGY_PREFIXES:
                code = code.removeprefix(prefix)
            message = GS1Message.parse(code)  # GS (\x1d) separates variable-length AIs
    except ParseError as error:
        raise ValidationError({"code": MALFORMED % {"code": code, "error": error}}) from error
    return {es.ai.ai: es for es in message.element_strings}


def gs1_result(code):
    fields = gs1_fields(code)
    gtin = fields.get("01")
    if gtin is not None and gtin.gtin is None:
        raise ValidationError({"code": BAD_GTIN % {"gtin": gtin.value, "error": gtin.gtin_error}})
    quantity = fields.get("30") or fields.get("37")
    parsed = {
        "gtin": gtin.value if gtin else None,
        "batch_no": fields["10"].value if "10" in fields else None,
        "expiry_date": fields["17"].date if "17" in fields else None,
        "serial_no": fields["21"].value if "21" in fields else None,
        "quantity": str(quantity.decimal or Decimal(quantity.value)) if quantity else None,
    }
    material = (
        gtin
        and Material.objects.select_related("uom")
        .filter(gtin__in={gtin.value, gtin.value.lstrip("0")})
        .first()
    )
    if material is None:
        raise ScanNotFound(parsed["gtin"] or code)
    result = {
        "type": "gs1",
        "gs1": parsed,
        "material": material_info(material),
        "on_hand": on_hand(material=material),
        "actions": ["receive", "issue", "return"],
    }
    lot = parsed["batch_no"] and material.lots.filter(batch_no=parsed["batch_no"]).first()
    if lot:
        result["lot"] = lot_info(lot)
        result["on_hand"] = on_hand(lot=lot)
    return result


def fallback_result(code):
    """A bare code: a slip number, a material or a location."""
    slip = slip_result(code)
    if slip:
        return slip
    material = Material.objects.select_related("uom").filter(code=code).first()
    if material:
        return material_result(material)
    location = Location.objects.select_related("warehouse").filter(code=code).first()
    return location and location_result(location)


def scan_resolve(code):
    """What ``code`` is, its stock or state, and the actions that fit it."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": EMPTY_CODE})
    if len(code) > MAX_CODE_LENGTH:
        raise ValidationError({"code": CODE_TOO_LONG})
    if is_gs1(code):
        return gs1_result(code)
    result = internal_result(code) if ":" in code else fallback_result(code)
    if not result:
        raise ScanNotFound(code)
    return result


@dataclass(frozen=True)
class ScannedItem:
    """A scanned material, lot or serial as rows, for the single-POST scanner flows."""

    material: Material
    lot: Lot | None = None
    serials: tuple = ()
    quantity: Decimal | None = None  # what a GS1 label says (AI 30/37), a serial is one unit

    def __str__(self):
        return " / ".join([self.material.code, *([self.lot.batch_no] if self.lot else [])])

    def matches(self, material, lot, serials=()):
        """Whether this scan counts a line of ``material``/``lot`` holding ``serials``."""
        return (
            self.material.pk == material.pk
            and (self.lot is None or self.lot == lot)
            and set(self.serials) <= set(serials or ())
        )

    def quantity_or(self, given):
        """The quantity typed in, else the label's; 400 when neither says."""
        quantity = given if given is not None else self.quantity
        if quantity is None:
            raise ValidationError({"quantity": QUANTITY_NEEDED % {"material": self.material.code}})
        return quantity


def resolved(code, field):
    """``scan_resolve`` with an unknown code reported as a 400 on ``field``."""
    try:
        return scan_resolve(code)
    except ScanNotFound as error:
        raise ValidationError({field: error.message}) from error
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def scan_item(code, field="code"):
    """What a scanned label names (material, lot, serial, GS1), as rows; 400 otherwise."""
    result = resolved(code, field)
    if result["type"] not in {"material", "lot", "serial", "gs1"}:
        raise ValidationError({field: NOT_AN_ITEM % {"code": code}})
    material = Material.objects.select_related("uom").get(code=result["material"]["code"])
    if result["type"] == "serial":
        serial = result["serial"]["serial_no"]
        lot = material.lots.filter(batch_no=result["lot"]["batch_no"]).first()
        return ScannedItem(material, lot, (serial,), Decimal(1))
    gs1 = result.get("gs1") or {}
    batch_no = result["lot"]["batch_no"] if "lot" in result else gs1.get("batch_no")
    lot = batch_no and material.lots.filter(batch_no=batch_no).first()
    if batch_no and lot is None:
        raise ValidationError({field: LOT_NOT_KNOWN % {"lot": batch_no, "material": material.code}})
    serials = (gs1["serial_no"],) if gs1.get("serial_no") else ()
    quantity = Decimal(1) if serials else gs1.get("quantity") and Decimal(gs1["quantity"])
    return ScannedItem(material, lot or None, serials, quantity)


def scan_location(code, field="location"):
    """The location a scanned ``LOC:`` label (or bare location code) names; 400 otherwise."""
    result = resolved(code, field)
    if result["type"] != "location":
        raise ValidationError({field: NOT_A_LOCATION % {"code": code}})
    return Location.objects.select_related("warehouse").get(code=result["location"]["code"])


def source_location(item, quantity):
    """Where to take a scanned item from when no location was scanned: a serial's own
    location, else the one usable location holding enough of the material (and lot)."""
    if item.serials:
        serial = item.material.serials.filter(serial_no=item.serials[0]).first()
        if serial and serial.location:
            return serial.location
    balances = issuable_balances(material=item.material).filter(quantity__gte=quantity)
    if item.lot is not None:
        balances = balances.filter(lot=item.lot)
    locations = {balance.location for balance in balances}
    if len(locations) != 1:
        raise ValidationError(
            {"location": SCAN_THE_LOCATION % {"item": item, "qty": format_qty(quantity)}}
        )
    return locations.pop()
