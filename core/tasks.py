from celery import shared_task

from core.idempotency import idempotency_keys_purge
from core.outbox import outbox_deliver


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def outbox_deliver_task():
    """Every minute: send pending ERP events (safe to run twice: a cache lock serialises)."""
    return outbox_deliver()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def idempotency_keys_purge_task():
    """Hourly: drop idempotency keys past their retention (kept at least 24 h)."""
    return idempotency_keys_purge()
