"""What the ledger export writes cell by cell (issue #17 item 4): an empty value is no cell at
all (not an empty string), times are the active time zone's wall-clock time converted by the
database, amounts are rounded to the cent by the database; on PostgreSQL and SQLite alike."""

import re
import zipfile
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from inventory.models import LedgerEntry
from reports.ledger import ledger_workbook, recall_workbook
from reports.registry import export_params_clean
from tests.reports.conftest import body, column, opened

pytestmark = pytest.mark.django_db

CELL = re.compile(r'<c r="([A-Z]+)(\d+)"')


def built(builder, kind, params):
    target = BytesIO()
    builder(export_params_clean(kind, params), target)
    return target


def cells_written(target, sheet_number=1) -> dict[int, set[str]]:
    """Row number → the columns that have a cell in the file, read from the sheet's XML."""
    with zipfile.ZipFile(target) as archive:
        xml = archive.read(f"xl/worksheets/sheet{sheet_number}.xml").decode()
    written: dict[int, set[str]] = {}
    for letters, row in CELL.findall(xml):
        written.setdefault(int(row), set()).add(letters)
    return written


def test_empty_values_are_no_cells(floor):
    """The first entry, a receipt of lot T1, has no serial, work order, reason or device."""
    target = built(ledger_workbook, "ledger", {})
    sheet = opened(target)["Ledger"]
    headers = [c.value for c in sheet[1]]
    first = cells_written(target)[2]
    empty = {"Serial number", "Work order", "Reason", "Device"}
    assert {h for i, h in enumerate(headers) if chr(ord("A") + i) not in first} == empty
    # and where the recall's lots have no supplier, no cell either
    target = built(recall_workbook, "recall", {"work_order": "WO-1"})
    lots = opened(target)["Lots consumed"]
    supplier = column(lots, "Supplier")
    no_supplier = [i + 2 for i, r in enumerate(body(lots)) if r[supplier - 1] is None]
    assert no_supplier
    for row in no_supplier:
        assert chr(ord("A") + supplier - 1) not in cells_written(target, 2)[row]


@pytest.mark.parametrize("zone", [None, "America/New_York"])
def test_times_are_the_active_zones_wall_clock_to_the_second(floor, zone):
    """The site's zone by default; another active zone (with daylight saving) is followed."""
    entries = LedgerEntry.objects.order_by("created_at", "id")
    with timezone.override(ZoneInfo(zone)) if zone else timezone.override(None):
        target = built(ledger_workbook, "ledger", {})
        expected = [
            timezone.localtime(e.created_at).replace(tzinfo=None, microsecond=0) for e in entries
        ]
    sheet = opened(target)["Ledger"]
    shown = [r[column(sheet, "Time") - 1] for r in body(sheet)]
    assert shown == expected
    if zone:
        utc = [e.created_at.replace(tzinfo=None, microsecond=0) for e in entries]
        assert {a - b for a, b in zip(utc, shown, strict=True)} <= {
            timedelta(hours=4),
            timedelta(hours=5),
        }


def test_amounts_are_rounded_to_the_cent(floor):
    """A cost with four decimals: each row's amount is quantity × cost to the cent."""
    floor.tube.standard_cost = Decimal("0.3333")
    floor.tube.save(update_fields=["standard_cost"])
    sheet = opened(built(ledger_workbook, "ledger", {"material": "TUBE"}))["Ledger"]
    qty, amount = column(sheet, "Quantity"), column(sheet, "Amount")
    for row in body(sheet):
        exact = Decimal(str(row[qty - 1])) * Decimal("0.3333")
        rounded = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert Decimal(str(row[amount - 1])) == rounded, row
