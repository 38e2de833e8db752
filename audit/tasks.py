from celery import shared_task

from audit.monitoring import audit_chain_watch


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3300)
def verify_audit_task():
    """Daily: verify the audit hash chain and alert the admins on a break (read-only when
    intact, so running it twice is harmless)."""
    return [str(problem) for problem in audit_chain_watch()]
