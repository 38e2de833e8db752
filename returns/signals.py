"""What the returns app tells the apps above it (they connect in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# Sent by ``shortage_fulfil`` inside its transaction with ``slip`` and ``replenish_request``
# (its applicant and work order loaded); the alerts app tells the requester after commit (R-P4).
shortage_fulfilled = Signal()

# Sent by every state change of a return or replenish request inside its transaction, with
# ``slip`` (locked, its work order and applicant loaded), its new ``state`` and the audited
# ``action`` ("approve", "reject", "issue", "fulfil", …); the alerts app tells the applicant
# and whoever works next (R-N1).
request_state_changed = Signal()

# Sent by ``replenish_issue`` inside its transaction with the ``slips`` it opened and their
# ``replenish_request``; the alerts app tells material control (R-P4, R-N1).
shortages_opened = Signal()
