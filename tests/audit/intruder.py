"""What an intruder with write access to the database does to the audit chain: rewrite a row
and re-hash it with whatever key they have, then move the chain head to match."""

import json

from django.utils import timezone

from audit.models import AuditEvent, ChainHead
from audit.services import event_hash
from tests.audit.test_audit_chain import behind_the_triggers_back


def rewrite_tail(seq, *, after, key_id, key, stream=0):
    """Give row ``seq`` of ``stream`` new content, re-hash it and every later row under ``key``
    (None: the plain sha256 formula) and move the head to match: only the key may be missing."""
    prev_hash = None
    for event in AuditEvent.objects.filter(stream=stream, seq__gte=seq).order_by("seq"):
        if event.seq == seq:
            event.after = after
        event.prev_hash = prev_hash or event.prev_hash
        event.key_id = key_id
        event.hash = prev_hash = event_hash(event, key)
        behind_the_triggers_back(
            "UPDATE audit_auditevent SET after = %s, key_id = %s, prev_hash = %s, hash = %s"
            " WHERE stream = %s AND seq = %s",
            [json.dumps(event.after), key_id, event.prev_hash, event.hash, stream, event.seq],
        )
    ChainHead.objects.filter(stream=stream).update(last_hash=prev_hash)


def append_row(*, key_id, key, action="forged.event", stream=0):
    """Append a row after the stream's head, hashed under ``key`` (None: the legacy formula,
    as rows were written before keyed hashing)."""
    head, _ = ChainHead.objects.get_or_create(stream=stream)
    event = AuditEvent(
        stream=stream,
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        action=action,
        object_type="thing",
        object_id="1",
        prev_hash=head.last_hash,
        key_id=key_id,
    )
    event.hash = event_hash(event, key)
    event.save()
    ChainHead.objects.filter(stream=stream).update(last_seq=event.seq, last_hash=event.hash)
    return event
