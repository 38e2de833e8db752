from celery import shared_task

from core.outbox import outbox_deliver


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def outbox_deliver_task():
    """Every minute: send pending ERP events (safe to run twice: a cache lock serialises)."""
    return outbox_deliver()
