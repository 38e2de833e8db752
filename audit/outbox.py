"""Sending ERP events again (core.outbox), audited: core cannot record audit events itself."""

from django.db import transaction

from audit.services import audit_record
from core.models import OutboxEvent


@transaction.atomic
def outbox_replay(*, events, actor):
    """Send events again (from the admin): they go back in the queue, due now."""
    ids = [e.pk for e in events]
    OutboxEvent.objects.filter(pk__in=ids).update(delivered_at=None, next_attempt_at=None)
    audit_record(
        actor=actor,
        action="outbox.replay",
        object_type="outbox",
        object_id=",".join(map(str, ids))[:64],
        after={"events": ids},
    )
