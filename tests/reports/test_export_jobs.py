"""Export jobs over the API: request → the task writes its progress → 100 % → download; a
task run twice gives one file; bad parameters are 400 and create nothing; another user's
job is 404."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from audit.models import AuditEvent
from reports import services
from reports.models import ExportJob, ExportState
from reports.services import export_run
from reports.tasks import export_purge_task, export_run_task
from tests.factories import UserFactory
from tests.reports.conftest import body

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def client_for(user):
    client = APIClient(HTTP_X_DEVICE_ID="PC-3")
    client.force_authenticate(user)
    return client


def with_role(username, role):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def requested(client, capture, kind="ledger", params=None):
    """POST an export; its task, dispatched on commit, is run here as a worker would."""
    with capture() as dispatched:
        response = client.post(URL, {"kind": kind, "params": params or {}}, format="json")
    assert response.status_code == 201, response.json()
    assert len(dispatched) == 1
    export_run_task(response.json()["id"])
    return response.json()


def workbook_of(response):
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def exported_files(media):
    return sorted(p.name for p in (media / "exports").iterdir())


def test_request_progress_and_download(api, floor, django_capture_on_commit_callbacks):
    job = requested(api, django_capture_on_commit_callbacks, params={"lot": "T1"})
    assert (job["state"], job["kind"], job["params"]) == ("queued", "ledger", {"lot": "T1"})
    detail = api.get(f"{URL}{job['id']}/").json()
    assert (detail["state"], detail["progress"], detail["row_count"]) == ("done", 100, 6)
    assert detail["download_url"].endswith(f"{URL}{job['id']}/download/")
    sheet = workbook_of(api.get(detail["download_url"]))["Ledger"]
    assert len(body(sheet)) == 6
    assert AuditEvent.objects.filter(action="export.request", object_id=str(job["id"])).exists()
    listed = api.get(URL, {"state": "done", "kind": "ledger"}).json()["results"]
    assert [j["id"] for j in listed] == [job["id"]]


def test_progress_is_written_in_steps_while_rows_stream(admin, floor, settings):
    settings.EXPORT_PROGRESS_ROWS = 4
    job = ExportJob.objects.create(kind="ledger", params={}, requested_by=admin, language="en")
    with CaptureQueriesContext(connection) as queries:
        export_run(job_id=job.pk)
    steps = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "reports_exportjob"')]
    assert sum('"progress" = 30' in sql or '"progress" = 61' in sql for sql in steps) == 2
    job.refresh_from_db()
    assert (job.state, job.progress, job.row_count) == (ExportState.DONE, 100, 13)


def test_a_task_run_twice_or_after_a_crash_gives_one_file(
    api, floor, media, django_capture_on_commit_callbacks
):
    job = requested(api, django_capture_on_commit_callbacks, kind="variance")
    first = ExportJob.objects.get(pk=job["id"])
    content = [list(r) for r in load_workbook(first.file.path).active.iter_rows(values_only=True)]
    assert export_run_task(first.pk) == "done"  # a done job is not rebuilt
    assert ExportJob.objects.get(pk=first.pk).finished_at == first.finished_at
    # A worker died half-way: the broker delivers the task again.
    ExportJob.objects.filter(pk=first.pk).update(state=ExportState.RUNNING, progress=40)
    assert export_run_task(first.pk) == "done"
    again = ExportJob.objects.get(pk=first.pk)
    assert again.file.name == first.file.name
    assert exported_files(media) == [f"variance-{first.pk}.xlsx"]
    rows = [list(r) for r in load_workbook(again.file.path).active.iter_rows(values_only=True)]
    assert rows == content


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"kind": "ledger", "params": {"material": "NOPE"}}, "material", "Unknown material NOPE."),
        ({"kind": "ledger", "params": {"colour": "red"}}, "params", "Unknown parameters: colour."),
        (
            {"kind": "ledger", "params": {"date_from": "2026-11-02", "date_to": "2026-11-01"}},
            "date_to",
            "The end date is before the start date.",
        ),
        (
            {"kind": "recall", "params": {"material": "TUBE"}},
            "params",
            "Give exactly one of lot, serial or work order.",
        ),
        ({"kind": "recall", "params": {"lot": "T1"}}, "material", "Give the material"),
        (
            {"kind": "recall", "params": {"material": "TUBE", "lot": "T9"}},
            "lot",
            "Unknown lot T9.",
        ),
        ({"kind": "month_end", "params": {"month": "2026-13"}}, "month", "YYYY-MM"),
        ({"kind": "payroll", "params": {}}, "kind", ""),
    ],
)
def test_bad_parameters_are_400_and_create_nothing(api, floor, payload, field, message):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


def test_another_users_job_is_404(api, admin, floor, django_capture_on_commit_callbacks):
    job = requested(api, django_capture_on_commit_callbacks)
    keeper = client_for(with_role("keeper2", "keeper"))
    assert keeper.get(f"{URL}{job['id']}/").status_code == 404
    assert keeper.get(f"{URL}{job['id']}/download/").status_code == 404
    assert keeper.get(URL).json()["results"] == []
    boss = client_for(UserFactory(username="root2", is_superuser=True))
    assert boss.get(f"{URL}{job['id']}/download/").status_code == 200


def test_download_before_the_job_is_done_is_409(api, admin, floor):
    job = ExportJob.objects.create(kind="ledger", params={}, requested_by=admin, language="en")
    response = api.get(f"{URL}{job.pk}/download/")
    assert response.status_code == 409 and "not ready" in response.json()["detail"]


def test_small_exports_download_at_once_large_ones_become_jobs(api, floor, settings):
    response = api.post(f"{URL}?inline=1", {"kind": "ledger", "params": {}}, format="json")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert len(body(load_workbook(BytesIO(response.content))["Ledger"])) == 13
    assert not ExportJob.objects.exists()
    settings.EXPORT_INLINE_MAX_ROWS = 12
    response = api.post(f"{URL}?inline=1", {"kind": "ledger", "params": {}}, format="json")
    assert response.status_code == 201 and ExportJob.objects.count() == 1


def test_who_may_export_and_who_sees_amounts(floor):
    clerk = client_for(with_role("clerk2", "clerk"))
    assert clerk.post(URL, {"kind": "ledger", "params": {}}, format="json").status_code == 403
    keeper = client_for(with_role("keeper3", "keeper"))
    response = keeper.post(f"{URL}?inline=1", {"kind": "ledger", "params": {}}, format="json")
    headers = [c.value for c in load_workbook(BytesIO(response.content))["Ledger"][1]]
    assert "Quantity" in headers and "Amount" not in headers
    payload = {"kind": "month_end", "params": {"month": "2026-10"}}
    assert keeper.post(URL, payload, format="json").status_code == 403


def test_the_workbook_speaks_the_requesters_language(
    api, floor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        response = api.post(
            URL, {"kind": "recall", "params": {"work_order": "WO-1"}}, format="json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )  # fmt: skip
    assert ExportJob.objects.get().language == "zh-hans"
    export_run_task(response.json()["id"])
    download = api.get(f"{URL}{response.json()['id']}/download/")
    sheet = workbook_of(download).worksheets[0]
    assert "物料" in [c.value for c in sheet[1]] and sheet.cell(sheet.max_row, 1).value == "合计"


def test_old_finished_jobs_are_purged_with_their_files(admin, floor, media, settings):
    settings.EXPORT_KEEP_DAYS = 7
    jobs = []
    for _ in range(2):
        job = services.export_request(user=admin, kind="ledger", params={})
        export_run_task(job.pk)
        jobs.append(ExportJob.objects.get(pk=job.pk))
    ExportJob.objects.filter(pk=jobs[0].pk).update(created_at=timezone.now() - timedelta(days=8))
    assert export_purge_task() == 1
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [jobs[1].pk]
    assert exported_files(media) == [f"ledger-{jobs[1].pk}.xlsx"]


def test_a_job_that_cannot_be_built_fails_with_its_reason(admin, db):
    job = ExportJob.objects.create(
        kind="ledger", params={"material": "GONE"}, requested_by=admin, language="en"
    )
    assert export_run_task(job.pk) == "failed"
    job.refresh_from_db()
    assert "Unknown material GONE." in job.error and not job.file and job.finished_at
