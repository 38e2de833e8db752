"""Work-order pages: list, close-out page with the numbers (R-W2), the production steps
(output, completion, finished-goods receipt), sign-offs and closing (R-W4) through the
browser views."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AuditEvent
from inventory.models import LedgerEntry, StockBalance
from reports.models import ExportJob
from returns.models import Verdict
from tests.builders import location, released_work_order
from tests.factories import MaterialFactory, UserFactory, WorkshopFactory
from tests.returns.builders import line, posted_return
from tests.workorders.test_closeout import completed_work_order, in_progress_work_order
from workorders.models import (
    LeftoverDeclaration,
    OutputReport,
    SignOff,
    SignOffRole,
    WorkOrderStatus,
)
from workorders.services.closing import work_order_receive_output, work_order_sign_off

pytestmark = pytest.mark.django_db
CONFIRMED = {"confirmed": "1"}  # the "I confirm" step (core/confirm.py)


@pytest.fixture
def work_order(admin):
    """Planned 100 needing 2 TUBE each (+5 % loss); 200 issued; 76 good + 4 scrap."""
    return completed_work_order(admin)


@pytest.fixture
def in_progress(admin):
    """Released for 100, 200 TUBE issued, no output yet; location FG exists."""
    return in_progress_work_order(admin)


def cell(html, material, column):
    row = re.search(rf'<tr data-material="{material}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'data-col="{column}">([^<]*)', row).group(1).strip()


def item_state(html, code):
    return re.search(rf'data-item="{code}" data-ok="(\w+)"', html).group(1)


def detail_url(work_order):
    return reverse("workorders:detail", args=[work_order.pk])


def test_anonymous_users_are_sent_to_the_login_page(client, work_order):
    response = client.get(detail_url(work_order))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_filters_by_number_and_status(role_client, work_order):
    client = role_client("production_manager")
    listed = client.get(reverse("workorders:list"), {"q": "WO-1", "status": "completed"})
    assert listed.status_code == 200
    assert [wo.number for wo in listed.context["page"]] == ["WO-1"]
    empty = client.get(reverse("workorders:list"), {"status": "closed"})
    assert list(empty.context["page"]) == []


def test_workshop_members_see_only_their_work_orders(role_client, work_order):
    client = role_client("team_leader", workshops=[WorkshopFactory(code="OTHER")])
    assert list(client.get(reverse("workorders:list")).context["page"]) == []
    assert client.get(detail_url(work_order)).status_code == 404


def test_detail_shows_issued_returned_consumed_and_the_variance(role_client, work_order):
    html = role_client("production_manager").get(detail_url(work_order)).content.decode()
    assert [cell(html, "TUBE", c) for c in ("issued", "returned", "replenished", "consumed")] == [
        "200",
        "0",
        "0",
        "200",
    ]
    # standard for 80 produced = 160; consumed 200 → +40 (25 %), over the 8 allowance
    assert cell(html, "TUBE", "variance").startswith("40")
    assert "25.00 %" in html
    assert item_state(html, "leftovers_returned") == "no"
    assert item_state(html, "output_reported") == "yes"
    assert "TUBE: return 32 or declare it consumed" in html


def test_close_refused_lists_the_open_items(role_client, work_order):
    client = role_client("production_manager")
    response = client.post(reverse("workorders:close", args=[work_order.pk]), CONFIRMED)
    assert response.status_code == 409
    refused = re.search(r'data-testid="close-refused">(.*?)</div>', response.content.decode(), re.S)
    assert [label.strip() for label in re.findall(r"<li>(.*?)</li>", refused.group(1))] == [
        "QC passed",
        "Finished goods received",
        "Leftover material returned or declared consumed",
        "Signed off by production, QC, warehouse and finance",
    ]
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.COMPLETED


def test_each_department_signs_for_itself_only(role_client, work_order):
    qc = role_client("qc")
    page = qc.get(detail_url(work_order))
    assert [b["role"] for b in page.context["sign_off_buttons"] if b["allowed"]] == ["qc"]
    url = reverse("workorders:sign_off", args=[work_order.pk])
    assert qc.post(url, {"role": "finance"}).status_code == 403
    assert qc.post(url, {"role": "qc"}).status_code == 302
    assert list(SignOff.objects.values_list("role", "signed_by__username")) == [("qc", "qc-user")]
    again = qc.post(url, {"role": "qc"})
    assert again.status_code == 409 and "already signed" in again.content.decode()
    assert SignOff.objects.count() == 1


def test_clerks_cannot_close_or_declare(role_client, work_order):
    clerk = role_client("clerk")
    assert clerk.post(reverse("workorders:close", args=[work_order.pk])).status_code == 403
    declare = reverse("workorders:declare_leftover", args=[work_order.pk])
    assert clerk.post(declare, {"note": "used"}).status_code == 403


def test_declare_leftover_needs_an_explanation(role_client, work_order):
    client = role_client("production_manager")
    tube = work_order.lines.get().material
    url = reverse("workorders:declare_leftover", args=[work_order.pk])
    refused = client.post(url, {"material": tube.pk, "quantity": "32", "note": ""})
    assert refused.status_code == 400 and not LeftoverDeclaration.objects.exists()
    done = {"material": tube.pk, "quantity": "32", "note": "used on rework", "confirmed": "1"}
    assert client.post(url, done).status_code == 302
    html = client.get(detail_url(work_order)).content.decode()
    assert item_state(html, "leftovers_returned") == "yes"


def test_closing_after_every_item_is_done(role_client, admin, work_order):
    tube = work_order.lines.get().material
    posted_return(
        work_order,
        [line(tube, 32)],
        applicant=UserFactory(username="clerk"),
        qc=admin,
        keeper=admin,
        verdict=Verdict.GOOD,
        code="LEFTOVER",
    )
    work_order_receive_output(
        work_order=work_order, location=location("FG"), quantity=76, actor=admin
    )
    for role in (SignOffRole.QC, SignOffRole.WAREHOUSE, SignOffRole.FINANCE):
        work_order_sign_off(work_order=work_order, role=role, actor=admin)
    client = role_client("production_manager")
    client.post(reverse("workorders:sign_off", args=[work_order.pk]), {"role": "production"})
    html = client.get(detail_url(work_order)).content.decode()
    assert cell(html, "TUBE", "returned") == "32" and cell(html, "TUBE", "consumed") == "168"
    assert 'data-confirm="Close work order WO-1? This cannot be undone."' in html
    assert 'name="confirmed" value="1" required' in html
    unasked = client.post(reverse("workorders:close", args=[work_order.pk]), follow=True)
    assert "Nothing was done: tick “I confirm” to go ahead." in unasked.content.decode()
    work_order.refresh_from_db()
    assert work_order.status != WorkOrderStatus.CLOSED
    response = client.post(
        reverse("workorders:close", args=[work_order.pk]), CONFIRMED, follow=True
    )
    assert "Work order WO-1 is closed." in response.content.decode()
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.CLOSED
    again = client.post(reverse("workorders:close", args=[work_order.pk]), CONFIRMED)
    assert again.status_code == 409 and "is closed; it cannot be closed" in again.content.decode()


def test_page_renders_in_simplified_chinese(role_client, work_order):
    client = role_client("production_manager")
    response = client.get(detail_url(work_order), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_variance_export_starts_from_the_work_order_page(role_client, work_order):
    client = role_client("production_manager")
    page = client.get(detail_url(work_order)).content.decode()
    assert 'name="work_order" value="WO-1"' in page
    response = client.post(
        reverse("reports:export_start"),
        {"kind": "variance", "work_order": "WO-1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 201
    job = ExportJob.objects.get()
    assert (job.kind, job.params) == ("variance", {"work_order": "WO-1"})


def test_workshop_members_see_their_work_order_without_plant_wide_exports(role_client, work_order):
    client = role_client("team_leader", workshops=[work_order.workshop])
    response = client.get(detail_url(work_order))
    assert response.status_code == 200
    assert "Export the variance report" not in response.content.decode()
    assert [wo.number for wo in client.get(reverse("workorders:list")).context["page"]] == ["WO-1"]


# ---------------------------------------------------------------------------- production steps


def writes():
    """What a refused action must leave untouched."""
    return (
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
        OutputReport.objects.count(),
        StockBalance.objects.filter(quantity__gt=0).count(),
    )


def action_url(name, work_order):
    return reverse(f"workorders:{name}", args=[work_order.pk])


def status_of(work_order):
    work_order.refresh_from_db()
    return work_order.status


def test_production_reports_output_then_completes(role_client, in_progress):
    client = role_client("production_manager")
    page = client.get(detail_url(in_progress)).content.decode()
    assert 'data-testid="report-output"' in page and 'data-testid="complete-work-order"' in page
    assert 'data-testid="receive-output"' not in page  # the keeper's step

    reported = client.post(
        action_url("report_output", in_progress),
        {"good_qty": "76", "scrap_qty": "4", "note": "shift 1"},
        follow=True,
    )
    assert "Output reported: 76 good, 4 scrap." in reported.content.decode()
    report = OutputReport.objects.get()
    assert (report.good_qty, report.scrap_qty, report.note, report.reported_by) == (
        Decimal(76),
        Decimal(4),
        "shift 1",
        client.user,
    )
    assert item_state(reported.content.decode(), "output_reported") == "yes"

    completed = client.post(action_url("complete", in_progress), follow=True)
    assert "Work order WO-1 is completed." in completed.content.decode()
    in_progress.refresh_from_db()
    assert in_progress.status == WorkOrderStatus.COMPLETED and in_progress.completed_at
    page = completed.content.decode()
    assert 'data-testid="report-output"' not in page
    assert 'data-testid="complete-work-order"' not in page


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"good_qty": "-1"}, "good_qty", "Ensure this value is greater than or equal to 0."),
        ({"good_qty": "1", "scrap_qty": "-2"}, "scrap_qty", "greater than or equal to 0"),
        ({"good_qty": "0", "scrap_qty": "0"}, "good_qty", "Report a good or scrap quantity"),
        ({"good_qty": "1.00001"}, "good_qty", "no more than 4 decimal places"),
        ({"good_qty": "1" * 13}, "good_qty", "no more than 12 digits before the decimal point"),
        ({"good_qty": "many"}, "good_qty", "Enter a number."),
    ],
)
def test_bad_output_is_shown_next_to_the_field_and_writes_nothing(
    role_client, in_progress, data, field, message
):
    client = role_client("production_manager")
    before = writes()
    response = client.post(action_url("report_output", in_progress), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["output_form"].errors[field])
    assert message in response.content.decode()
    assert writes() == before and status_of(in_progress) == WorkOrderStatus.IN_PROGRESS


def test_output_on_a_completed_work_order_is_a_conflict(role_client, work_order):
    client = role_client("production_manager")
    assert 'data-testid="report-output"' not in client.get(detail_url(work_order)).content.decode()
    before = writes()
    response = client.post(action_url("report_output", work_order), {"good_qty": "5"})
    assert response.status_code == 409
    assert "Work order WO-1 is completed; it cannot be reported on." in response.content.decode()
    again = client.post(action_url("complete", work_order))
    assert again.status_code == 409
    assert "is completed; it cannot be completed" in again.content.decode()
    assert writes() == before


def test_completing_needs_reported_output(role_client, in_progress):
    client = role_client("production_manager")
    before = writes()
    response = client.post(action_url("complete", in_progress))
    assert response.status_code == 400
    assert "Report output before completing work order WO-1." in response.content.decode()
    assert writes() == before and status_of(in_progress) == WorkOrderStatus.IN_PROGRESS


def test_the_keeper_receives_the_finished_goods(role_client, work_order):
    client = role_client("keeper")
    page = client.get(detail_url(work_order))
    assert page.context["receipt_form"]["quantity"].value() == "76"  # the outstanding output
    html = page.content.decode()
    assert 'data-testid="report-output"' not in html  # production's step
    assert item_state(html, "finished_goods_received") == "no"

    response = client.post(
        action_url("receive_output", work_order), {"location": "LOC:FG", "quantity": "76"}
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(doc_type="fg_receipt")
    assert (entry.material, entry.quantity, entry.location.code, entry.work_order) == (
        work_order.product,
        Decimal(76),
        "FG",
        work_order,
    )
    assert StockBalance.objects.get(material=work_order.product).quantity == Decimal(76)
    assert AuditEvent.objects.filter(action="workorder.receive_output").count() == 1
    html = client.get(detail_url(work_order)).content.decode()
    assert f"76 of {work_order.product.code} received into FG." in html
    assert item_state(html, "finished_goods_received") == "yes"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"location": "NOPE", "quantity": "5"}, "Nothing is known by the code NOPE."),
        ({"location": "FG", "quantity": "0"}, "Quantity must be greater than zero."),
        ({"location": "FG", "quantity": "-5"}, "Quantity must be greater than zero."),
        ({"location": "FG", "quantity": "1.00001"}, "no more than 4 decimal places"),
        ({"location": "FG", "quantity": ""}, "This field is required."),
        ({"location": "OLD", "quantity": "5"}, "Location OLD is not active."),
    ],
)
def test_bad_receipt_is_refused_and_writes_nothing(role_client, work_order, data, message):
    location("OLD", is_active=False)
    client = role_client("keeper")
    before = writes()
    response = client.post(action_url("receive_output", work_order), data)
    assert response.status_code == 400
    form = response.context["receipt_form"]
    assert message in " ".join(form.errors.get("location", []) + form.errors.get("quantity", []))
    assert message in response.content.decode()
    assert writes() == before


def test_a_batch_tracked_product_is_received_into_a_lot(role_client, work_order):
    product = work_order.product
    product.tracking = "batch"
    product.save()
    client = role_client("keeper")
    url = action_url("receive_output", work_order)
    before = writes()
    refused = client.post(url, {"location": "FG", "quantity": "76", "batch_no": ""})
    assert refused.status_code == 400 and "a lot is required" in refused.content.decode()
    assert writes() == before
    assert (
        client.post(url, {"location": "FG", "quantity": "76", "batch_no": "FG-1"}).status_code
        == 302
    )
    assert StockBalance.objects.get(material=product).lot.batch_no == "FG-1"


def test_finished_goods_of_a_released_work_order_are_a_conflict(role_client, admin):
    location("FG")
    released = released_work_order(admin, components=[(MaterialFactory(code="TUBE"), "1", "0")])
    client = role_client("keeper")
    assert 'data-testid="receive-output"' not in client.get(detail_url(released)).content.decode()
    before = writes()
    response = client.post(
        action_url("receive_output", released), {"location": "FG", "quantity": "1"}
    )
    assert response.status_code == 409
    assert "Work order WO-1 is released; it cannot be received from." in response.content.decode()
    assert writes() == before


@pytest.mark.parametrize(
    "role, name",
    [
        ("clerk", "report_output"),
        ("clerk", "complete"),
        ("clerk", "receive_output"),
        ("keeper", "report_output"),
        ("keeper", "complete"),
        ("production_manager", "receive_output"),
        ("qc", "receive_output"),
    ],
)
def test_production_steps_need_their_permission(role_client, in_progress, role, name):
    client = role_client(role)
    before = writes()
    data = {"good_qty": "1", "location": "FG", "quantity": "1"}
    assert client.post(action_url(name, in_progress), data).status_code == 403
    assert writes() == before and status_of(in_progress) == WorkOrderStatus.IN_PROGRESS


@pytest.mark.parametrize("name", ["report_output", "complete", "receive_output"])
def test_production_steps_of_another_workshop_are_not_found(role_client, in_progress, name):
    client = role_client("team_leader", workshops=[WorkshopFactory(code="OTHER")])
    client.user.user_permissions.add(Permission.objects.get(codename="add_ledgerentry"))
    before = writes()
    data = {"good_qty": "1", "location": "FG", "quantity": "1"}
    assert client.post(action_url(name, in_progress), data).status_code == 404
    assert writes() == before
