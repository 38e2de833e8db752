"""What the returns app tells the apps above it (they connect in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# Sent by ``shortage_fulfil`` inside its transaction with ``slip`` and ``replenish_request``
# (its applicant and work order loaded); the alerts app tells the requester after commit (R-P4).
shortage_fulfilled = Signal()
