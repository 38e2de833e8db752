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
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core.fields import format_qty
from inventory.models import Lot, Serial, StockBalance
from inventory.selectors import issuable, issuable_balances
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
        "supplier": lot.supplier.code if lot.supplier_id else None,
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


@dataclass(frozen=True)
class Scanned:
    """What a code names, as rows: one query per label (issue #17). ``scan_resolve`` turns
    it into the display result (with stock on hand); bookings use the rows as they are."""

    type: str  # material, lot, serial, location, gs1, or a slip's type
    material: Material | None = None
    lot: Lot | None = None
    serial: Serial | None = None
    location: Location | None = None
    gs1: dict | None = None  # what a GS1 label carries (gs1_parsed)
    slip: dict | None = None  # a slip's result, as its resolver registered it


MATERIALS = Material.objects.select_related("uom")
LOCATIONS = Location.objects.select_related("warehouse")


def internal_rows(code):
    """Prefixed internal payloads; ``None`` when the code is not one of them."""
    prefix, _sep, payload = code.partition(":")
    if prefix == "M":
        material = MATERIALS.filter(code=payload).first()
        return material and Scanned("material", material=material)
    if prefix == "L":
        material_code, batch_no = pair(payload)
        lot = (
            Lot.objects.select_related("material__uom", "supplier")
            .filter(material__code=material_code, batch_no=batch_no)
            .first()
        )
        return lot and Scanned("lot", material=lot.material, lot=lot)
    if prefix == "S":
        material_code, serial_no = pair(payload)
        serial = (
            Serial.objects.select_related("material__uom", "lot__supplier", "location")
            .filter(material__code=material_code, serial_no=serial_no)
            .first()
        )
        return serial and Scanned("serial", material=serial.material, lot=serial.lot, serial=serial)
    if prefix == "LOC":
        location = LOCATIONS.filter(code=payload).first()
        return location and Scanned("location", location=location)
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


def gs1_parsed(code):
    """The label's GTIN, batch, expiry, serial and quantity; ValidationError when bad."""
    fields = gs1_fields(code)
    gtin = fields.get("01")
    if gtin is not None and gtin.gtin is None:
        raise ValidationError({"code": BAD_GTIN % {"gtin": gtin.value, "error": gtin.gtin_error}})
    quantity = fields.get("30") or fields.get("37")
    return {
        "gtin": gtin.value if gtin else None,
        "batch_no": fields["10"].value if "10" in fields else None,
        "expiry_date": fields["17"].date if "17" in fields else None,
        "serial_no": fields["21"].value if "21" in fields else None,
        "quantity": str(quantity.decimal or Decimal(quantity.value)) if quantity else None,
    }


def gs1_rows(code):
    """The material of the label's GTIN and, when known, its lot: the lot with its material
    in one query, the material alone when the label names no known lot."""
    parsed = gs1_parsed(code)
    gtins = parsed["gtin"] and {parsed["gtin"], parsed["gtin"].lstrip("0")}
    lot = (
        gtins
        and parsed["batch_no"]
        and Lot.objects.select_related("material__uom", "supplier")
        .filter(material__gtin__in=gtins, batch_no=parsed["batch_no"])
        .order_by("material__code")
        .first()
    )
    material = lot.material if lot else gtins and MATERIALS.filter(gtin__in=gtins).first()
    if not material:
        raise ScanNotFound(parsed["gtin"] or code)
    return Scanned("gs1", material=material, lot=lot or None, gs1=parsed)


def fallback_rows(code):
    """A bare code: a slip number, a material or a location."""
    slip = slip_result(code)
    if slip:
        return Scanned(slip["type"], slip=slip)
    material = MATERIALS.filter(code=code).first()
    if material:
        return Scanned("material", material=material)
    location = LOCATIONS.filter(code=code).first()
    return location and Scanned("location", location=location)


def scan_rows(code):
    """What ``code`` names, as rows; ``ScanNotFound`` or ``ValidationError`` otherwise."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": EMPTY_CODE})
    if len(code) > MAX_CODE_LENGTH:
        raise ValidationError({"code": CODE_TOO_LONG})
    if is_gs1(code):
        return gs1_rows(code)
    scanned = internal_rows(code) if ":" in code else fallback_rows(code)
    if not scanned:
        raise ScanNotFound(code)
    return scanned


def gs1_result(scanned):
    result = {
        "type": "gs1",
        "gs1": scanned.gs1,
        "material": material_info(scanned.material),
        "actions": ["receive", "issue", "return"],
    }
    if scanned.lot:
        result["lot"] = lot_info(scanned.lot)
        result["on_hand"] = on_hand(lot=scanned.lot)
    else:
        result["on_hand"] = on_hand(material=scanned.material)
    return result


def scan_resolve(code):
    """What ``code`` is, its stock or state, and the actions that fit it."""
    scanned = scan_rows(code)
    if scanned.slip is not None:
        return scanned.slip
    if scanned.type == "gs1":
        return gs1_result(scanned)
    display = {
        "material": lambda s: material_result(s.material),
        "lot": lambda s: lot_result(s.lot),
        "serial": lambda s: serial_result(s.serial),
        "location": lambda s: location_result(s.location),
    }
    return display[scanned.type](scanned)


@dataclass(frozen=True)
class ScannedItem:
    """A scanned material, lot or serial as rows, for the single-POST scanner flows."""

    material: Material
    lot: Lot | None = None
    serials: tuple = ()
    quantity: Decimal | None = None  # what a GS1 label says (AI 30/37), a serial is one unit
    unit: Serial | None = None  # the row an ``S:`` label names (a GS1 serial is not looked up)

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


def reported_on(field, find, code):
    """``find(code)`` with an unknown or unreadable code reported as a 400 on ``field``."""
    try:
        return find(code)
    except ScanNotFound as error:
        raise ValidationError({field: error.message}) from error
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def resolved(code, field):
    """``scan_resolve`` with an unknown code reported as a 400 on ``field``."""
    return reported_on(field, scan_resolve, code)


def scan_item(code, field="code"):
    """What a scanned label names (material, lot, serial, GS1), as rows; 400 otherwise."""
    scanned = reported_on(field, scan_rows, code)
    if scanned.type not in {"material", "lot", "serial", "gs1"}:
        raise ValidationError({field: NOT_AN_ITEM % {"code": code}})
    if scanned.serial:
        serial = scanned.serial
        return ScannedItem(scanned.material, scanned.lot, (serial.serial_no,), Decimal(1), serial)
    gs1 = scanned.gs1 or {}
    if gs1.get("batch_no") and scanned.lot is None:
        raise ValidationError(
            {field: LOT_NOT_KNOWN % {"lot": gs1["batch_no"], "material": scanned.material.code}}
        )
    serials = (gs1["serial_no"],) if gs1.get("serial_no") else ()
    quantity = Decimal(1) if serials else gs1.get("quantity") and Decimal(gs1["quantity"])
    return ScannedItem(scanned.material, scanned.lot, serials, quantity)


def scan_location(code, field="location"):
    """The location a scanned ``LOC:`` label (or bare location code) names; 400 otherwise."""
    scanned = reported_on(field, scan_rows, code)
    if scanned.type != "location":
        raise ValidationError({field: NOT_A_LOCATION % {"code": code}})
    return scanned.location


def source_location(item, quantity):
    """Where to take a scanned item from when no location was scanned: a serial's own
    location, else the one usable location holding enough of the material (and lot)."""
    if item.serials:
        serial = item.unit or item.material.serials.filter(serial_no=item.serials[0]).first()
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


def lot_stock_scanned(code, quantity, location_code=None):
    """A lot label scanned at the line side, resolved with where it is taken from in one
    query (issue #17: was the lot, then its balances or the scanned location): ``(item,
    location)`` when ``code`` is an ``L:`` label of a known lot and ``location_code`` (a
    ``LOC:`` label) names a location holding it, or, none scanned, exactly one location
    holds ``quantity`` of it that may go to production (``source_location``'s rule). None
    otherwise: the caller then resolves them one by one (``scan_item``, ``scan_location``,
    ``source_location``), which words each refusal."""
    code, location_code = (code or "").strip(), (location_code or "").strip()
    if quantity is None or not code.startswith("L:") or is_gs1(code) or len(code) > MAX_CODE_LENGTH:
        return None
    material_code, batch_no = pair(code.removeprefix("L:"))
    if material_code is None:
        return None
    balances = StockBalance.objects.filter(
        material_id=F("lot__material_id"),
        lot__material__code=material_code,
        lot__batch_no=batch_no,
    ).select_related("lot__material__uom", "lot__supplier", "location__warehouse")
    if location_code:
        if not location_code.startswith("LOC:") or len(location_code) > MAX_CODE_LENGTH:
            return None  # a bare code may name a slip or material first (fallback_rows)
        balances = balances.filter(location__code=location_code.removeprefix("LOC:"))
    else:
        balances = issuable(balances).filter(quantity__gte=quantity)
    found = list(balances[:2])
    if len(found) != 1:
        return None
    lot = found[0].lot
    return ScannedItem(lot.material, lot), found[0].location
