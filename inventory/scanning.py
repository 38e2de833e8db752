"""Resolve any scanned code to what it is and what can be done next (DESIGN "API").

Internal Code128 payloads: ``M:<material>``, ``L:<material>|<batch>``, ``S:<material>|<serial>``,
``LOC:<location>`` and slip numbers (``RT-202611-0001``, ``RP-…``, ``SH-…``). GS1 element
strings, in brackets or with FNC1/GS separators, are parsed by ``biip``: AI 01 GTIN, 10 lot,
17 expiry, 21 serial, 30/37 quantity. A bare material or location code is accepted too.
"""

import re
from decimal import Decimal

from biip import ParseError
from biip.gs1_messages import GS1Message
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inventory.models import Location, Lot, Serial, StockBalance
from materials.models import Material
from returns.models import (
    REPLENISH_ACTIONS,
    REPLENISH_TRANSITIONS,
    RETURN_ACTIONS,
    RETURN_TRANSITIONS,
    ReplenishRequest,
    ReturnRequest,
    ShortageSlip,
    ShortageState,
)

GS = "\x1d"  # FNC1 as keyboard-wedge scanners send it
SYMBOLOGY_PREFIXES = ("]C1", "]d2", "]Q3", "]e0")
SLIP = re.compile(r"^(RT|RP|SH)-\d{6}-\d{4,}$")
MAX_CODE_LENGTH = 200

EMPTY_CODE = _("Nothing was scanned.")
CODE_TOO_LONG = _("The scanned code is too long.")
MALFORMED = _("The code %(code)s cannot be read: %(error)s")
NOT_FOUND = _("Nothing is known by the code %(code)s.")
BAD_GTIN = _("GTIN %(gtin)s is not valid: %(error)s")


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


def next_actions(state, transitions, actions):
    return sorted({actions[target] for target in transitions[state] if target in actions})


def slip_result(number):
    request = ReturnRequest.objects.filter(number=number).first()
    if request:
        return {
            "type": "return_request",
            "id": request.pk,
            "number": number,
            "state": request.state,
            "actions": next_actions(request.state, RETURN_TRANSITIONS, RETURN_ACTIONS),
        }
    request = ReplenishRequest.objects.filter(number=number).first()
    if request:
        return {
            "type": "replenish_request",
            "id": request.pk,
            "number": number,
            "state": request.state,
            "actions": next_actions(request.state, REPLENISH_TRANSITIONS, REPLENISH_ACTIONS),
        }
    slip = ShortageSlip.objects.filter(number=number).first()
    if slip:
        return {
            "type": "shortage_slip",
            "id": slip.pk,
            "number": number,
            "state": slip.state,
            "actions": ["fulfil"] if slip.state == ShortageState.OPEN else [],
        }
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
    if SLIP.match(code):
        return slip_result(code)
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
