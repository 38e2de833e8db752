"""The row locks of a posting, always in one order so that concurrent postings never
deadlock (STYLE "Stock integrity"): the month (shared), the work order (key share), the
balance rows in key order, then the serials by id."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import connection, models
from django.db.models import Q

from inventory.models import Serial, StockBalance
from inventory.periods import posting_date_check
from inventory.services.movements import Movement, moved_serial_ids

BalanceKey = tuple[int, int, int]  # (material id, lot id or 0, location id)
# The work order a posting is booked for: a ``workorders.WorkOrder``, typed as any model row
# because inventory never imports workorders (the ledger's one relation upward,
# docs/architecture.md); inventory needs only its table and primary key.
WorkOrderRow = models.Model


def balance_filter(keys: Iterable[BalanceKey]) -> Q:
    query = Q()
    for material_id, lot_id, location_id in keys:
        lot_q = Q(lot_id=lot_id) if lot_id else Q(lot__isnull=True)
        query |= Q(material_id=material_id, location_id=location_id) & lot_q
    return query


def lock_balances(
    keys: Sequence[BalanceKey], incoming: Iterable[BalanceKey]
) -> dict[BalanceKey, StockBalance]:
    """Create the missing rows stock arrives in (``incoming`` keys), then lock all rows in
    key order. A key stock only leaves needs no insert (issue #17): its missing row is an
    unsaved zero balance, which ``ledger_post`` refuses to take below zero."""
    missing = [
        StockBalance(material_id=m, lot_id=lot or None, location_id=loc) for m, lot, loc in incoming
    ]
    if missing:
        StockBalance.objects.bulk_create(missing, ignore_conflicts=True)
    rows = (
        StockBalance.objects.select_for_update()
        .filter(balance_filter(keys))
        .order_by("material_id", "lot_id", "location_id")
    )
    locked = {(b.material_id, b.lot_id or 0, b.location_id): b for b in rows}
    return {
        key: locked.get(key)
        or StockBalance(material_id=key[0], lot_id=key[1] or None, location_id=key[2], quantity=0)
        for key in keys
    }


def work_order_key_share(work_order: WorkOrderRow | None) -> None:
    """``FOR KEY SHARE`` on the work order the entries will name: the lock their foreign-key
    check takes anyway, taken before the balances. Once an audit event has run the deferred
    checks (``audit_record``), that check would take it after the chain head, while
    ``work_order_issue`` holds the work order and waits for the chain head (issue #12)."""
    if work_order is None or connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(work_order._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [work_order.pk])


def ledger_locks_take(
    movements: Sequence[Movement],
    work_order: WorkOrderRow | None = None,
    posting_date: date | None = None,
) -> dict[BalanceKey, StockBalance]:
    """The locks ``ledger_post`` takes for ``movements``, in its order: the month (shared),
    the work order they name (key share), then the balance rows in key order, then the
    serials by id. A service that must record an audit event before it posts takes them
    first, so the audit chain head stays the last lock (``audit_record``); ``ledger_post``
    taking them again waits for nothing. The posting date (today's when None) is checked
    first (``posting_date_check``): its month's row is the month lock."""
    posting_date_check(posting_date)
    work_order_key_share(work_order)
    incoming = sorted({movement.key for movement in movements if movement.quantity > 0})
    balances = lock_balances(sorted({movement.key for movement in movements}), incoming)
    serial_ids = moved_serial_ids(movements)
    if serial_ids:
        list(Serial.objects.select_for_update().filter(pk__in=serial_ids).order_by("pk"))
    return balances
