"""Validation: what the workbook would write, every bad cell reported, nothing written."""

from collections import namedtuple
from dataclasses import dataclass, field
from decimal import Decimal

from audit.master_data import model_snapshot
from materials.importing.cells import (
    Column,
    Row,
    boolean_value,
    choice_parser,
    decimal_parser,
    gtin_value,
    header_check,
    integer_parser,
    lookup_parser,
    sheet_rows,
)
from materials.importing.messages import (
    BOM_IN_USE,
    BOM_SHEET,
    COMPONENT_IS_PRODUCT,
    DUPLICATE_COMPONENT,
    MATERIALS_SHEET,
    SUPPLIERS_SHEET,
    UNKNOWN_CATEGORY,
    UNKNOWN_LOCATION,
    UNKNOWN_MATERIAL,
    UNKNOWN_UOM,
    UNKNOWN_WAREHOUSE_CATEGORY,
    MasterImportError,
)
from materials.importing.records import coded_rows_plan, record_plan, row_clean
from materials.importing.suppliers import suppliers_plan
from materials.importing.workbook import cell_text
from materials.models import (
    ApprovalClass,
    Bom,
    Location,
    Material,
    MaterialCategory,
    TrackingMode,
    UnitOfMeasure,
    WarehouseCategory,
)

# Resolved from lookups, so full_clean() need not query them once per row.
MATERIAL_FOREIGN_KEYS = {"uom", "category", "warehouse_category", "default_location"}


@dataclass
class References:
    """Existing rows the workbook refers to, by code."""

    uoms: dict
    categories: dict
    warehouse_categories: dict
    locations: dict
    materials: dict


def references_load(sheets):
    materials, boms = sheets.get(MATERIALS_SHEET), sheets.get(BOM_SHEET)
    material_codes = (materials.texts("code") if materials else set()) | (
        boms.texts("product", "component") if boms else set()
    )
    location_codes = materials.texts("default_location") if materials else set()
    return References(
        uoms=UnitOfMeasure.objects.in_bulk(field_name="code"),
        categories=MaterialCategory.objects.in_bulk(field_name="code"),
        warehouse_categories=WarehouseCategory.objects.in_bulk(field_name="code"),
        locations=Location.objects.in_bulk(location_codes, field_name="code"),
        materials=Material.objects.in_bulk(material_codes, field_name="code"),
    )


def material_columns(refs):
    return {
        "code": Column(cell_text, required=True),
        "name": Column(cell_text, required=True),
        "specification": Column(cell_text, default=""),
        "uom": Column(lookup_parser(refs.uoms, UNKNOWN_UOM), required=True),
        "category": Column(lookup_parser(refs.categories, UNKNOWN_CATEGORY), required=True),
        "approval_class": Column(choice_parser(ApprovalClass.values)),
        "warehouse_category": Column(
            lookup_parser(refs.warehouse_categories, UNKNOWN_WAREHOUSE_CATEGORY), required=True
        ),
        "standard_cost": Column(decimal_parser(places=4, max_digits=14), default=Decimal(0)),
        "tracking": Column(choice_parser(TrackingMode.values), default=TrackingMode.NONE),
        "shelf_life_days": Column(integer_parser()),
        "inspect_on_return": Column(boolean_value, default=False),
        "default_location": Column(lookup_parser(refs.locations, UNKNOWN_LOCATION)),
        "gtin": Column(gtin_value, default=""),
        "lead_time_days": Column(integer_parser(), default=0),
        "emergency_purchase_days": Column(integer_parser(), default=0),
        "daily_usage": Column(decimal_parser(places=4, max_digits=16), default=Decimal(0)),
    }


def material_build(row, values, refs):
    """The new or existing material with the row's values set; columns not in the sheet keep
    their value. A blank approval class comes from the category (R-A1)."""
    instance = refs.materials.get(values.get("code")) or Material()
    before = model_snapshot(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    if values.get("approval_class") is None and values.get("category"):
        instance.approval_class = values["category"].approval_class
    exclude = row.bad_columns | MATERIAL_FOREIGN_KEYS
    if not instance.approval_class:  # left empty by a bad category: one error, not two
        exclude = exclude | {"approval_class"}
    row_clean(row, instance, exclude)
    return record_plan(row, instance, before)


def materials_plan(sheet, refs, errors):
    """Material code → RecordPlan for every row of the Materials sheet."""
    columns = material_columns(refs)
    return coded_rows_plan(
        sheet, columns, errors, lambda row, values: material_build(row, values, refs)
    )


BomLineValues = namedtuple("BomLineValues", "row qty_per_unit loss_pct")


@dataclass
class BomPlan:
    product: str
    version: int
    first_row: Row
    lines: dict = field(default_factory=dict)  # component code → BomLineValues
    existing: Bom | None = None

    @property
    def key(self):
        return f"{self.product} v{self.version}"

    def line_values(self):
        return sorted((code, line.qty_per_unit, line.loss_pct) for code, line in self.lines.items())

    def existing_values(self):
        return sorted(
            (line.material.code, line.qty_per_unit, line.loss_pct)
            for line in self.existing.lines.all()
        )

    @property
    def status(self):
        if self.existing is None:
            return "created"
        return "unchanged" if self.line_values() == self.existing_values() else "replaced"


def bom_columns(material_codes):
    known = {code: code for code in material_codes}
    return {
        "product": Column(lookup_parser(known, UNKNOWN_MATERIAL), required=True),
        "version": Column(integer_parser(minimum=1), required=True),
        "component": Column(lookup_parser(known, UNKNOWN_MATERIAL), required=True),
        "qty_per_unit": Column(
            decimal_parser(places=6, max_digits=16, positive=True), required=True
        ),
        "loss_pct": Column(decimal_parser(places=2, max_digits=5, maximum=100), default=Decimal(0)),
    }


def bom_line_add(plan, row, values):
    component = values["component"]
    if component == plan.product:
        row.error("component", COMPONENT_IS_PRODUCT)
    elif component in plan.lines:
        row.error("component", DUPLICATE_COMPONENT % {"row": plan.lines[component].row})
    else:
        plan.lines[component] = BomLineValues(
            row.number, values["qty_per_unit"], values["loss_pct"]
        )


def boms_plan(sheet, refs, material_codes, errors):
    """One BomPlan per (product, version) of the BOM sheet; products and components may be
    materials of the same workbook."""
    columns = bom_columns(set(refs.materials) | set(material_codes))
    if sheet is None or not header_check(sheet, columns, errors):
        return []
    plans = {}
    for row in sheet_rows(sheet, errors):
        values = row.read_all(columns, columns)
        if row.bad_columns:
            continue
        key = (values["product"], values["version"])
        plan = plans.setdefault(key, BomPlan(*key, first_row=row))
        bom_line_add(plan, row, values)
    boms_attach_existing(plans, refs)
    return list(plans.values())


def boms_attach_existing(plans, refs):
    """Find the versions that exist already (locked); one a work order uses is frozen (R-M3)."""
    products = {refs.materials[code].pk: code for code, _v in plans if code in refs.materials}
    boms = (
        Bom.objects.select_for_update()
        .filter(product_id__in=products)
        .prefetch_related("lines__material")
        .order_by("pk")
    )
    in_use = set(
        Bom.objects.filter(product_id__in=products, work_orders__isnull=False).values_list(
            "pk", flat=True
        )
    )
    for bom in boms:
        plan = plans.get((products[bom.product_id], bom.version))
        if plan is None:
            continue
        plan.existing = bom
        if bom.pk in in_use and plan.status != "unchanged":
            plan.first_row.error(
                "version", BOM_IN_USE % {"product": plan.product, "version": plan.version}
            )


def import_validate(sheets):
    errors = []
    refs = references_load(sheets)
    materials = materials_plan(sheets.get(MATERIALS_SHEET), refs, errors)
    boms = boms_plan(sheets.get(BOM_SHEET), refs, materials, errors)
    suppliers = suppliers_plan(sheets.get(SUPPLIERS_SHEET), errors)
    if errors:
        raise MasterImportError(errors)
    return refs, materials, boms, suppliers
