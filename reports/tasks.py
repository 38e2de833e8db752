from celery import shared_task

from reports.services import export_purge, export_run


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def export_run_task(job_id: int) -> str | None:
    """Build an export job's workbook; a done job is left alone, a crashed one restarts."""
    job = export_run(job_id=job_id)
    return job.state if job else None


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def export_purge_task() -> int:
    """Daily: old finished export jobs and their files go (idempotent)."""
    return export_purge()
