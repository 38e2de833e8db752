"""End to end on a real Celery worker (CI's PostgreSQL + Redis run): finance requests the
month-end workbook, the worker builds it and records 100 %, the download's totals equal an
independent SQL aggregation of the ledger."""

import time
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from config.celery import app
from finance.month_end import month_end_compute
from tests.finance.test_month_end import month, sql_totals  # noqa: F401 - the fixture
from tests.test_celery_worker import worker  # noqa: F401 - the fixture

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_media(tmp_path, monkeypatch, settings):
    """The worker (started after this fixture) writes where the test reads."""
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    settings.MEDIA_ROOT = tmp_path


def finished(api, job_id, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/exports/{job_id}/").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"export {job_id} still {job['state']} after {timeout} s")


def test_worker_builds_the_month_end_export(shared_media, worker, reference_data, month, api):  # noqa: F811
    app.control.purge()
    month_end = month_end_compute(month=month)
    response = api.post(
        "/api/v1/exports/",
        {"kind": "month_end", "params": {"month": f"{month_end.month:%Y-%m}"}},
        format="json",
    )
    assert response.status_code == 201
    job = finished(api, response.json()["id"])
    assert (job["state"], job["progress"], job["error"]) == ("done", 100, "")
    download = api.get(job["download_url"])
    workbook = load_workbook(BytesIO(b"".join(download.streaming_content)))
    detail = workbook["Detail lines"]
    net = Decimal(str(detail.cell(detail.max_row, 10).value))  # the net line's amount
    totals = sql_totals(month_end.month)
    assert net == totals["replenish"][1] - totals["return"][1]
