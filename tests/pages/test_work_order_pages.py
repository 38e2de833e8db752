"""Work-order pages: list, close-out page with the numbers (R-W2), sign-offs and closing
(R-W4) through the browser views."""

import re

import pytest
from django.urls import reverse

from reports.models import ExportJob
from returns.models import Verdict
from tests.builders import location
from tests.factories import UserFactory, WorkshopFactory
from tests.returns.builders import line, posted_return
from tests.workorders.test_closeout import completed_work_order
from workorders.models import LeftoverDeclaration, SignOff, SignOffRole, WorkOrderStatus
from workorders.services import work_order_receive_output, work_order_sign_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_order(admin):
    """Planned 100 needing 2 TUBE each (+5 % loss); 200 issued; 76 good + 4 scrap."""
    return completed_work_order(admin)


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
    response = client.post(reverse("workorders:close", args=[work_order.pk]))
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
    again = qc.post(url, {"role": "qc"}, follow=True)
    assert "already signed" in again.content.decode()


def test_clerks_cannot_close_or_declare(role_client, work_order):
    clerk = role_client("clerk")
    assert clerk.post(reverse("workorders:close", args=[work_order.pk])).status_code == 403
    declare = reverse("workorders:declare_leftover", args=[work_order.pk])
    assert clerk.post(declare, {"note": "used"}).status_code == 403


def test_declare_leftover_needs_an_explanation(role_client, work_order):
    client = role_client("production_manager")
    tube = work_order.lines.get().material
    url = reverse("workorders:declare_leftover", args=[work_order.pk])
    refused = client.post(url, {"material": tube.pk, "note": ""})
    assert refused.status_code == 400 and not LeftoverDeclaration.objects.exists()
    assert client.post(url, {"material": tube.pk, "note": "used on rework"}).status_code == 302
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
    response = client.post(reverse("workorders:close", args=[work_order.pk]), follow=True)
    assert "Work order WO-1 is closed." in response.content.decode()
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.CLOSED


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
        reverse("finance:export_start"),
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
