"""Export jobs (issue #5): request → a Celery task builds the workbook, writing its
progress as it goes → the requester downloads it. Small exports can be built at once.

The task is safe to run twice: a finished job is never rebuilt, and a run after a crash
starts the job over, writing the file under the same name (one file per job).
"""

import logging
import tempfile
from datetime import timedelta
from io import BytesIO
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.outbox_tasks import outbox_dispatch
from core.transactions import atomic_service
from org.access import NOT_ALLOWED, can_see_costs, is_plant_wide
from reports.models import ExportJob, ExportKind, ExportState
from reports.registry import export_for, export_params_clean
from reports.sheets import Params, Progress

logger = logging.getLogger(__name__)
EXPORT_ACTION = _("request this export")


def export_allowed(user: User, kind: str) -> None:
    """Exports span every workshop, so they are for plant-wide roles; the month-end
    workbook is all amounts, so it is for those who see costs (org.access)."""
    allowed = can_see_costs(user) if kind == ExportKind.MONTH_END else is_plant_wide(user)
    if not allowed:
        raise PermissionDenied(NOT_ALLOWED % {"action": EXPORT_ACTION})


def export_prepare(user: User, kind: str, params: Any) -> Params:
    """Checked and validated parameters; amounts only for users who see costs."""
    export_for(kind)
    export_allowed(user, kind)
    cleaned = export_params_clean(kind, params)
    cleaned["costs"] = can_see_costs(user)
    return cleaned


def stored_params(params: dict[str, Any]) -> dict[str, Any]:
    """What the job keeps: the given values, without the empty ones."""
    return {name: value for name, value in params.items() if value not in ("", None)}


@atomic_service
def export_request(
    *, user: User, kind: str, params: Any, language: str | None = None, device: str = ""
) -> ExportJob:
    """Validate (400 naming each parameter), create the job, run it after commit."""
    from reports.tasks import export_run_task  # the task module imports this one

    export_prepare(user, kind, params)
    job = ExportJob.objects.create(
        kind=kind,
        params=stored_params(params),
        requested_by=user,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    audit_record(
        actor=user, device=device, action="export.request", obj=job, after={"params": job.params}
    )
    outbox_dispatch(export_run_task, job.pk)
    return job


def export_inline(
    *, user: User, kind: str, params: Any, language: str | None = None, device: str = ""
) -> bytes | None:
    """The workbook's bytes when the export is small enough to build at once
    (``EXPORT_INLINE_MAX_ROWS``), else ``None``: the caller requests a job instead."""
    export = export_for(kind)
    cleaned = export_prepare(user, kind, params)
    if export.estimate(cleaned) > settings.EXPORT_INLINE_MAX_ROWS:
        return None
    target = BytesIO()
    with translation.override(language or translation.get_language()):
        rows = export.build(cleaned, target, Progress())
    with transaction.atomic():
        audit_record(
            actor=user,
            device=device,
            action="export.inline",
            object_type="reports.export",
            object_id=kind,
            after={"params": stored_params(params), "rows": rows},
        )
    return target.getvalue()


@atomic_service
def export_claim(*, job_id: int) -> ExportJob | None:
    """Mark the job running from scratch; ``None`` when it is gone or already done."""
    job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.state == ExportState.DONE:
        return None
    job.state, job.progress, job.row_count, job.error = ExportState.RUNNING, 0, None, ""
    job.started_at, job.finished_at = timezone.now(), None
    job.save()
    return job


def export_progress(*, job_id: int, rows_done: int, estimate: int) -> None:
    """One short autocommitted UPDATE, so a poller sees it while the build goes on."""
    percent = min(99, rows_done * 100 // max(estimate, 1))
    ExportJob.objects.filter(pk=job_id, state=ExportState.RUNNING, progress__lt=percent).update(
        progress=percent
    )


@atomic_service
def export_finish(*, job_id: int, source: BinaryIO, row_count: int) -> ExportJob:
    """Store the built file under the job's one name and mark it done (first run wins)."""
    job = ExportJob.objects.select_for_update().get(pk=job_id)
    if job.state == ExportState.DONE:
        return job
    storage = job.file.storage
    name = f"{job.kind}-{job.pk}.xlsx"
    storage.delete(job.file.field.generate_filename(job, name))  # left by a crashed run
    job.file.save(name, File(source), save=False)
    job.state, job.progress, job.row_count = ExportState.DONE, 100, row_count
    job.finished_at = timezone.now()
    job.save()
    return job


def export_fail(*, job_id: int, error: BaseException | str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        state=ExportState.FAILED, error=str(error)[:2000], finished_at=timezone.now()
    )


def export_run(*, job_id: int) -> ExportJob | None:
    """Build the job's workbook in the requester's language (what the task runs)."""
    job = export_claim(job_id=job_id)
    if job is None:
        return ExportJob.objects.filter(pk=job_id).first()
    try:
        with translation.override(job.language), tempfile.TemporaryFile() as target:
            export = export_for(job.kind)
            cleaned = export_prepare(job.requested_by, job.kind, job.params)
            estimate = export.estimate(cleaned)
            progress = Progress(
                lambda done: export_progress(job_id=job.pk, rows_done=done, estimate=estimate)
            )
            rows = export.build(cleaned, target, progress)
            target.seek(0)
            return export_finish(job_id=job.pk, source=target, row_count=rows)
    except Exception as error:  # noqa: BLE001 - any failure is the job's, shown to the user
        logger.exception("export job %s failed", job_id)
        export_fail(job_id=job_id, error=error)
        return ExportJob.objects.get(pk=job_id)


def export_purge(*, keep_days: int | None = None) -> int:
    """Finished jobs older than ``EXPORT_KEEP_DAYS`` go, with their files: the export
    folder is a download area, not an archive. Returns the number of jobs removed."""
    keep_days = settings.EXPORT_KEEP_DAYS if keep_days is None else keep_days
    cutoff = timezone.now() - timedelta(days=keep_days)
    finished = [ExportState.DONE, ExportState.FAILED]
    removed = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff, state__in=finished).iterator():
        job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
