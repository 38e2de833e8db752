"""``ledger_post``, the only writer of ledger entries and balances (R-L1 append-only
entries, R-L2 balances = Σ entries and never negative)."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import format_qty
from core.transactions import atomic_service
from inventory.models import LedgerEntry, Serial, SerialStatus, StockBalance
from inventory.services.locks import WorkOrderRow, ledger_locks_take
from inventory.services.movements import Movement, moved_serial_ids

INSUFFICIENT_STOCK = _(
    "Not enough stock of %(material)s%(lot)s at %(location)s: on hand %(on_hand)s, "
    "needed %(needed)s."
)
SERIAL_NOT_IN_STOCK = _("Serial number %(serial)s is not in stock at %(location)s.")
SERIAL_ALREADY_IN_STOCK = _("Serial number %(serial)s is already in stock.")
MOVEMENT_EMPTY = _("Nothing to post.")


def apply_serial_movements(movements: Sequence[Movement]) -> None:
    """Lock the serials moved, check each outgoing unit is in stock where it leaves and
    each incoming one is not in stock, then flip them with one UPDATE per destination."""
    serial_ids = moved_serial_ids(movements)
    if not serial_ids:
        return
    locked = {
        s.pk: s for s in Serial.objects.select_for_update().filter(pk__in=serial_ids).order_by("pk")
    }
    final = {}  # serial id → (status, location id): a transfer's incoming leg wins
    for movement in sorted(movements, key=lambda m: m.quantity):  # outgoing first
        if movement.serial is None or movement.new_unit:
            continue
        serial = locked[movement.serial.pk]
        state = final.get(serial.pk, (serial.status, serial.location_id))
        if movement.quantity < 0:
            if state != (SerialStatus.IN_STOCK, movement.location.pk):
                raise ValidationError(
                    {
                        "serials": SERIAL_NOT_IN_STOCK
                        % {"serial": serial.serial_no, "location": movement.location.code}
                    }
                )
            final[serial.pk] = (SerialStatus.ISSUED, None)
        else:
            if state[0] == SerialStatus.IN_STOCK:
                raise ValidationError(
                    {"serials": SERIAL_ALREADY_IN_STOCK % {"serial": serial.serial_no}}
                )
            final[serial.pk] = (SerialStatus.IN_STOCK, movement.location.pk)
    destinations = {}
    for serial_id, state in final.items():
        destinations.setdefault(state, []).append(serial_id)
    now = timezone.now()
    for (status, location_id), ids in sorted(destinations.items(), key=lambda d: d[1][0]):
        Serial.objects.filter(pk__in=ids).update(
            status=status, location_id=location_id, updated_at=now
        )


@atomic_service
def ledger_post(
    *,
    movements: Sequence[Movement],
    doc_type: str,
    doc_id: str,
    actor: AbstractBaseUser | None,
    device: str = "",
    work_order: WorkOrderRow | None = None,
    reason_code: str = "",
    posting_date: date | None = None,
) -> list[LedgerEntry]:
    """Write ledger entries and move balances in one transaction (R-L1, R-L2).

    ``posting_date``: the day the material really moved (R-L6), today's when None; refused
    in the future, in a closed month or too far back (``posting_date_check``). A back-dated
    entry is appended like any other: balances are running totals, no later row changes.
    Refuses (``ValidationError``, nothing written) any movement that would leave a balance
    negative. Callers validate the business rules; this guards the stock itself.
    ``work_order``: a ``workorders.WorkOrder`` or None, typed ``WorkOrderRow`` (any model
    row) because inventory never imports workorders.
    """
    if not movements:
        raise ValidationError(MOVEMENT_EMPTY)
    balances = ledger_locks_take(movements, work_order, posting_date)
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
                posting_date=posting_date or timezone.localdate(now),
            )
            for m in movements
        ]
    )
