"""What the workorders app tells the apps above it (they connect in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# Sent once by ``work_order_declare_leftover`` inside its transaction (a receiver's writes
# commit or roll back with the declaration) with ``work_order``, ``line`` (the requirement
# line), ``quantity`` declared consumed (over-quota consumption, R-W6), ``allowance`` (the
# line's normal loss allowance for the reported output), ``over_allowance`` (quantity >
# allowance: the case the penalty table punishes, R-J3), ``declaration`` and ``actor``.
leftover_declared = Signal()
