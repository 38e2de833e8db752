"""The only writers of stock: ``ledger_post`` and the receipt/transfer/adjust/lot services.

R-L1 append-only entries, R-L2 balances = Σ entries and never negative. Balance rows are
locked with ``select_for_update()`` in one sorted order so concurrent postings never deadlock
(STYLE "Stock integrity").
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.fields import QTY, format_qty
from core.services import document_number_next
from core.transactions import atomic_service
from inventory.models import (
    InspectionStatus,
    LedgerEntry,
    Lot,
    MovementType,
    Serial,
    SerialStatus,
    StockBalance,
)
from inventory.periods import ensure_month_open
from materials.models import Location, TrackingMode

QTY_NOT_POSITIVE = _("Quantity must be greater than zero.")
QTY_TOO_PRECISE = _("Quantity may have at most 4 decimal places.")
QTY_NOT_WHOLE = _("Quantity of %(material)s must be a whole number.")
INSUFFICIENT_STOCK = _(
    "Not enough stock of %(material)s%(lot)s at %(location)s: on hand %(on_hand)s, "
    "needed %(needed)s."
)
LOT_REQUIRED = _("%(material)s is tracked by batch: a lot is required.")
LOT_NOT_ALLOWED = _("%(material)s is not batch-tracked: give no lot.")
LOT_OTHER_MATERIAL = _("Lot %(lot)s belongs to %(lot_material)s, not %(material)s.")
LOT_EXPIRED = _("Lot %(lot)s expired on %(expiry)s.")
SERIALS_REQUIRED = _("%(material)s is serial-tracked: scan one serial number per unit.")
SERIALS_NOT_ALLOWED = _("%(material)s is not serial-tracked: give no serial numbers.")
SERIAL_COUNT_MISMATCH = _("%(count)s serial numbers given for a quantity of %(qty)s.")
SERIAL_DUPLICATED = _("Serial number %(serial)s is given twice.")
SERIAL_NOT_IN_STOCK = _("Serial number %(serial)s is not in stock at %(location)s.")
SERIAL_ALREADY_IN_STOCK = _("Serial number %(serial)s is already in stock.")
SERIAL_UNKNOWN = _("Serial number %(serial)s is unknown or not in stock.")
SERIAL_EXISTS = _("Serial number %(serial)s already exists.")
SERIAL_OTHER_LOT = _("Serial number %(serial)s belongs to lot %(lot)s.")
LOCATION_INACTIVE = _("Location %(location)s is not active.")
SAME_LOCATION = _("Source and destination locations are the same.")
REASON_REQUIRED = _("A reason is required for a stock adjustment.")
MOVEMENT_EMPTY = _("Nothing to post.")


@dataclass(frozen=True)
class Movement:
    """One signed quantity change to post; ``serial`` moves exactly one unit."""

    material: object
    location: Location
    quantity: Decimal
    movement_type: str
    lot: Lot | None = None
    serial: Serial | None = None
    doc_line: int | None = None
    remark: str = ""

    @property
    def key(self):
        return (self.material.pk, self.lot.pk if self.lot else 0, self.location.pk)


# ---------------------------------------------------------------------------- validation


def validate_quantity(quantity, *, material, field="quantity"):
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({field: QTY_NOT_POSITIVE})
    if quantity != quantity.quantize(QTY):
        raise ValidationError({field: QTY_TOO_PRECISE})
    whole = material.tracking == TrackingMode.SERIAL or material.uom.whole_units
    if whole and quantity != quantity.to_integral_value():
        raise ValidationError({field: QTY_NOT_WHOLE % {"material": material.code}})
    return quantity


def validate_lot(*, material, lot, allow_expired=False):
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


def validate_serials(*, material, quantity, serials):
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


def validate_location(location, field="location"):
    if not location.is_active:
        raise ValidationError({field: LOCATION_INACTIVE % {"location": location.code}})


def serials_in_stock(*, material, lot, serials):
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


def serials_create(*, material, lot, serials):
    """New serial units; they enter stock when their receipt entry is posted."""
    taken = Serial.objects.filter(material=material, serial_no__in=serials).first()
    if taken:
        raise ValidationError({"serials": SERIAL_EXISTS % {"serial": taken.serial_no}})
    return Serial.objects.bulk_create(
        [
            Serial(material=material, lot=lot, serial_no=s, status=SerialStatus.ISSUED)
            for s in serials
        ]
    )


# ---------------------------------------------------------------------------- the ledger


def balance_filter(keys):
    query = Q()
    for material_id, lot_id, location_id in keys:
        lot_q = Q(lot_id=lot_id) if lot_id else Q(lot__isnull=True)
        query |= Q(material_id=material_id, location_id=location_id) & lot_q
    return query


def lock_balances(keys):
    """Create missing balance rows, then lock all of them in key order."""
    StockBalance.objects.bulk_create(
        [StockBalance(material_id=m, lot_id=lot or None, location_id=loc) for m, lot, loc in keys],
        ignore_conflicts=True,
    )
    rows = (
        StockBalance.objects.select_for_update()
        .filter(balance_filter(keys))
        .order_by("material_id", "lot_id", "location_id")
    )
    return {(b.material_id, b.lot_id or 0, b.location_id): b for b in rows}


def apply_serial_movements(movements):
    """Lock the serials moved and check each outgoing unit is in stock where it leaves."""
    serial_ids = sorted({m.serial.pk for m in movements if m.serial})
    if not serial_ids:
        return
    locked = {
        s.pk: s for s in Serial.objects.select_for_update().filter(pk__in=serial_ids).order_by("pk")
    }
    for movement in sorted(movements, key=lambda m: m.quantity):  # outgoing first
        if movement.serial is None:
            continue
        serial = locked[movement.serial.pk]
        if movement.quantity < 0:
            if serial.status != SerialStatus.IN_STOCK or serial.location_id != movement.location.pk:
                raise ValidationError(
                    {
                        "serials": SERIAL_NOT_IN_STOCK
                        % {"serial": serial.serial_no, "location": movement.location.code}
                    }
                )
            serial.status, serial.location = SerialStatus.ISSUED, None
        else:
            if serial.status == SerialStatus.IN_STOCK:
                raise ValidationError(
                    {"serials": SERIAL_ALREADY_IN_STOCK % {"serial": serial.serial_no}}
                )
            serial.status, serial.location = SerialStatus.IN_STOCK, movement.location
    Serial.objects.bulk_update(list(locked.values()), ["status", "location", "updated_at"])


def work_order_key_share(work_order):
    """``FOR KEY SHARE`` on the work order the entries will name: the lock their foreign-key
    check takes anyway, taken before the balances. Once an audit event has run the deferred
    checks (``audit_record``), that check would take it after the chain head, while
    ``work_order_issue`` holds the work order and waits for the chain head (issue #12)."""
    if work_order is None or connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(work_order._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [work_order.pk])


def ledger_locks_take(movements, work_order=None):
    """The locks ``ledger_post`` takes for ``movements``, in its order: the month (shared),
    the work order they name (key share), then the balance rows in key order, then the
    serials by id. A service that must record an audit event before it posts takes them
    first, so the audit chain head stays the last lock (``audit_record``); ``ledger_post``
    taking them again waits for nothing."""
    ensure_month_open(timezone.localdate())
    work_order_key_share(work_order)
    balances = lock_balances(sorted({movement.key for movement in movements}))
    serial_ids = sorted({m.serial.pk for m in movements if m.serial})
    list(Serial.objects.select_for_update().filter(pk__in=serial_ids).order_by("pk"))
    return balances


@atomic_service
def ledger_post(*, movements, doc_type, doc_id, actor, device="", work_order=None, reason_code=""):
    """Write ledger entries and move balances in one transaction (R-L1, R-L2).

    Refuses (``ValidationError``, nothing written) any movement that would leave a balance
    negative. Callers validate the business rules; this guards the stock itself.
    """
    if not movements:
        raise ValidationError(MOVEMENT_EMPTY)
    balances = ledger_locks_take(movements, work_order)
    deltas = {}
    for movement in movements:
        deltas[movement.key] = deltas.get(movement.key, Decimal("0")) + movement.quantity
    by_key = {m.key: m for m in movements}
    now = timezone.now()
    for key, delta in deltas.items():
        balance = balances[key]
        if balance.quantity + delta < 0:
            sample = by_key[key]
            raise ValidationError(
                {
                    "quantity": INSUFFICIENT_STOCK
                    % {
                        "material": sample.material.code,
                        "lot": f" / {sample.lot.batch_no}" if sample.lot else "",
                        "location": sample.location.code,
                        "on_hand": format_qty(balance.quantity),
                        "needed": format_qty(-delta),
                    }
                }
            )
        balance.quantity += delta
        balance.updated_at = now
    apply_serial_movements(movements)
    StockBalance.objects.bulk_update(list(balances.values()), ["quantity", "updated_at"])
    return LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                material=m.material,
                lot=m.lot,
                serial=m.serial,
                location=m.location,
                quantity=m.quantity,
                movement_type=m.movement_type,
                work_order=work_order,
                doc_type=doc_type,
                doc_id=doc_id,
                doc_line=m.doc_line,
                reason_code=reason_code,
                remark=m.remark[:200],
                actor=actor,
                device_id=device or "",
                created_at=now,
            )
            for m in movements
        ]
    )


def entries_summary(entries):
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


def one_movement_per_unit(*, material, lot, location, quantity, movement_type, serials, remark=""):
    """Serial-tracked stock moves one unit per entry; the rest moves in one entry."""
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
            )
            for i, serial in enumerate(serials, start=1)
        ]
    return [
        Movement(material, location, quantity, movement_type, lot=lot, doc_line=1, remark=remark)
    ]


# ---------------------------------------------------------------------------- lots


def lot_defaults(*, material, production_date=None, expiry_date=None):
    if expiry_date is None and production_date and material.shelf_life_days:
        expiry_date = production_date + timedelta(days=material.shelf_life_days)
    return expiry_date


def lot_get_or_create(
    *,
    material,
    batch_no,
    production_date=None,
    expiry_date=None,
    supplier="",
    certificate_no="",
    inspection_status=InspectionStatus.PENDING,
    storage_conditions="",
):
    """The material's lot by batch number, created when new. Not audited on its own: the
    receipt that brings it records it (auditing here would lock the audit chain before the
    stock rows, against the lock order)."""
    lot = Lot.objects.filter(material=material, batch_no=batch_no).first()
    if lot:
        return lot
    return Lot.objects.create(
        material=material,
        batch_no=batch_no,
        production_date=production_date,
        expiry_date=lot_defaults(
            material=material, production_date=production_date, expiry_date=expiry_date
        ),
        supplier=supplier,
        certificate_no=certificate_no,
        inspection_status=inspection_status,
        storage_conditions=storage_conditions,
    )


def lot_snapshot(lot):
    return {
        "batch_no": lot.batch_no,
        "expiry_date": lot.expiry_date,
        "inspection_status": lot.inspection_status,
        "supplier": lot.supplier,
    }


@atomic_service
def lot_set_inspection_status(*, lot, status, actor, device=""):
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    before = lot_snapshot(lot)
    lot.inspection_status = status
    lot.save(update_fields=["inspection_status", "updated_at"])
    audit_record(
        actor=actor,
        device=device,
        action="lot.inspection",
        obj=lot,
        before=before,
        after=lot_snapshot(lot),
    )
    return lot


# ---------------------------------------------------------------------------- stock moves


def receipt_movements(
    *, material, location, quantity, batch_no="", lot_fields=None, serials=(), remark=""
):
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
    units = serials_create(material=material, lot=lot, serials=serials) if serials else []
    return one_movement_per_unit(
        material=material,
        lot=lot,
        location=location,
        quantity=quantity,
        movement_type=MovementType.RECEIPT,
        serials=units,
        remark=remark,
    )


def receipt_summary(entries):
    lot = entries[0].lot
    return {"lot": lot_snapshot(lot) if lot else None, "entries": entries_summary(entries)}


@atomic_service
def stock_receive(
    *,
    material,
    location,
    quantity,
    actor,
    device="",
    batch_no="",
    lot_fields=None,
    serials=(),
    reference="",
    remark="",
):
    """Goods receipt into a location (``RECEIPT`` entries)."""
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
        movements=movements, doc_type="receipt", doc_id=number, actor=actor, device=device
    )
    audit_record(
        actor=actor,
        device=device,
        action="stock.receive",
        object_type="receipt",
        object_id=number,
        after={"reference": reference, **receipt_summary(entries)},
    )
    return entries


@atomic_service
def stock_transfer(
    *,
    material,
    from_location,
    to_location,
    quantity,
    actor,
    device="",
    lot=None,
    serials=(),
    remark="",
):
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
    )
    audit_record(
        actor=actor,
        device=device,
        action="stock.transfer",
        object_type="transfer",
        object_id=number,
        after={"entries": entries_summary(entries)},
    )
    return entries


@atomic_service
def stock_adjust(*, material, location, quantity, reason, actor, device="", lot=None, serials=()):
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
        units = serials_create(material=material, lot=lot, serials=serials)
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
        ),
        doc_type="adjustment",
        doc_id=number,
        actor=actor,
        device=device,
    )
    audit_record(
        actor=actor,
        device=device,
        action="stock.adjust",
        object_type="adjustment",
        object_id=number,
        after={"reason": reason, "entries": entries_summary(entries)},
    )
    return entries
