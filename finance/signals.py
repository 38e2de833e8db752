"""What the finance app tells the apps above it (they connect in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# Sent by ``month_end_confirm`` inside its transaction with ``month_end`` (its
# ``confirmed_by`` and ``confirmed_at`` set); the alerts app tells finance.
month_confirmed = Signal()

# Sent by ``month_end_reopen`` inside its transaction with ``month_end`` (its ``reopened_by``
# and ``reopen_reason`` set); the alerts app tells finance (issue #15).
month_reopened = Signal()
