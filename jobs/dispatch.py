"""Celery dispatch that survives a broker outage.

``dispatch_after_commit`` publishes a task once the surrounding transaction has committed.
If the broker cannot be reached, the publish fails fast (one quick retry, short connect
timeouts in settings) and the task is stored as a ``DeferredDispatch`` row instead, so the
web request still succeeds and nothing is lost. ``deferred_redispatch`` (beat, every minute,
and at worker start) sends the stored rows again, deleting each after a successful publish:
at-least-once delivery, which is why every task is idempotent.
"""

import logging
from functools import partial

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from jobs.models import DeferredDispatch

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


def publish(task_name, args=(), kwargs=None):
    """Hand a task to the broker now (or run it in-process when Celery is eager)."""
    signature = current_app.signature(task_name, args=list(args), kwargs=kwargs or {})
    return signature.apply_async(**PUBLISH_OPTIONS)


def publish_or_defer(task_name, args, kwargs):
    if current_app.conf.task_always_eager:  # in-process: a task's own error must propagate
        publish(task_name, args, kwargs)
        return
    try:
        publish(task_name, args, kwargs)
    except BROKER_ERRORS as error:
        logger.warning("Broker unreachable, %s deferred: %s", task_name, error)
        DeferredDispatch.objects.create(
            task_name=task_name,
            args=list(args),
            kwargs=kwargs,
            attempts=1,
            last_error=str(error)[:1000],
        )


def dispatch_after_commit(task, *args, **kwargs):
    """Send ``task(*args, **kwargs)`` after the current transaction commits (at once outside
    one). Arguments must be JSON primitives: ids, not model instances."""
    transaction.on_commit(partial(publish_or_defer, task.name, args, kwargs))


def redispatch_one():
    """Publish the oldest deferred task: True if sent, False if the broker is still down,
    None if nothing is left. The row stays locked while it is published, so two
    redispatchers never both send it."""
    with transaction.atomic():
        deferred = DeferredDispatch.objects.select_for_update(skip_locked=True).first()
        if deferred is None:
            return None
        try:
            publish(deferred.task_name, deferred.args, deferred.kwargs)
        except BROKER_ERRORS as error:
            logger.warning("Broker still unreachable, %s stays deferred: %s", deferred, error)
            deferred.attempts += 1
            deferred.last_error = str(error)[:1000]
            deferred.save(update_fields=["attempts", "last_error"])
            return False
        deferred.delete()
        return True


def deferred_redispatch(*, limit=1000):
    """Send deferred tasks in creation order until none is left or the broker fails;
    returns the number sent."""
    sent = 0
    while sent < limit and redispatch_one():
        sent += 1
    return sent
