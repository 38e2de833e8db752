"""Excel import of the material master and BOMs (R-M1, R-M3): all or nothing."""

from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from materials.importing.master import master_import
from materials.importing.messages import MasterImportError
from materials.models import ApprovalClass, Bom, BomLine, Material, TrackingMode
from tests.factories import LocationFactory, UserFactory, WorkshopFactory
from tests.materials import BOM_HEADER, MATERIAL_HEADER, SAMPLE, reference_data, workbook
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

SAMPLE_COUNTS = {
    "materials_created": 12,
    "materials_updated": 0,
    "materials_unchanged": 0,
    "boms_created": 2,
    "boms_replaced": 0,
    "boms_unchanged": 0,
    "suppliers_created": 7,
    "suppliers_updated": 0,
    "suppliers_unchanged": 0,
}


@pytest.fixture
def refs(db):
    reference_data()


def table_counts():
    return Material.objects.count(), Bom.objects.count(), BomLine.objects.count()


def import_errors(file, actor):
    with pytest.raises(MasterImportError) as caught:
        master_import(file=file, actor=actor)
    return caught.value


def cells(error):
    return {(e["sheet"], e["row"], e["column"]) for e in error.errors}


def test_sample_imports(refs, user):
    counts = master_import(file=SAMPLE, actor=user, device="PC-1")

    assert counts == SAMPLE_COUNTS
    glue = Material.objects.get(code="CH-GLUE-PU")
    assert (glue.uom.code, glue.category.code, glue.warehouse_category.code) == (
        "KG",
        "CHEM",
        "CHEM",
    )
    assert glue.approval_class == ApprovalClass.B  # from the category
    assert glue.standard_cost == Decimal("28.5")
    assert glue.daily_usage == Decimal("12.5")
    assert (glue.tracking, glue.shelf_life_days, glue.inspect_on_return) == (
        TrackingMode.BATCH,
        180,
        True,
    )
    assert (glue.lead_time_days, glue.emergency_purchase_days) == (10, 2)
    assert Material.objects.get(code="CH-POWDER-BK").inspect_on_return is True  # "是"
    assert Material.objects.get(code="PT-SCR-M6X30").standard_cost == Decimal("0.0625")
    assert Material.objects.get(code="PT-SCR-M6X30").gtin == "6901234567892"

    table = Bom.objects.get(product__code="FG-TABLE-01", version=1)
    lines = {line.material.code: (line.qty_per_unit, line.loss_pct) for line in table.lines.all()}
    assert lines == {
        "FE-PIPE-19": (Decimal("12.6"), Decimal("2.5")),
        "BD-E1-18": (Decimal("0.5"), Decimal("4")),
        "CH-GLUE-PU": (Decimal("0.125"), Decimal("5")),
        "CH-POWDER-BK": (Decimal("0.35"), Decimal("8")),
        "PT-SCR-M6X30": (Decimal("24"), Decimal("1")),
    }
    assert all(isinstance(qty, Decimal) for qty, _loss in lines.values())


def test_import_is_audited_once_with_counts(refs, user):
    master_import(file=SAMPLE, actor=user, device="PC-1")

    event = AuditEvent.objects.get(action="master.import")
    assert (event.object_type, event.object_id) == ("import", "master_sample.xlsx")
    assert (event.actor_username, event.device_id) == ("keeper1", "PC-1")
    assert event.after["materials_created"] == 12
    assert "FG-CHAIR-01 v1" in event.after["boms"]
    assert AuditEvent.objects.count() == 1


def test_reimport_is_idempotent(refs, user):
    master_import(file=SAMPLE, actor=user)
    before = table_counts()

    counts = master_import(file=SAMPLE, actor=user)

    assert counts == {
        "materials_created": 0,
        "materials_updated": 0,
        "materials_unchanged": 12,
        "boms_created": 0,
        "boms_replaced": 0,
        "boms_unchanged": 2,
        "suppliers_created": 0,
        "suppliers_updated": 0,
        "suppliers_unchanged": 7,
    }
    assert table_counts() == before


def test_reimport_updates_by_code_and_replaces_unused_bom(refs, user):
    master_import(file=SAMPLE, actor=user)
    changed = workbook(
        Materials=[MATERIAL_HEADER, ["PT-CAP-25", "End cap, grey", "PCS", "PART", "AUX", "0.09"]],
        BOM=[
            BOM_HEADER,
            ["FG-CHAIR-01", 1, "AL-TUBE-25", "4.25", 3],
            ["FG-CHAIR-01", 1, "PT-CAP-25", 4, None],
        ],
    )

    counts = master_import(file=changed, actor=user)

    assert (counts["materials_updated"], counts["boms_replaced"]) == (1, 1)
    cap = Material.objects.get(code="PT-CAP-25")
    assert (cap.name, cap.standard_cost) == ("End cap, grey", Decimal("0.09"))
    assert cap.daily_usage == Decimal("2000")  # column not in the sheet: kept
    chair = Bom.objects.get(product__code="FG-CHAIR-01", version=1)
    assert sorted(chair.lines.values_list("material__code", "qty_per_unit", "loss_pct")) == [
        ("AL-TUBE-25", Decimal("4.25"), Decimal("3")),
        ("PT-CAP-25", Decimal("4"), Decimal("0")),
    ]
    event = AuditEvent.objects.filter(action="master.import").first()
    assert event.before["materials"]["PT-CAP-25"]["standard_cost"] == "0.0800"
    assert event.after["materials"]["PT-CAP-25"]["standard_cost"] == "0.09"
    assert len(event.before["boms"]["FG-CHAIR-01 v1"]) == 6


def test_bad_cells_are_all_reported_and_nothing_is_written(refs, user):
    bad = workbook(
        Materials=[
            MATERIAL_HEADER + ["tracking", "inspect_on_return"],
            ["NEW-1", "fine material", "PCS", "PART", "AUX", "1.5", "none", "no"],
            ["NEW-2", "", "PCS", "PART", "AUX", "1.123456", "lots", "maybe"],
            ["NEW-1", "duplicate", "PCS", "PART", "AUX", "-1", "batch", "yes"],
        ],
        BOM=[
            BOM_HEADER,
            ["NEW-1", 1, "NEW-2", 2, 5],
            ["NEW-1", 1, "NEW-2", 3, 5],
            ["NEW-1", "v1", "GHOST", 0, 150],
        ],
    )

    error = import_errors(bad, user)

    assert cells(error) == {
        ("Materials", 3, "name"),
        ("Materials", 3, "standard_cost"),
        ("Materials", 3, "tracking"),
        ("Materials", 3, "inspect_on_return"),
        ("Materials", 4, "code"),
        ("Materials", 4, "standard_cost"),
        ("BOM", 3, "component"),
        ("BOM", 4, "version"),
        ("BOM", 4, "component"),
        ("BOM", 4, "qty_per_unit"),
        ("BOM", 4, "loss_pct"),
    }
    assert "BOM!R4 qty_per_unit: must be greater than zero" in error.messages
    assert "Materials!R3 standard_cost: at most 4 decimal places" in error.messages
    assert isinstance(error, ValidationError)
    assert table_counts() == (0, 0, 0)
    assert not AuditEvent.objects.exists()


def test_formula_cell_is_refused(refs, user):
    bad = workbook(Materials=[MATERIAL_HEADER, ["F-1", "formula", "PCS", "PART", "AUX", "=2*3"]])

    error = import_errors(bad, user)

    assert error.messages == ["Materials!R2 standard_cost: formulas are not allowed"]
    assert not Material.objects.exists()


def test_unknown_reference_codes_are_refused(refs, user):
    LocationFactory(code="RAW-01")
    bad = workbook(
        Materials=[
            MATERIAL_HEADER + ["default_location"],
            ["U-1", "unknown unit", "BOX", "PART", "AUX", 1, "RAW-01"],
            ["U-2", "unknown location", "PCS", "PART", "AUX", 1, "RAW-99"],
        ]
    )

    error = import_errors(bad, user)

    assert error.messages == [
        "Materials!R2 uom: unknown unit of measure “BOX”",
        "Materials!R3 default_location: unknown location “RAW-99”",
    ]
    assert not Material.objects.exists()


def test_header_problems_are_reported(refs, user):
    bad = workbook(Materials=[["code", "name", "uom", "colour", "name"], ["X", "x", "PCS"]])

    error = import_errors(bad, user)

    assert cells(error) == {
        ("Materials", 1, column) for column in ("colour", "name", "category", "warehouse_category")
    }


def test_decimal_places_follow_the_fields(refs, user):
    master_import(file=SAMPLE, actor=user)
    bad = workbook(BOM=[BOM_HEADER, ["FG-CHAIR-01", 2, "PT-CAP-25", "0.1234567", "1.005"]])

    error = import_errors(bad, user)

    assert error.messages == [
        "BOM!R2 qty_per_unit: at most 6 decimal places",
        "BOM!R2 loss_pct: at most 2 decimal places",
    ]


def test_bom_used_by_work_order_cannot_change(refs, user):
    master_import(file=SAMPLE, actor=user)
    bom = Bom.objects.get(product__code="FG-CHAIR-01", version=1)
    WorkOrder.objects.create(
        number="WO-1",
        product=bom.product,
        bom=bom,
        planned_qty=Decimal("10"),
        workshop=WorkshopFactory(),
    )
    lines_before = list(bom.lines.values_list("material__code", "qty_per_unit"))
    changed = workbook(BOM=[BOM_HEADER, ["FG-CHAIR-01", 1, "AL-TUBE-25", 5, 3]])

    error = import_errors(changed, user)

    assert cells(error) == {("BOM", 2, "version")}
    assert list(bom.lines.values_list("material__code", "qty_per_unit")) == lines_before
    # The same content again is no change: a used version may be re-imported unchanged.
    assert master_import(file=SAMPLE, actor=user)["boms_unchanged"] == 2


def test_file_problems_are_clear_errors(refs, user, settings):
    assert import_errors(BytesIO(b"not a zip"), user).messages == [
        "The file is not a valid Excel workbook (.xlsx)."
    ]
    assert import_errors(workbook(Sheet1=[["a"]]), user).messages == [
        "The workbook has none of the sheets “Materials”, “BOM” and “Suppliers”."
    ]
    settings.IMPORT_MAX_ROWS = 5
    assert import_errors(SAMPLE, user).messages == ["The file has more than 5 data rows."]


def test_command_imports_the_sample(refs, user):
    UserFactory(username="boss", is_superuser=True)
    out = StringIO()

    call_command("import_master", str(SAMPLE), stdout=out)

    assert "12 created" in out.getvalue()
    assert AuditEvent.objects.get(action="master.import").actor_username == "boss"


def test_command_prints_every_error_and_fails(refs, user, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(BOM=[BOM_HEADER, ["GHOST", 1, "PT-1", -1, 0]]).getvalue())
    err = StringIO()

    with pytest.raises(CommandError, match="3 errors"):
        call_command("import_master", str(path), "--user", "keeper1", stderr=err)

    assert err.getvalue().splitlines() == [
        "BOM!R2 product: unknown material “GHOST” (not in the database nor the Materials sheet)",
        "BOM!R2 component: unknown material “PT-1” (not in the database nor the Materials sheet)",
        "BOM!R2 qty_per_unit: must be greater than zero",
    ]
    assert not Bom.objects.exists()


def test_command_needs_a_user(refs, tmp_path):
    with pytest.raises(CommandError, match="superuser"):
        call_command("import_master", str(SAMPLE))
    with pytest.raises(CommandError, match="nobody"):
        call_command("import_master", str(SAMPLE), "--user", "nobody")
