from celery import shared_task
from celery.signals import worker_ready

from jobs.dispatch import deferred_redispatch


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def jobs_redispatch():
    """Every minute: send tasks deferred while the broker was down (safe to run twice: each
    row is locked while it is sent and deleted after)."""
    return deferred_redispatch()


@worker_ready.connect
def redispatch_on_worker_start(**kwargs):
    """A worker that starts means the broker is back: don't wait for the next beat tick."""
    jobs_redispatch.apply_async(ignore_result=True)
