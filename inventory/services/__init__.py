"""The only writers of stock, one module per concept: ``validation`` (quantities, lots,
serials, locations), ``movements`` (what a posting is made of), ``locks`` (the posting's row
locks in their one order), ``posting`` (``ledger_post``), ``lots``, ``receipts`` and
``moves`` (transfers and adjustments).

R-L1 append-only entries, R-L2 balances = Σ entries and never negative. Balance rows are
locked with ``select_for_update()`` in one sorted order so concurrent postings never deadlock
(STYLE "Stock integrity"). Callers import the names below from ``inventory.services``.
"""

from inventory.services.locks import ledger_locks_take
from inventory.services.lots import lot_get_or_create, lot_set_inspection_status
from inventory.services.movements import Movement, entries_summary, one_movement_per_unit
from inventory.services.moves import stock_adjust, stock_transfer
from inventory.services.posting import ledger_post
from inventory.services.receipts import receipt_movements, receipt_summary, stock_receive
from inventory.services.validation import (
    serials_in_stock,
    validate_location,
    validate_lot,
    validate_quantity,
    validate_serials,
)

__all__ = [
    "Movement",
    "entries_summary",
    "ledger_locks_take",
    "ledger_post",
    "lot_get_or_create",
    "lot_set_inspection_status",
    "one_movement_per_unit",
    "receipt_movements",
    "receipt_summary",
    "serials_in_stock",
    "stock_adjust",
    "stock_receive",
    "stock_transfer",
    "validate_location",
    "validate_lot",
    "validate_quantity",
    "validate_serials",
]
