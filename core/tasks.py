from celery import shared_task
from celery.signals import worker_ready

from core.idempotency import idempotency_keys_purge
from core.outbox import RUN_SECONDS, outbox_deliver
from core.outbox_tasks import outbox_tasks_send


# A run starts no send after RUN_SECONDS (45 s), so it ends before the next 60 s beat; the
# limits only stop a send hanging past ERP_WEBHOOK_TIMEOUT. Both are set (soft < hard, well
# under the global CELERY_TASK_*_TIME_LIMIT) so publishing never mixes in the global 25 min.
@shared_task(acks_late=True, soft_time_limit=RUN_SECONDS + 45, time_limit=RUN_SECONDS + 75)
def outbox_deliver_task():
    """Every minute: send pending ERP events (safe to run twice, even at once: each event is
    claimed under its PostgreSQL row lock)."""
    return outbox_deliver()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def idempotency_keys_purge_task():
    """Hourly: drop idempotency keys past their retention (kept at least 24 h)."""
    return idempotency_keys_purge()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def outbox_tasks_send_task():
    """Every minute: hand the broker the tasks it refused while down (safe to run twice:
    each row is locked while it is published and deleted after)."""
    return outbox_tasks_send()


@worker_ready.connect
def outbox_tasks_send_on_worker_start(**kwargs):
    """A worker that starts means the broker is back: don't wait for the next beat tick."""
    outbox_tasks_send_task.apply_async(ignore_result=True)
