"""Work-order create and release pages for plants without an ERP (R-W1, R-W2): checked,
confirmed, then ``work_order_create`` / ``work_order_release``."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import BomFactory, BomLineFactory, MaterialFactory, WorkshopFactory
from workorders.models import WorkOrder, WorkOrderStatus

pytestmark = pytest.mark.django_db

NEW = reverse("workorders:new")


@pytest.fixture
def bom(db):
    bom = BomFactory(product=MaterialFactory(code="CHAIR"), version=2)
    BomLineFactory(bom=bom, material=MaterialFactory(code="TUBE"), qty_per_unit=2, loss_pct=5)
    return bom


@pytest.fixture
def workshop(db):
    return WorkshopFactory(code="W1", name="Assembly")


def plan(workshop, **extra):
    return {
        "number": "WO-77",
        "product": "CHAIR",
        "bom_version": "2",
        "planned_qty": "100",
        "workshop": workshop.pk,
        "planned_start": "2026-12-08",
        **extra,
    }


def test_create_is_previewed_then_confirmed(role_client, bom, workshop):
    client = role_client("workshop_director", workshops=[workshop])
    check = client.post(NEW, plan(workshop)).content.decode()
    assert 'data-testid="confirm-step"' in check and 'data-testid="requirements-preview"' in check
    assert "200" in check and not WorkOrder.objects.exists()
    done = client.post(NEW, {**plan(workshop), "confirmed": "1"})
    work_order = WorkOrder.objects.get(number="WO-77")
    assert done["Location"] == reverse("workorders:detail", args=[work_order.pk])
    assert (work_order.status, work_order.bom, work_order.planned_qty) == (
        WorkOrderStatus.PLANNED,
        bom,
        100,
    )
    assert AuditEvent.objects.filter(action="workorder.create").count() == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"product": "NOPE"}, "Unknown material NOPE."),
        ({"bom_version": "9"}, "Product CHAIR has no BOM version 9."),
        ({"planned_qty": "0"}, "Planned quantity must be greater than zero."),
        ({"number": ""}, "This field is required."),
    ],
)
def test_bad_plans_are_shown_and_create_nothing(role_client, bom, workshop, extra, message):
    client = role_client("production_manager")
    response = client.post(NEW, {**plan(workshop, **extra), "confirmed": "1"})
    assert response.status_code == 400 and message in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_a_workshop_outside_the_users_scope_cannot_be_chosen(role_client, bom, workshop):
    client = role_client("team_leader", workshops=[WorkshopFactory(code="W2")])
    response = client.post(NEW, {**plan(workshop), "confirmed": "1"})
    assert response.status_code == 400 and not WorkOrder.objects.exists()


def test_a_duplicate_number_is_refused(role_client, bom, workshop):
    client = role_client("production_manager")
    client.post(NEW, {**plan(workshop), "confirmed": "1"})
    again = client.post(NEW, {**plan(workshop), "confirmed": "1"})
    assert again.status_code == 400 and WorkOrder.objects.count() == 1


@pytest.mark.parametrize("role", ["keeper", "clerk", "qc", "finance"])
def test_other_roles_may_not_create_or_release(role_client, admin, bom, workshop, role):
    client = role_client(role)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {**plan(workshop), "confirmed": "1"}).status_code == 403
    work_order = planned(admin, bom, workshop)
    assert client.post(reverse("workorders:release", args=[work_order.pk])).status_code == 403
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.PLANNED


def planned(actor, bom, workshop):
    from workorders.services.lifecycle import work_order_create

    return work_order_create(
        number="WO-5", product=bom.product, bom=bom, planned_qty=10, workshop=workshop, actor=actor
    )


def test_release_shows_what_it_freezes_and_releases_on_confirmation(
    role_client, admin, bom, workshop
):
    work_order = planned(admin, bom, workshop)
    client = role_client("production_manager")
    url = reverse("workorders:release", args=[work_order.pk])
    page = client.get(url).content.decode()
    assert "TUBE" in page and 'data-testid="confirm-step"' in page
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.PLANNED
    assert client.post(url).status_code == 302
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.RELEASED
    assert [(line.material.code, line.required_qty) for line in work_order.lines.all()] == [
        ("TUBE", 20)
    ]
    again = client.post(url)
    assert again.status_code == 409 and "cannot be released" in again.content.decode()
    assert work_order.lines.count() == 1


def test_the_menu_offers_the_page_to_planners_only_and_marks_it_alone(role_client, workshop):
    page = role_client("workshop_director", workshops=[workshop]).get(NEW).content.decode()
    assert f'<a href="{NEW}" aria-current="page">' in page
    assert f'<a href="{reverse("workorders:list")}" aria-current' not in page
    assert f'value="{workshop.pk}" selected' in page  # the one workshop is proposed
    assert NEW not in role_client("keeper", username="k2").get("/").content.decode()
