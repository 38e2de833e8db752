"""``ledger_post``, the only writer of ledger entries and balances (R-L1 append-only
entries, R-L2 balances = Σ entries and never negative)."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.sql import InsertQuery, UpdateQuery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import format_qty
from core.transactions import atomic_service
from inventory.models import LedgerEntry, MovementType, Serial, SerialStatus, StockBalance
from inventory.services.locks import (
    BalanceKey,
    BalanceWrite,
    WorkOrderRow,
    balance_filter,
    balance_move,
    ledger_locks_take,
    posting_locks_take,
)
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
    each incoming one is not in stock, then flip them with one UPDATE per destination.
    An outgoing unit is "issued", or "scrapped" when a scrap disposal took it (R-D1)."""
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
            scrapped = movement.movement_type == MovementType.SCRAP
            final[serial.pk] = (SerialStatus.SCRAPPED if scrapped else SerialStatus.ISSUED, None)
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


def stock_short(movement: Movement, on_hand: Decimal, delta: Decimal) -> ValidationError:
    """The refusal of a posting that would take ``movement``'s balance below zero."""
    return ValidationError(
        {
            "quantity": INSUFFICIENT_STOCK
            % {
                "material": movement.material.code,
                "lot": f" / {movement.lot.batch_no}" if movement.lot else "",
                "location": movement.location.code,
                "on_hand": format_qty(on_hand),
                "needed": format_qty(-delta),
            }
        }
    )


def balance_on_hand(key: BalanceKey) -> Decimal:
    rows = StockBalance.objects.filter(balance_filter([key])).values_list("quantity", flat=True)
    return next(iter(rows), Decimal("0"))


def entry_written_with(entry: LedgerEntry) -> BalanceWrite:
    """A ``balance_move`` write that inserts ``entry`` in the same statement (issue #17): a
    data-modifying CTE on PostgreSQL whose INSERT (the one ``bulk_create`` would send) selects
    from the guarded UPDATE's RETURNING, so the entry is written exactly when the balance
    moved; nothing is written when the guard refuses."""

    def write(rows, change):
        update = rows.query.chain(UpdateQuery)
        update.add_update_values(change)
        update_sql, update_params = update.get_compiler(connection=connection).as_sql()
        insert = InsertQuery(LedgerEntry)
        fields = [f for f in LedgerEntry._meta.local_concrete_fields if not f.primary_key]
        insert.insert_values(fields, [entry])
        [(insert_sql, insert_params)] = insert.get_compiler(connection=connection).as_sql()
        into, values = insert_sql.split(" VALUES ", 1)  # one row: "(%s, …, %s)"
        pk = connection.ops.quote_name(LedgerEntry._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH moved AS ({update_sql} RETURNING 1) "
                f"{into} SELECT {values.strip()[1:-1]} FROM moved RETURNING {pk}",
                [*update_params, *insert_params],
            )
            row = cursor.fetchone()
        if row is None:
            return False
        entry.pk = row[0]
        entry._state.adding, entry._state.db = False, connection.alias
        return True

    return write


def balances_move(
    movements: Sequence[Movement],
    deltas: dict[BalanceKey, Decimal],
    work_order: WorkOrderRow | None,
    posting_date: date | None,
    work_order_locked: bool,
    now: datetime,
) -> None:
    """Lock the posting's rows in their order (``inventory.services.locks``) and move each
    balance by its delta; refused (``ValidationError``, no balance changed) when one would go
    below zero. One key (a scan, a single-line document): one guarded UPDATE
    (``balance_move``); more: the rows locked in key order, checked, then one UPDATE."""
    by_key = {m.key: m for m in movements}
    if len(deltas) == 1:
        posting_locks_take(work_order, posting_date, work_order_locked)
        [(key, delta)] = deltas.items()
        if not balance_move(key, delta, now):
            raise stock_short(by_key[key], balance_on_hand(key), delta)
        return
    balances = ledger_locks_take(
        movements, work_order, posting_date, work_order_locked=work_order_locked
    )
    for key, delta in deltas.items():
        balance = balances[key]
        if balance.quantity + delta < 0:
            raise stock_short(by_key[key], balance.quantity, delta)
        balance.quantity += delta
        balance.updated_at = now
    StockBalance.objects.bulk_update(list(balances.values()), ["quantity", "updated_at"])


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
    work_order_locked: bool = False,
) -> list[LedgerEntry]:
    """Write ledger entries and move balances in one transaction (R-L1, R-L2).

    ``posting_date``: the day the material really moved (R-L6), today's when None; refused
    in the future, in a closed month or too far back (``posting_date_check``). A back-dated
    entry is appended like any other: balances are running totals, no later row changes.
    Refuses (``ValidationError``, nothing written) any movement that would leave a balance
    negative. Callers validate the business rules; this guards the stock itself.
    ``work_order``: a ``workorders.WorkOrder`` or None, typed ``WorkOrderRow`` (any model
    row) because inventory never imports workorders. ``work_order_locked``: the caller
    holds ``work_order`` ``FOR UPDATE`` in this transaction (``posting_locks_take``).
    """
    if not movements:
        raise ValidationError(MOVEMENT_EMPTY)
    deltas = {}
    for movement in movements:
        deltas[movement.key] = deltas.get(movement.key, Decimal("0")) + movement.quantity
    now = timezone.now()
    entries = [
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
    if len(movements) == 1 and movements[0].serial is None and connection.vendor == "postgresql":
        # The scanner's booking: the balance's UPDATE and the entry's INSERT in one
        # statement, after the same locks as below (issue #17).
        posting_locks_take(work_order, posting_date, work_order_locked)
        [(key, delta)] = deltas.items()
        if not balance_move(key, delta, now, entry_written_with(entries[0])):
            raise stock_short(movements[0], balance_on_hand(key), delta)
        return entries
    balances_move(movements, deltas, work_order, posting_date, work_order_locked, now)
    apply_serial_movements(movements)
    return LedgerEntry.objects.bulk_create(entries)
