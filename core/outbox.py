"""The one durable after-commit path: work a transaction promises is a row it writes.

Two kinds of row share the table (``OutboxEvent.kind``):

* **ERP events.** ``outbox_emit`` writes the event inside the business transaction, so an
  event exists exactly when its cause committed. ``outbox_deliver`` POSTs pending events in
  id order, signed with HMAC-SHA256, each with its ``X-Event-Id``. A failure stops the run
  (order is kept) and backs off exponentially. Delivered events stay as the delivery log.
* **Tasks.** ``core.outbox_tasks.outbox_dispatch(task, *args)`` writes a task row the same
  way and hands it to Celery once the transaction commits; what the broker refused is sent
  again by the minute's drain.

Who sends an ERP event is decided in PostgreSQL, not in a cache: each event is sent inside
its own transaction that holds the event's row lock (``SELECT … FOR UPDATE SKIP LOCKED``)
from claim to record. A row lock rather than a lease column because

* it cannot expire under a slow run: however long the ERP takes, no other run can claim the
  row, so two runs never send the same event (a 300 s cache lock did: 28 % duplicates);
* it dies with its connection: a worker killed with SIGKILL loses its locks as soon as
  PostgreSQL sees the socket close, so the next run carries on within seconds, with no lease
  to wait out and no clock to trust;
* ordering needs no extra state: a run claims only the oldest pending event. ``SKIP LOCKED``
  returns the first *unlocked* pending row; when an older pending row exists, another run
  is delivering it and this run stops instead of overtaking it.

The cost is one open transaction per send, bounded by ``ERP_WEBHOOK_TIMEOUT``. On SQLite (the
zero-setup default, a single process with eager Celery) the row lock is a no-op.

Exactly once is the receiver's part: a crash between the ERP's answer and our commit leaves
the event pending, so the next run sends it again with the same ``X-Event-Id``, which the ERP
drops as a repeat.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from core.models import DeliveryAttempt, OutboxEvent, OutboxKind

MAX_BACKOFF = timedelta(hours=1)
# A run starts no send after this many seconds, so it ends before the next minute's beat
# (``core.tasks.outbox_deliver_task``'s time limits leave room for the last send).
RUN_SECONDS = 45


def outbox_emit(*, topic, payload):
    """Record an event for the ERP; call it inside the transaction that caused it."""
    body = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    return OutboxEvent.objects.create(kind=OutboxKind.ERP, topic=topic, payload=body)


def signature(body, secret):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(event):
    return json.dumps(
        {
            "event_id": str(event.event_id),
            "topic": event.topic,
            "created_at": event.created_at.isoformat(),
            "payload": event.payload,
        },
        sort_keys=True,
    ).encode()


def send(event):
    """POST one event; returns (status_code, error)."""
    body = event_body(event)
    request = urllib.request.Request(
        settings.ERP_WEBHOOK_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Event-Id": str(event.event_id),
            "X-Event-Topic": event.topic,
            "X-Signature": signature(body, settings.ERP_WEBHOOK_SECRET),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ERP_WEBHOOK_TIMEOUT) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return None, str(getattr(error, "reason", error))[:500]


def event_claim() -> OutboxEvent | None:
    """Lock the oldest pending event for the current transaction; None when there is none,
    it is still backing off, or another run holds it (that run keeps the order)."""
    pending = OutboxEvent.objects.filter(kind=OutboxKind.ERP, delivered_at__isnull=True)
    pending = pending.order_by("id")
    event = pending.select_for_update(skip_locked=True).first()
    if event is None or pending.filter(id__lt=event.id).exists():
        return None
    if event.next_attempt_at and event.next_attempt_at > timezone.now():
        return None
    return event


def delivery_record(*, event: OutboxEvent, status_code: int | None, error: str) -> OutboxEvent:
    """Log the attempt and mark the event delivered or due again later (backoff); the
    caller holds the event's row lock."""
    DeliveryAttempt.objects.create(event=event, status_code=status_code, error=error)
    event.attempts += 1
    now = timezone.now()
    if error:
        event.last_error = error
        event.next_attempt_at = now + min(timedelta(seconds=30 * 2**event.attempts), MAX_BACKOFF)
    else:
        event.delivered_at, event.last_error, event.next_attempt_at = now, "", None
    event.save()
    return event


@transaction.atomic
def event_deliver_next() -> bool:
    """Claim, send and record the oldest pending event in one transaction, so its row lock
    covers the send; True when the ERP accepted it."""
    event = event_claim()
    if event is None:
        return False
    status_code, error = send(event)
    if not error and not 200 <= status_code < 300:
        error = f"HTTP {status_code}"
    delivery_record(event=event, status_code=status_code, error=error)
    return not error


def outbox_deliver(*, seconds: float = RUN_SECONDS) -> int:
    """Deliver pending events in order until one fails, is not yet due, is held by another
    run, or ``seconds`` have passed; returns the count delivered."""
    if not settings.ERP_WEBHOOK_URL:
        return 0
    deadline = time.monotonic() + seconds
    delivered = 0
    while time.monotonic() < deadline and event_deliver_next():
        delivered += 1
    return delivered
