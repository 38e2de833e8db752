"""Finance pages: month-end summaries, compute, confirm (lock), workbook (R-J1, R-J3), and
the exports page with its job progress bar."""

from io import BytesIO

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from finance.models import MonthEnd, MonthEndState
from reports.models import ExportJob, ExportState
from reports.services import export_run
from returns.models import RequestKind
from returns.services.issuing import replenish_issue
from returns.services.replenish import replenish_submit
from tests.factories import UserFactory
from tests.returns.builders import approve_all, line, replenishment
from tests.workorders.test_closeout import in_progress_work_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(admin):
    """This month: 200 TUBE issued to WO-1, then 10 replenished."""
    work_order = in_progress_work_order(admin)
    clerk = UserFactory(username="clerk")
    request = replenishment(work_order, clerk, [line(work_order.lines.get().material, 10)])
    request = replenish_submit(replenish_request=request, actor=clerk)
    approve_all(request)
    replenish_issue(replenish_request=request, actor=admin)
    return timezone.localdate().replace(day=1)


def compute(client, month):
    return client.post(reverse("finance:month_end_compute"), {"month": f"{month:%Y-%m}"})


def test_finance_computes_a_month_and_sees_its_tables(role_client, month):
    client = role_client("finance")
    response = compute(client, month)
    assert response.status_code == 302
    month_end = MonthEnd.objects.get(month=month)
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    expected = month_end.lines.filter(kind=RequestKind.REPLENISH).aggregate(
        qty=Sum("quantity"), amount=Sum("amount")
    )
    for _title, _header, table in detail.context["tables"]:
        assert table["total"]["replenish_qty"] == expected["qty"] == 10
        assert table["total"]["replenish_amount"] == expected["amount"]
    listed = client.get(reverse("finance:month_end"))
    assert [m.month for m in listed.context["month_ends"]] == [month]
    assert listed.context["month_ends"][0].replenish_amount == expected["amount"]


def test_confirming_a_month_locks_it(role_client, month, month_over):
    client = role_client("finance")
    compute(client, month)
    confirm = reverse("finance:month_end_confirm", args=[month])
    assert client.post(confirm, {"confirmed": "1"}).status_code == 302
    month_end = MonthEnd.objects.get(month=month)
    assert (month_end.state, month_end.confirmed_by.username) == (
        MonthEndState.CONFIRMED,
        "finance-user",
    )
    again = client.post(
        reverse("finance:month_end_compute"), {"month": f"{month:%Y-%m}"}, follow=True
    )
    assert "can no longer change" in again.content.decode()
    page = client.get(reverse("finance:month_end_detail", args=[month])).content.decode()
    assert 'data-testid="confirm-month"' not in page


def test_other_roles_cannot_see_or_confirm(role_client, admin, month):
    clerk = role_client("clerk")
    assert clerk.get(reverse("finance:month_end")).status_code == 403
    auditor = role_client("auditor")
    assert auditor.get(reverse("finance:month_end")).status_code == 200
    assert compute(auditor, month).status_code == 403
    assert not MonthEnd.objects.exists()


def test_workbook_downloads_directly(role_client, month):
    client = role_client("finance")
    compute(client, month)
    response = client.get(reverse("finance:month_end_workbook", args=[month]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'month-end-{month:%Y-%m}.xlsx"')
    workbook = load_workbook(BytesIO(response.content), read_only=True)
    assert workbook.sheetnames[:4] == ["Summary", "By workshop", "By reason", "By class"]


def test_ledger_export_shows_a_progress_bar_then_a_download_link(role_client, month):
    client = role_client("keeper")
    started = client.post(
        reverse("reports:export_start"),
        {"kind": "ledger", "material": "TUBE"},
        HTTP_HX_REQUEST="true",
    )
    assert started.status_code == 201
    job = ExportJob.objects.get()
    html = started.content.decode()
    assert 'hx-trigger="load delay:1s"' in html and "<progress" in html
    export_run(job_id=job.pk)
    done = client.get(reverse("reports:export_status", args=[job.pk])).content.decode()
    assert ExportJob.objects.get().state == ExportState.DONE
    assert reverse("export-download", args=[job.pk]) in done and "hx-get" not in done
    download = client.get(reverse("export-download", args=[job.pk]))
    assert download.status_code == 200
    page = client.get(reverse("reports:exports"))
    assert list(page.context["jobs"]) == [job]


def test_export_errors_are_shown_and_scope_is_enforced(role_client, month):
    keeper = role_client("keeper")
    refused = keeper.post(reverse("reports:export_start"), {"kind": "ledger", "material": "NOPE"})
    assert refused.status_code == 400 and "Unknown material NOPE." in refused.content.decode()
    shown = keeper.post(  # htmx swaps only 2xx answers into the page
        reverse("reports:export_start"),
        {"kind": "ledger", "material": "NOPE"},
        HTTP_HX_REQUEST="true",
    )
    assert shown.status_code == 200 and 'role="alert"' in shown.content.decode()
    clerk = role_client("clerk")
    assert clerk.post(reverse("reports:export_start"), {"kind": "ledger"}).status_code == 403
    assert not ExportJob.objects.exists()


def test_the_current_month_cannot_be_confirmed_yet(role_client, month):
    client = role_client("finance")
    compute(client, month)
    detail = client.get(reverse("finance:month_end_detail", args=[month])).content.decode()
    assert 'data-testid="confirm-month"' not in detail
    assert "has not ended yet" in detail
    confirm = reverse("finance:month_end_confirm", args=[month])
    refused = client.post(confirm, {"confirmed": "1"}, follow=True).content.decode()
    assert f"Month {month:%Y-%m} has not ended yet" in refused
    client.cookies["django_language"] = "zh-hans"
    refused = client.post(confirm, {"confirmed": "1"}, follow=True).content.decode()
    assert f"{month:%Y-%m} 月尚未结束" in refused
    assert MonthEnd.objects.get(month=month).state == MonthEndState.OPEN


def test_confirm_and_reopen_ask_first_and_reopen_needs_a_reason(role_client, month, month_over):
    client = role_client("finance")
    compute(client, month)
    detail_url = reverse("finance:month_end_detail", args=[month])
    detail = client.get(detail_url).content.decode()
    assert f'data-confirm="Confirm and lock month {month:%Y-%m}?' in detail
    confirm = reverse("finance:month_end_confirm", args=[month])
    unasked = client.post(confirm, follow=True).content.decode()
    assert "Nothing was done: tick “I confirm” to go ahead." in unasked
    assert MonthEnd.objects.get(month=month).state == MonthEndState.OPEN
    client.post(confirm, {"confirmed": "1"})
    assert MonthEnd.objects.get(month=month).state == MonthEndState.CONFIRMED

    detail = client.get(detail_url).content.decode()
    assert 'data-testid="reopen-form"' in detail
    assert f'data-confirm="Reopen month {month:%Y-%m}?' in detail
    reopen = reverse("finance:month_end_reopen", args=[month])
    no_reason = client.post(reopen, {"reason": " ", "confirmed": "1"}, follow=True)
    assert "This field is required." in no_reason.content.decode()
    client.post(reopen, {"reason": "credit note"})  # not confirmed
    assert MonthEnd.objects.get(month=month).state == MonthEndState.CONFIRMED
    done = client.post(reopen, {"reason": "credit note", "confirmed": "1"}, follow=True)
    assert f"Month {month:%Y-%m} is reopened" in done.content.decode()
    assert "credit note" in done.content.decode()  # the page shows the last reopening
    assert MonthEnd.objects.get(month=month).state == MonthEndState.OPEN


def test_the_api_confirms_ended_months_and_reopens_with_a_reason(api, month, monkeypatch):
    month_end = MonthEnd.objects.create(month=month)
    url = f"/api/v1/month-ends/{month_end.pk}/"
    refused = api.post(url + "confirm/")
    assert refused.status_code == 409
    assert "has not ended yet" in refused.json()["detail"]
    from finance import month_end as month_end_module

    monkeypatch.setattr(month_end_module, "month_ended", lambda month: True)
    confirmed = api.post(url + "confirm/")
    assert (confirmed.status_code, confirmed.json()["state"]) == (200, "confirmed")
    assert api.post(url + "reopen/", {"reason": ""}, format="json").status_code == 400
    reopened = api.post(url + "reopen/", {"reason": "credit note"}, format="json")
    assert reopened.status_code == 200
    assert (reopened.json()["state"], reopened.json()["reopen_reason"]) == ("open", "credit note")
    assert api.post(url + "reopen/", {"reason": "again"}, format="json").status_code == 409
