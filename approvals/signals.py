"""What the approvals app tells the apps above it (they connect in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# Sent inside the deciding transaction when ``step`` becomes the one waiting for a decision
# (the first of a new round, or the next after an approval), with its ``request`` locked;
# the alerts app tells the tier's holders and their active delegates (R-N1).
step_pending = Signal()
