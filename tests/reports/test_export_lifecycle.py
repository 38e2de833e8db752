"""Export jobs over time: the purge takes only finished jobs (a job queued or running for
days, e.g. while the workers were down, still gets its file), and a job whose worker died
restarts its progress from zero."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.models import ExportJob, ExportState
from reports.services import export_claim, export_purge

pytestmark = pytest.mark.django_db


def job(user, state, progress=0):
    return ExportJob.objects.create(
        kind="ledger", params={}, requested_by=user, language="en", state=state, progress=progress
    )


def test_purge_takes_old_finished_jobs_only(user, settings):
    settings.EXPORT_KEEP_DAYS = 7
    for state in ExportState.values:
        job(user, state)
    ExportJob.objects.update(created_at=timezone.now() - timedelta(days=30))
    assert export_purge() == 2
    left = sorted(ExportJob.objects.values_list("state", flat=True))
    assert left == [ExportState.QUEUED, ExportState.RUNNING]


def test_a_redelivered_job_restarts_from_zero(user):
    crashed = job(user, ExportState.RUNNING, progress=40)
    claimed = export_claim(job_id=crashed.pk)
    crashed.refresh_from_db()
    assert (claimed.state, crashed.state) == (ExportState.RUNNING, ExportState.RUNNING)
    assert crashed.progress == 0 and crashed.started_at is not None
