"""The points pages (R-J3, R-J4): the month's totals and entries, a supervisor's record
with evidence, the GM office's review list with a proposal per flagged replenishment, and
the proposal in the executive GM's approval inbox."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals.models import TierAssignment
from finance.models import PointEntry, SpotCheckProposal
from finance.month_end import month_end_compute
from finance.points.scheme import scheme_active
from tests.factories import UserFactory
from tests.returns.builders import issued_replenishment

pytestmark = pytest.mark.django_db


def logged_in(user, *perms):
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    client = Client()
    client.force_login(user)
    return client


def test_supervisor_records_points_with_evidence(workshop, clerk):
    supervisor = UserFactory(username="director")
    workshop.members.add(supervisor)
    client = logged_in(supervisor, "add_pointentry", "view_pointentry")
    response = client.post(
        reverse("finance:points_record"),
        {
            "behaviour": "irregular_slip",
            "source_number": "RT-202612-0009",
            "workshop": workshop.pk,
            "person": "clerk",
            "team": "A",
            "note": "slip without the supervisor's signature",
            "evidence": SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", "image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = PointEntry.objects.get()
    assert (entry.points, entry.person, entry.team, entry.origin) == (-5, clerk, "A", "supervisor")
    assert entry.evidence.name.endswith(".jpg")
    page = client.get(reverse("finance:points")).content.decode()
    assert "RT-202612-0009" in page and "-5" in page
    # the same document and behaviour again: refused, nothing written
    again = client.post(
        reverse("finance:points_record"),
        {
            "behaviour": "irregular_slip",
            "source_number": "RT-202612-0009",
            "workshop": workshop.pk,
            "note": "again",
        },
    )
    assert again.status_code == 200 and PointEntry.objects.count() == 1


def test_points_pages_need_their_permission(clerk):
    client = logged_in(clerk)
    assert client.get(reverse("finance:points")).status_code == 403
    assert client.get(reverse("finance:points_record")).status_code == 403


def test_gm_office_reviews_flagged_replenishments_and_the_executive_gm_sees_it(
    work_order, tube, clerk, settings
):
    settings.MONTH_END_SPOT_CHECK_AMOUNT = "100"
    tube.standard_cost = Decimal("20")
    tube.save()
    request = issued_replenishment(work_order, clerk, tube, 10, code="OVER_QUOTA")
    month_end = month_end_compute(month=timezone.localdate().replace(day=1))
    office = logged_in(UserFactory(username="gm-office"), "propose_points")
    listing = office.get(reverse("finance:spot_check", args=[month_end.month]))
    assert request.number in listing.content.decode()
    response = office.post(
        reverse("finance:spot_check_propose", args=[month_end.month]),
        {"document_number": request.number, "behaviour": "over_quota", "note": "checked"},
    )
    assert response.status_code == 302
    proposal = SpotCheckProposal.objects.get()
    assert (proposal.points, proposal.state) == (-50, "pending")  # 超定额≤1000 → 部门 50
    executive = UserFactory(username="exec")
    TierAssignment.objects.create(user=executive, tier="executive_gm")
    inbox = logged_in(executive).get(reverse("approvals:inbox")).content.decode()
    assert f"Spot check of {request.number}" in inbox and "checked" in inbox


def test_admin_adds_a_version_as_a_copy_of_the_active_one(admin):
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:finance_pointscheme_add"), {"name": "2027 table", "note": ""}
    )
    assert response.status_code == 302
    new = scheme_active()
    assert (new.version, new.name, new.rules.count()) == (2, "2027 table", 53)
    assert new.mappings.count() == 18


def test_the_api_inbox_lists_a_proposal_for_the_executive_gm(work_order, tube, clerk, settings):
    from rest_framework.test import APIClient

    settings.MONTH_END_SPOT_CHECK_AMOUNT = "100"
    tube.standard_cost = Decimal("20")
    tube.save()
    request = issued_replenishment(work_order, clerk, tube, 10, code="OVER_QUOTA")
    month_end = month_end_compute(month=timezone.localdate().replace(day=1))
    office = logged_in(UserFactory(username="gm-office"), "propose_points")
    office.post(
        reverse("finance:spot_check_propose", args=[month_end.month]),
        {"document_number": request.number, "behaviour": "over_quota", "note": "checked"},
    )
    executive = UserFactory(username="exec")
    TierAssignment.objects.create(user=executive, tier="executive_gm")
    client = APIClient()
    client.force_authenticate(executive)
    response = client.get("/api/v1/approvals/")
    assert response.status_code == 200, response.content[:500]
    (step,) = response.json()["results"]
    assert step["tier"] == "executive_gm"
    assert client.post(f"/api/v1/approvals/{step['id']}/approve/").status_code == 200
    assert SpotCheckProposal.objects.get().state == "pending"  # the GM still signs
