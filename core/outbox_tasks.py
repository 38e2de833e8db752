"""Celery tasks dispatched through the outbox: nothing is lost when the broker is down.

``outbox_dispatch(task, *args, **kwargs)`` writes a task row inside the caller's transaction,
so the task exists exactly when its cause committed (a process dying right after the commit
loses nothing), and hands it to the broker once the transaction commits. If the broker
cannot be reached the publish fails fast (one quick retry, short connect timeouts in
settings) and the row stays: the web request still succeeds. ``outbox_tasks_send`` (beat,
every minute, and at worker start) sends the rows left, oldest first, stopping at the first
refusal.

A row is published under its row lock (``SKIP LOCKED``) and deleted in the same
transaction, so the after-commit send and a drain never both publish it. A crash between the
broker's acceptance and our commit publishes it again: at least once, which is why every
task is idempotent. Without a broker (``REDIS_URL`` unset, Celery eager) the task runs
in-process after the commit, outside any transaction, and its row goes once it returned; a
task's own error propagates, its row stays.
"""

import logging
from functools import partial

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from core.models import OutboxEvent, OutboxKind
from core.request_id import bound, current_request_id

logger = logging.getLogger(__name__)

# Redis refusing or timing out surfaces as kombu's OperationalError, redis-py's errors or
# a bare socket error depending on where in the publish it happens.
BROKER_ERRORS = (OperationalError, RedisError, OSError)
# Fire-and-forget (nobody waits for these results, so nothing subscribes to the result
# backend) and fail fast: a web request must not hang on an unreachable broker.
PUBLISH_OPTIONS = {
    "ignore_result": True,
    "retry": True,
    "retry_policy": {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2},
}


def outbox_dispatch(task, *args, **kwargs) -> OutboxEvent:
    """Run ``task(*args, **kwargs)`` in Celery once the current transaction commits (at
    once outside one). Arguments must be JSON primitives: ids, not model instances."""
    payload = {"args": list(args), "kwargs": kwargs}
    if request_id := current_request_id():  # kept for a publish after the request is over
        payload["request_id"] = request_id
    row = OutboxEvent.objects.create(kind=OutboxKind.TASK, topic=task.name, payload=payload)
    transaction.on_commit(partial(task_send, pk=row.pk))
    return row


def pending_tasks():
    return OutboxEvent.objects.filter(kind=OutboxKind.TASK).order_by("id")


def publish(row: OutboxEvent):
    """Hand the row's task to the broker now (or run it in-process when Celery is eager)."""
    payload = row.payload
    signature = current_app.signature(
        row.topic, args=payload.get("args", []), kwargs=payload.get("kwargs", {})
    )
    # The request that wrote the row, even when beat's drain publishes it long after: its id
    # goes into the message headers (core.request_id) and so into the task's log lines.
    with bound(payload.get("request_id") or current_request_id()):
        return signature.apply_async(**PUBLISH_OPTIONS)


def task_run_here(pk: int) -> bool | None:
    """Eager Celery: run the task in-process, outside any transaction, then drop its row."""
    row = pending_tasks().filter(pk=pk).first()
    if row is None:
        return None
    publish(row)
    row.delete()
    return True


def task_send(*, pk: int) -> bool | None:
    """Publish one task row: True if sent, False if the broker refused (the row stays, its
    attempt counted), None if it is gone or another sender holds it."""
    if current_app.conf.task_always_eager:
        return task_run_here(pk)
    with transaction.atomic():
        row = pending_tasks().select_for_update(skip_locked=True).filter(pk=pk).first()
        if row is None:
            return None
        try:
            publish(row)
        except BROKER_ERRORS as error:
            logger.warning("Broker unreachable, %s waits in the outbox: %s", row.topic, error)
            row.attempts += 1
            row.last_error = str(error)[:500]
            row.save(update_fields=["attempts", "last_error"])
            return False
        row.delete()
        return True


def outbox_tasks_send(*, limit: int = 1000) -> int:
    """Send waiting task rows, oldest first, until none is left, ``limit`` were sent or the
    broker refuses one; returns the number sent."""
    sent = 0
    for pk in pending_tasks().values_list("pk", flat=True)[:limit]:
        outcome = task_send(pk=pk)
        if outcome is False:
            break
        sent += bool(outcome)
    return sent
