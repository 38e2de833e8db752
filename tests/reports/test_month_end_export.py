"""The month-end workbook (R-J1) through the API and as an export job: its totals equal an
independent SQL aggregation, it opens with openpyxl and, where LibreOffice is installed,
converts with ``soffice --headless``."""

import csv
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from finance.month_end import month_end_compute
from reports.tasks import export_run_task
from tests.finance.test_month_end import month, sql_totals  # noqa: F401 - the fixture
from tests.reports.conftest import assert_finance_format

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(month):  # noqa: F811 - the imported fixture
    return month_end_compute(month=month)


def amount_total(sheet):
    return Decimal(str(sheet.cell(sheet.max_row, sheet.max_column).value))


def test_month_end_job_totals_equal_sql(
    api, computed, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks():
        response = api.post(
            "/api/v1/exports/",
            {"kind": "month_end", "params": {"month": f"{computed.month:%Y-%m}"}},
            format="json",
        )
    export_run_task(response.json()["id"])  # what the dispatched task runs
    job = api.get(f"/api/v1/exports/{response.json()['id']}/").json()
    assert (job["state"], job["progress"], job["row_count"]) == ("done", 100, 6)
    download = api.get(job["download_url"])
    workbook = load_workbook(BytesIO(b"".join(download.streaming_content)))
    totals = sql_totals(computed.month)
    expected = totals["replenish"][1] - totals["return"][1]  # the net cost
    assert expected == Decimal("558.75")
    for title in ("By workshop", "By reason", "By class"):
        assert amount_total(workbook[title]) == expected, title
        assert_finance_format(workbook[title], [], ["Returns (value back)", "Net cost"])
    summary = workbook["Summary"]
    assert Decimal(str(summary.cell(summary.max_row, 5).value)) == expected


def test_month_end_without_summary_is_400(api, db):
    response = api.post(
        "/api/v1/exports/", {"kind": "month_end", "params": {"month": "2020-01"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["month"] == ["Month 2020-01 has no month-end summary yet."]


def test_month_ends_list_and_workbook_download(api, computed):
    (listed,) = api.get("/api/v1/month-ends/").json()["results"]
    assert listed["month"] == f"{computed.month:%Y-%m}" and listed["state"] == "open"
    response = api.get(listed["workbook_url"])
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="month-end-{computed.month:%Y-%m}.xlsx"'
    )
    detail = load_workbook(BytesIO(response.content))["Detail lines"]
    assert Decimal(str(detail.cell(detail.max_row, 10).value)) == Decimal("558.75")


@pytest.mark.soffice
def test_libreoffice_converts_the_workbook(api, computed, tmp_path):
    source = tmp_path / "month.xlsx"
    source.write_bytes(api.get(f"/api/v1/month-ends/{computed.pk}/workbook/").content)
    subprocess.run(
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # 76: UTF-8
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    with open(tmp_path / "month.csv", newline="", encoding="utf-8") as converted:
        rows = list(csv.reader(converted))
    assert rows[0][0] == f"Month-end {computed.month:%Y-%m} (open)"  # the first sheet, "Summary"
    assert rows[-1][0] == "Net cost (replenishments − returns)"
    assert Decimal(rows[-1][4].replace(",", "")) == Decimal("558.75")
