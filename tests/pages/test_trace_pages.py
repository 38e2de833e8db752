"""Traceability pages (R-L3): a lot's or serial's every movement, work orders and locations;
a work order's lots; the recall export."""

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import LedgerEntry, Lot, Serial
from inventory.services import stock_transfer
from materials.models import TrackingMode
from reports.models import ExportJob
from tests.builders import batch_material, location, receive, released_work_order
from tests.factories import MaterialFactory, WorkshopFactory
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def paint(admin):
    """Lot B1: 100 received at A, 30 issued to WO-1, 20 moved to B; lot B2 untouched."""
    material = batch_material(code="PAINT")
    shelf, other = location("A"), location("B")
    receive(material, shelf, 100, admin, batch_no="B1")
    receive(material, shelf, 50, admin, batch_no="B2")
    lot = Lot.objects.get(batch_no="B1")
    work_order = released_work_order(admin, components=[(material, "1", "0")])
    work_order_issue(
        work_order=work_order,
        actor=admin,
        lines=[IssueLine(material, Decimal(30), shelf, lot=lot)],
    )
    stock_transfer(
        material=material,
        from_location=shelf,
        to_location=other,
        quantity=20,
        lot=lot,
        actor=admin,
    )
    return lot


def trace(client, **params):
    return client.get(reverse("reports:trace"), params)


def test_a_lot_shows_every_movement_work_order_and_location(role_client, paint):
    response = trace(role_client("qc"), material="PAINT", lot="B1")
    assert response.status_code == 200
    expected = list(LedgerEntry.objects.filter(lot=paint).order_by("created_at", "id"))
    assert list(response.context["timeline"]) == expected and len(expected) == 4
    html = response.content.decode()
    assert all(f'data-entry="{entry.pk}"' in html for entry in expected)
    [row] = response.context["work_orders"]
    assert (row["work_order__number"], row["issued"]) == ("WO-1", 30)
    assert [(r["location__code"], r["on_hand"]) for r in response.context["locations"]] == [
        ("A", 50),
        ("B", 20),
    ]


def test_a_serial_number_is_traced(role_client, admin):
    scope = MaterialFactory(code="SCOPE", tracking=TrackingMode.SERIAL)
    receive(scope, location("A"), 2, admin, batch_no="L1", serials=["S1", "S2"])
    response = trace(role_client("keeper"), material="SCOPE", serial="S1")
    assert list(response.context["timeline"]) == list(
        LedgerEntry.objects.filter(serial=Serial.objects.get(serial_no="S1"))
    )


def test_unknown_lots_and_missing_subjects_are_explained(role_client, paint):
    client = role_client("keeper")
    assert (
        "No lot or serial number NOPE of material PAINT."
        in trace(client, material="PAINT", lot="NOPE").content.decode()
    )
    assert (
        "Give a batch number or a serial number."
        in trace(client, material="PAINT").content.decode()
    )


def test_tracing_is_for_plant_wide_roles(role_client, paint):
    client = role_client("clerk", workshops=[WorkshopFactory(code="W9")])
    assert trace(client, material="PAINT", lot="B1").status_code == 403


def test_recall_list_export_starts_a_job(role_client, paint):
    client = role_client("qc")
    response = client.post(
        reverse("reports:export_start"),
        {"kind": "recall", "material": "PAINT", "lot": "B1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 201
    job = ExportJob.objects.get()
    assert (job.kind, job.params) == ("recall", {"material": "PAINT", "lot": "B1"})


def test_a_work_order_lists_the_lots_it_consumed(role_client, paint):
    work_order = LedgerEntry.objects.get(movement_type="issue").work_order
    response = role_client("production_manager").get(
        reverse("reports:trace_work_order_lots", args=[work_order.pk])
    )
    assert [(r["lot__batch_no"], r["issued"]) for r in response.context["lots"]] == [("B1", 30)]
    outsider = role_client("team_leader", username="tl", workshops=[WorkshopFactory(code="W9")])
    url = reverse("reports:trace_work_order_lots", args=[work_order.pk])
    assert outsider.get(url).status_code == 404
