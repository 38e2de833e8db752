"""What the audit app tells the apps above it (they connect in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# Sent by ``audit.monitoring.audit_chain_watch`` when the chain is broken (R-U1), with
# ``title`` and ``body``; the alerts app tells the users in the admin role.
audit_chain_broken = Signal()
