"""Every registered admin page opens for a superuser, read-only admins refuse adding, and
changelists don't run a query per row.

Models are discovered from ``admin.site._registry``, so a newly registered admin is covered
without touching this file.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts.models import AlertKind
from alerts.services import alert_raise, notification_preferences_set
from approvals.models import Delegation, Tier, TierAssignment
from approvals.services import approval_steps_open
from audit.admin import AuditedModelAdmin
from audit.models import AuditEvent, ChainHead
from audit.services import audit_record
from core.admin import ReadOnlyAdmin
from core.models import OutboxEvent, OutboxKind
from core.outbox import outbox_emit
from finance.models import MonthEnd
from inventory.models import LedgerEntry, Lot, MovementType, PostingPeriod, Serial, StockBalance
from materials.models import TrackingMode, WarehouseCategory
from org.lockout import login_attempt_claim
from org.models import Workshop
from org.services import api_token_issue
from reports.models import ExportJob, ExportKind, ExportState
from returns.models import (
    NonconformingRecord,
    ReasonCode,
    RequestAttachment,
    RequestKind,
    ReturnLine,
    ReturnRequest,
    ScrapDisposal,
)
from tests.factories import (
    BomLineFactory,
    LocationFactory,
    MaterialFactory,
    ProductionLineFactory,
    SupplierFactory,
    WarehouseCategoryFactory,
    WarehouseFactory,
    WorkshopFactory,
)
from workorders.models import MaterialIssue, OutputReport, WorkOrder, WorkOrderLine

# The apps whose admins live next to this test; their changelists are held to no N+1.
OWN_APPS = {"inventory", "workorders", "audit", "alerts", "reports"}

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def registered(kind=None, apps=None):
    return [
        pytest.param(model, id=model._meta.label)
        for model, model_admin in REGISTERED
        if (kind is None or isinstance(model_admin, kind))
        and (apps is None or model._meta.app_label in apps)
    ]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def build_records(tag, user):
    """One row of every inventory/workorders/audit model (plus the master data they need).

    Written directly: these tests look at admin pages, not at the posting rules.
    """
    category = WarehouseCategoryFactory(code=f"RAW-{tag}")
    warehouse = WarehouseFactory(code=f"WH-{tag}", category=category)
    location = LocationFactory(code=f"LOC-{tag}", warehouse=warehouse)
    workshop = WorkshopFactory(code=f"WS-{tag}")
    line = ProductionLineFactory(code=f"L-{tag}", workshop=workshop, line_side_location=location)
    material = MaterialFactory(
        code=f"MAT-{tag}", tracking=TrackingMode.SERIAL, warehouse_category=category
    )
    bom = BomLineFactory(bom__product=MaterialFactory(code=f"PRD-{tag}"), material=material).bom
    lot = Lot.objects.create(
        material=material,
        batch_no=f"B-{tag}",
        expiry_date=date(2030, 1, 1),
        supplier=SupplierFactory(code=f"SUP-{tag}"),
    )
    serial = Serial.objects.create(
        material=material, lot=lot, serial_no=f"SN-{tag}", location=location
    )
    work_order = WorkOrder.objects.create(
        number=f"WO-{tag}",
        product=bom.product,
        bom=bom,
        planned_qty=Decimal("10"),
        workshop=workshop,
        line=line,
    )
    WorkOrderLine.objects.create(
        work_order=work_order,
        material=material,
        qty_per_unit=Decimal("1"),
        loss_pct=Decimal("5"),
        required_qty=Decimal("10"),
        loss_allowance_qty=Decimal("0.5"),
    )
    LedgerEntry.objects.create(
        material=material,
        lot=lot,
        serial=serial,
        location=location,
        quantity=Decimal("1"),
        movement_type=MovementType.RECEIPT,
        work_order=work_order,
        doc_type="receipt",
        doc_id=f"GR-{tag}",
        doc_line=1,
        actor=user,
        device_id="HH-01",
    )
    StockBalance.objects.create(
        material=material, lot=lot, location=location, quantity=Decimal("1")
    )
    month = date(2020 + MonthEnd.objects.count(), 1, 1)  # unique per tag
    MonthEnd.objects.create(month=month, state="confirmed", confirmed_by=user)
    PostingPeriod.objects.create(month=month, state="locked", locked_by=user)
    MaterialIssue.objects.create(
        number=f"MI-{tag}",
        work_order=work_order,
        issued_by=user,
        is_borrowed=True,
        due_at=timezone.now(),
    )
    OutputReport.objects.create(
        work_order=work_order, good_qty=Decimal("5"), scrap_qty=Decimal("0"), reported_by=user
    )
    ExportJob.objects.create(
        kind=ExportKind.LEDGER,
        params={"lot": f"B-{tag}"},
        requested_by=user,
        language="en",
        state=ExportState.DONE,
        progress=100,
        row_count=1,
        file=f"exports/ledger-{tag}.xlsx",
    )
    return_request = ReturnRequest.objects.create(
        number=f"RT-{tag}",
        work_order=work_order,
        reason=ReasonCode.objects.filter(kind=RequestKind.RETURN).first(),
        applicant=user,
    )
    NonconformingRecord.objects.create(
        number=f"NC-{tag}",
        return_line=ReturnLine.objects.create(
            request=return_request, material=material, lot=lot, quantity=Decimal("1")
        ),
        return_request=return_request,
        work_order=work_order,
        applicant=user,
        material=material,
        lot=lot,
        problem="Spots",
    )
    RequestAttachment.objects.create(
        return_request=return_request,
        file=f"attachments/{tag}.pdf",
        original_name=f"report-{tag}.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=user,
    )
    ScrapDisposal.objects.create(
        number=f"SD-{tag}", workshop=workshop, route="regrind", applicant=user
    ).lines.create(position=1, material=material, lot=lot, location=location, quantity=1)
    audit_record(actor=user, device="HH-01", action="workorder.create", obj=work_order)
    alert_raise(
        kind=AlertKind.BORROW_OVERDUE,
        obj=MaterialIssue.objects.get(number=f"MI-{tag}"),
        params={"number": f"MI-{tag}", "work_order": f"WO-{tag}", "due_at": "2026-11-01 08:00"},
        users=[user],
    )
    notification_preferences_set(user=user, email_kinds=[])


@pytest.fixture(scope="module")
def shared_rows(django_db_setup, django_db_blocker):
    """The superuser and one row of every model, built once for this module's hundred-odd
    tests in a transaction rolled back after the last one (what ``TestCase.setUpTestData``
    does): each test runs in a savepoint inside it, so it still sees exactly these rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        superuser = get_user_model().objects.create_superuser(
            username="admin-pages", email="admin@example.com", password="pw-for-tests-1"
        )
        build_records("A", superuser)
        Group.objects.create(name="keepers")
        api_token_issue(name="HH-01", kind="device", user=superuser, actor=superuser)
        outbox_emit(topic="return.posted", payload={"number": "RT-1"})
        OutboxEvent.objects.create(  # a task waiting for the broker
            kind=OutboxKind.TASK,
            topic="core.tasks.outbox_deliver_task",
            payload={},
            last_error="down",
        )
        login_attempt_claim(username="Aguest", ip_address="10.0.0.1")
        approvals_records(superuser)
        yield superuser
        transaction.set_rollback(True)


@pytest.fixture
def superuser(db, shared_rows):
    return get_user_model().objects.get(pk=shared_rows.pk)


@pytest.fixture
def client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def records(shared_rows):
    """One row of every model (``shared_rows``)."""


def approvals_records(superuser):
    """A tier, a delegation and an open approval step (on a work order, for the page only)."""
    workshop = Workshop.objects.first()
    deputy = get_user_model().objects.create_user("deputy")
    TierAssignment.objects.create(user=superuser, tier=Tier.SUPERVISOR, workshop=workshop)
    Delegation.objects.create(
        principal=superuser, delegate=deputy, starts=date(2026, 1, 1), ends=date(2026, 1, 31)
    )
    approval_steps_open(
        request=WorkOrder.objects.first(),
        tiers=[Tier.SUPERVISOR],
        workshop=workshop,
        requester=deputy,
    )


def test_own_models_are_registered_and_chain_head_is_not():
    registry = admin.site._registry
    for label in (
        "materials.Warehouse",
        "inventory.LedgerEntry",
        "workorders.WorkOrder",
        "workorders.WorkOrderLine",
        "audit.AuditEvent",
    ):
        assert any(model._meta.label == label for model in registry), label
    assert ChainHead not in registry


@pytest.mark.parametrize("model", registered())
def test_changelist_opens(client, records, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model", [p for p in registered() if admin.site._registry[p.values[0]].search_fields]
)
def test_changelist_search_opens(client, records, model):
    response = client.get(admin_url(model, "changelist"), {"q": "A"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", registered())
def test_change_page_opens(client, records, model):
    obj = model._default_manager.first()
    assert obj is not None, "give this model a row in build_records"
    response = client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", registered(kind=AuditedModelAdmin))
def test_audited_admin_add_page_opens(client, model):
    response = client.get(admin_url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", registered(kind=ReadOnlyAdmin))
def test_read_only_admin_refuses_add(client, model):
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "add"), {}).status_code == 403


def test_work_order_page_shows_its_lines_read_only(client, records):
    work_order = WorkOrder.objects.get(number="WO-A")
    response = client.get(admin_url(WorkOrder, "change", work_order.pk))
    assert response.status_code == 200
    assert "MAT-A" in response.content.decode()
    (lines,) = response.context["inline_admin_formsets"]
    assert not (
        lines.has_add_permission or lines.has_change_permission or lines.has_delete_permission
    )


def test_admin_add_goes_through_audited_service(client):
    response = client.post(
        admin_url(WarehouseCategory, "add"),
        {"code": "SPARE", "name": "spare parts"},
        HTTP_X_DEVICE_ID="PC-7",
    )
    assert response.status_code == 302
    category = WarehouseCategory.objects.get(code="SPARE")
    event = AuditEvent.objects.get(action="warehousecategory.create", object_id=str(category.pk))
    assert event.actor_username == "admin-pages"
    assert event.device_id == "PC-7"


@pytest.mark.parametrize("model", registered(apps=OWN_APPS))
def test_changelist_queries_do_not_grow_with_rows(client, superuser, records, model):
    url = admin_url(model, "changelist")
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one_set:
        assert client.get(url).status_code == 200
    build_records("B", superuser)
    build_records("C", superuser)
    with CaptureQueriesContext(connection) as three_sets:
        assert client.get(url).status_code == 200
    assert len(three_sets) == len(one_set), "\n".join(q["sql"] for q in three_sets)
