"""The row locks of a posting, always in one order so that concurrent postings never
deadlock (STYLE "Stock integrity"): the month (shared), the work order (key share), the
balance rows in key order, then the serials by id. A posting that moves one balance row
locks it with the UPDATE that moves it (``balance_move``)."""

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, models
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Round

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


def balance_guarded(key: BalanceKey, delta: Decimal) -> QuerySet[StockBalance]:
    """The balance row of ``key``, only if moving it by ``delta`` leaves it at zero or above.
    PostgreSQL evaluates the guard of an UPDATE that had to wait for another posting again on
    the row as that one left it (READ COMMITTED), so two postings never both take the last
    units; ``balance_not_negative`` stays the last line of defence."""
    rows = StockBalance.objects.filter(balance_filter([key]))
    return rows.filter(quantity__gte=-delta) if delta < 0 else rows


def balance_change(delta: Decimal, now: datetime) -> dict:
    """The SET of a balance moved by ``delta``; ``ROUND`` keeps SQLite's floating-point
    column on four decimals, as Python's Decimal wrote them."""
    return {"quantity": Round(F("quantity") + delta, 4), "updated_at": now}


BalanceWrite = Callable[[QuerySet[StockBalance], dict], bool]


def balance_update(rows: QuerySet[StockBalance], change: dict) -> bool:
    return bool(rows.update(**change))


def balance_move(
    key: BalanceKey, delta: Decimal, now: datetime, write: BalanceWrite = balance_update
) -> bool:
    """Move one balance row by ``delta`` with one UPDATE that also locks it (issue #17: was a
    ``SELECT … FOR UPDATE`` and an UPDATE), run by ``write`` (``ledger_post`` may add the
    ledger row to the statement); False, with nothing changed, when the row would go below
    zero (``balance_guarded``) or stock leaves a key that has no row. Stock that arrives at a
    key without a row creates it first (``ON CONFLICT DO NOTHING``: a posting creating it at
    the same moment wins, the UPDATE then waits for it). Only for a posting of one key: it
    holds no other balance row, so taking this one by itself cannot close a wait cycle with
    a posting that creates its rows first and locks in key order (``lock_balances``)."""
    if write(balance_guarded(key, delta), balance_change(delta, now)):
        return True
    if delta < 0:
        return False
    material_id, lot_id, location_id = key
    fresh = StockBalance(material_id=material_id, lot_id=lot_id or None, location_id=location_id)
    StockBalance.objects.bulk_create([fresh], ignore_conflicts=True)
    return write(balance_guarded(key, delta), balance_change(delta, now))


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


def posting_locks_take(
    work_order: WorkOrderRow | None, posting_date: date | None, work_order_locked: bool
) -> None:
    """The locks before the balances: the month (``posting_date_check``) and the work order
    (key share), unless the caller holds it ``FOR UPDATE`` already (``work_order_locked``,
    e.g. ``work_order_issue``): that lock includes key share, so asking again is a statement
    that waits for nothing (issue #17)."""
    posting_date_check(posting_date)
    if not work_order_locked:
        work_order_key_share(work_order)


def ledger_locks_take(
    movements: Sequence[Movement],
    work_order: WorkOrderRow | None = None,
    posting_date: date | None = None,
    *,
    work_order_locked: bool = False,
) -> dict[BalanceKey, StockBalance]:
    """The locks ``ledger_post`` takes for ``movements``, in its order: the month (shared),
    the work order they name (key share), then the balance rows in key order, then the
    serials by id. A service that must record an audit event before it posts takes them
    first, so the audit chain head stays the last lock (``audit_record``); ``ledger_post``
    taking them again waits for nothing. The posting date (today's when None) is checked
    first (``posting_date_check``): its month's row is the month lock."""
    posting_locks_take(work_order, posting_date, work_order_locked)
    incoming = sorted({movement.key for movement in movements if movement.quantity > 0})
    balances = lock_balances(sorted({movement.key for movement in movements}), incoming)
    serial_ids = moved_serial_ids(movements)
    if serial_ids:
        list(Serial.objects.select_for_update().filter(pk__in=serial_ids).order_by("pk"))
    return balances
