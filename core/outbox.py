"""Outbound events for the ERP (DESIGN "API").

``outbox_emit`` writes the event inside the business transaction, so an event exists exactly
when its cause committed. ``outbox_deliver`` POSTs pending events in id order, signed with
HMAC-SHA256, each with its ``X-Event-Id`` so the ERP can drop a repeat after a crash between
sending and recording. A failure stops the run (order is kept) and backs off exponentially.
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.models import DeliveryAttempt, OutboxEvent

LOCK_KEY = "outbox-delivery"
LOCK_SECONDS = 300
MAX_BACKOFF = timedelta(hours=1)


def outbox_emit(*, topic, payload):
    """Record an event for the ERP; call it inside the transaction that caused it."""
    body = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    return OutboxEvent.objects.create(topic=topic, payload=body)


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


@transaction.atomic
def delivery_record(*, event, status_code, error):
    event = OutboxEvent.objects.select_for_update().get(pk=event.pk)
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


def outbox_deliver(*, limit=500):
    """Deliver pending events in order until one fails or is not yet due; returns the count."""
    if not settings.ERP_WEBHOOK_URL or not cache.add(LOCK_KEY, 1, LOCK_SECONDS):
        return 0
    delivered = 0
    try:
        now = timezone.now()
        for event in OutboxEvent.objects.filter(delivered_at__isnull=True)[:limit]:
            if event.next_attempt_at and event.next_attempt_at > now:
                break
            status_code, error = send(event)
            if not error and not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
            delivery_record(event=event, status_code=status_code, error=error)
            if error:
                break
            delivered += 1
    finally:
        cache.delete(LOCK_KEY)
    return delivered


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
