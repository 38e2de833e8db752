"""Excel import of the material master (R-M1) and versioned BOMs (R-M3).

All or nothing: every row of both sheets is validated first and every bad cell is reported
(sheet, row, column, message); if there is any, nothing is written. Formulas are refused,
never evaluated. Numbers become ``Decimal`` through their text, never through float arithmetic.
"""

import os
import zipfile
from collections import namedtuple
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import openpyxl
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from audit.master_data import model_snapshot
from audit.services import audit_record
from inventory.models import Location, WarehouseCategory
from materials.models import (
    ApprovalClass,
    Bom,
    BomLine,
    Material,
    MaterialCategory,
    TrackingMode,
    UnitOfMeasure,
)

MATERIALS_SHEET = "Materials"
BOM_SHEET = "BOM"

NOT_XLSX = _("The file is not a valid Excel workbook (.xlsx).")
TOO_MANY_ROWS = _("The file has more than %(limit)d data rows.")
TOO_LARGE = _("The file is larger than %(limit)d MB.")
NO_SHEETS = _("The workbook has neither a “Materials” nor a “BOM” sheet.")
UNKNOWN_COLUMN = _("unknown column")
DUPLICATE_COLUMN = _("the column appears more than once")
MISSING_COLUMN = _("required column is missing")
FORMULA = _("formulas are not allowed")
REQUIRED = _("a value is required")
NOT_NUMBER = _("must be a number")
NOT_WHOLE = _("must be a whole number")
TOO_MANY_PLACES = _("at most %(places)d decimal places")
TOO_MANY_DIGITS = _("at most %(digits)d digits before the decimal point")
NOT_POSITIVE = _("must be greater than zero")
BELOW_MINIMUM = _("must be at least %(minimum)s")
ABOVE_MAXIMUM = _("must be at most %(maximum)s")
NOT_BOOLEAN = _("must be yes or no")
NOT_A_CHOICE = _("must be one of: %(choices)s")
BAD_GTIN = _("must be 8, 12, 13 or 14 digits (format the cell as text to keep leading zeros)")
UNKNOWN_UOM = _("unknown unit of measure “%(code)s”")
UNKNOWN_CATEGORY = _("unknown material category “%(code)s”")
UNKNOWN_WAREHOUSE_CATEGORY = _("unknown warehouse category “%(code)s”")
UNKNOWN_LOCATION = _("unknown location “%(code)s”")
UNKNOWN_MATERIAL = _("unknown material “%(code)s” (not in the database nor the Materials sheet)")
DUPLICATE_CODE = _("the same code is already in row %(row)d")
DUPLICATE_COMPONENT = _("the component is already listed for this BOM version in row %(row)d")
COMPONENT_IS_PRODUCT = _("a product cannot be its own component")
BOM_IN_USE = _(
    "BOM %(product)s version %(version)d is used by work orders and cannot be changed; "
    "import a new version instead"
)
SUMMARY = _(
    "Materials: %(materials_created)d created, %(materials_updated)d updated, "
    "%(materials_unchanged)d unchanged. BOMs: %(boms_created)d created, "
    "%(boms_replaced)d replaced, %(boms_unchanged)d unchanged."
)

# Errors openpyxl and zipfile raise on something that is not a well-formed .xlsx; XML parse
# errors (ElementTree's and lxml's) are SyntaxError subclasses.
UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    SyntaxError,
)
# Resolved from lookups, so full_clean() need not query them once per row.
MATERIAL_FOREIGN_KEYS = {"uom", "category", "warehouse_category", "default_location"}
BATCH_SIZE = 500
TRUE_WORDS = {"yes", "y", "true", "1", "是"}
FALSE_WORDS = {"no", "n", "false", "0", "否"}


class MasterImportError(ValidationError):
    """The import was refused; ``errors`` lists ``{sheet, row, column, message}`` dicts."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__([error_line(error) for error in errors])


def error_line(error):
    """``BOM!R7 qty_per_unit: must be greater than zero``; file-level errors are bare."""
    if not error["sheet"]:
        return error["message"]
    place = f"{error['sheet']}!R{error['row']}"
    if error["column"]:
        place = f"{place} {error['column']}"
    return f"{place}: {error['message']}"


def file_error(message, **params):
    return MasterImportError(
        [{"sheet": "", "row": None, "column": "", "message": str(message) % params}]
    )


def import_summary(counts):
    return SUMMARY % counts


# --- reading the workbook ---------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    header: list
    rows: list  # (row number, {column: raw value})

    def texts(self, *columns):
        """The distinct non-blank texts of ``columns``, e.g. every code referenced."""
        return {
            cell_text(values[column])
            for _number, values in self.rows
            for column in columns
            if not is_blank(values.get(column))
        }


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def is_formula(value):
    return isinstance(value, ArrayFormula | DataTableFormula) or (
        isinstance(value, str) and value.startswith("=")
    )


def cell_text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def sheet_read(worksheet, budget):
    """Header names (lower case) and the non-empty rows, refusing more than ``budget``."""
    rows = worksheet.iter_rows(values_only=True)
    header = [cell_text(value).lower() if value is not None else "" for value in next(rows, ())]
    data = []
    for number, values in enumerate(rows, start=2):
        if all(is_blank(value) for value in values):
            continue
        if len(data) >= budget:
            raise file_error(TOO_MANY_ROWS, limit=settings.IMPORT_MAX_ROWS)
        cells = zip(header, values, strict=False)  # rows may be shorter or longer
        data.append((number, {name: value for name, value in cells if name}))
    return Sheet(worksheet.title, header, data)


def upload_size_check(file):
    """Refuse a file, or a zip that unpacks to more, above ``IMPORT_MAX_MB`` (issue #7)."""
    limit = settings.IMPORT_MAX_MB * 1024 * 1024
    if isinstance(file, (str, os.PathLike)):
        size = os.path.getsize(file)
    else:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
    unpacked = 0
    if size <= limit and zipfile.is_zipfile(file):
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    if not isinstance(file, (str, os.PathLike)):
        file.seek(0)
    if size > limit or unpacked > limit * 10:
        raise file_error(TOO_LARGE, limit=settings.IMPORT_MAX_MB)


def workbook_read(file):
    """The Materials and BOM sheets (sheet names match case-insensitively)."""
    try:
        upload_size_check(file)
    except OSError as exc:
        raise file_error(NOT_XLSX) from exc
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=False)
    except UNREADABLE as exc:
        raise file_error(NOT_XLSX) from exc
    try:
        titles = {title.lower(): title for title in workbook.sheetnames}
        sheets, budget = {}, settings.IMPORT_MAX_ROWS
        for name in (MATERIALS_SHEET, BOM_SHEET):
            if name.lower() in titles:
                sheets[name] = sheet_read(workbook[titles[name.lower()]], budget)
                budget -= len(sheets[name].rows)
    except UNREADABLE as exc:
        raise file_error(NOT_XLSX) from exc
    finally:
        workbook.close()
    if not sheets:
        raise file_error(NO_SHEETS)
    return sheets


# --- cell parsers: each returns the value or raises CellError ---------------------------


class CellError(Exception):
    def __init__(self, message, **params):
        super().__init__(str(message) % params if params else str(message))
        self.message = self.args[0]


Column = namedtuple("Column", "parse required default", defaults=(False, None))


def decimal_value(value):
    if isinstance(value, bool):
        raise CellError(NOT_NUMBER)
    try:
        number = Decimal(str(value) if isinstance(value, int | float) else cell_text(value))
    except InvalidOperation as exc:
        raise CellError(NOT_NUMBER) from exc
    if not number.is_finite():
        raise CellError(NOT_NUMBER)
    return number


def decimal_parser(*, places, max_digits, positive=False, maximum=None):
    """A Decimal with at most ``places`` decimals fitting DecimalField(max_digits, places)."""

    def parse(value):
        number = decimal_value(value)
        if max(0, -number.normalize().as_tuple().exponent) > places:
            raise CellError(TOO_MANY_PLACES, places=places)
        if abs(number) >= 10 ** (max_digits - places):
            raise CellError(TOO_MANY_DIGITS, digits=max_digits - places)
        if positive and number <= 0:
            raise CellError(NOT_POSITIVE)
        range_check(number, 0, maximum)
        return number

    return parse


def integer_parser(*, minimum=0, maximum=2**31 - 1):
    def parse(value):
        number = decimal_value(value)
        if number != number.to_integral_value():
            raise CellError(NOT_WHOLE)
        range_check(number, minimum, maximum)
        return int(number)

    return parse


def range_check(number, minimum, maximum):
    if number < minimum:
        raise CellError(BELOW_MINIMUM, minimum=minimum)
    if maximum is not None and number > maximum:
        raise CellError(ABOVE_MAXIMUM, maximum=maximum)


def boolean_value(value):
    word = cell_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(NOT_BOOLEAN)


def choice_parser(choices):
    by_lower = {choice.lower(): choice for choice in choices}

    def parse(value):
        try:
            return by_lower[cell_text(value).lower()]
        except KeyError as exc:
            raise CellError(NOT_A_CHOICE, choices=", ".join(choices)) from exc

    return parse


def lookup_parser(mapping, message):
    """The row (or code) that ``mapping`` holds for the cell's code."""

    def parse(value):
        code = cell_text(value)
        if code not in mapping:
            raise CellError(message, code=code)
        return mapping[code]

    return parse


def gtin_value(value):
    text = cell_text(value)
    if not text.isdigit() or len(text) not in {8, 12, 13, 14}:
        raise CellError(BAD_GTIN)
    return text


# --- rows and headers -------------------------------------------------------------------


class Row:
    """One sheet row being validated; bad cells go to the shared ``errors`` list."""

    def __init__(self, sheet, number, values, errors):
        self.sheet, self.number, self.values, self.errors = sheet, number, values, errors
        self.bad_columns = set()

    def error(self, column, message):
        self.bad_columns.add(column)
        self.errors.append(
            {"sheet": self.sheet, "row": self.number, "column": column, "message": str(message)}
        )

    def read(self, column, spec):
        value = self.values.get(column)
        if is_blank(value):
            if spec.required:
                self.error(column, REQUIRED)
            return spec.default
        if is_formula(value):
            self.error(column, FORMULA)
            return None
        try:
            return spec.parse(value)
        except CellError as exc:
            self.error(column, exc.message)
            return None

    def read_all(self, columns, present):
        """Values of the ``present`` columns that parsed; bad ones are left out."""
        values = {name: self.read(name, columns[name]) for name in present}
        return {name: value for name, value in values.items() if name not in self.bad_columns}


def sheet_rows(sheet, errors):
    return [Row(sheet.name, number, values, errors) for number, values in sheet.rows]


def header_check(sheet, columns, errors):
    """Report unknown, repeated and missing columns; False when rows cannot be read."""
    header = Row(sheet.name, 1, {}, errors)
    seen = set()
    for name in filter(None, sheet.header):
        if name in seen:
            header.error(name, DUPLICATE_COLUMN)
        elif name not in columns:
            header.error(name, UNKNOWN_COLUMN)
        seen.add(name)
    for name, spec in columns.items():
        if spec.required and name not in seen:
            header.error(name, MISSING_COLUMN)
    return all(name in seen for name, spec in columns.items() if spec.required)


# --- validation: what would be written --------------------------------------------------


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


@dataclass
class MaterialPlan:
    instance: Material
    row: int
    is_new: bool
    before: dict = field(default_factory=dict)  # old values of the changed fields (attname)
    after: dict = field(default_factory=dict)

    @property
    def status(self):
        if self.is_new:
            return "created"
        return "updated" if self.after else "unchanged"


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
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            row.error("" if name == NON_FIELD_ERRORS else name, " ".join(messages))
    after = model_snapshot(instance)
    changed = [name for name in after if name != "updated_at" and after[name] != before[name]]
    return MaterialPlan(
        instance,
        row.number,
        instance.pk is None,
        {name: before[name] for name in changed},
        {name: after[name] for name in changed},
    )


def materials_plan(sheet, refs, errors):
    """Material code → MaterialPlan for every row of the Materials sheet."""
    columns = material_columns(refs)
    if sheet is None or not header_check(sheet, columns, errors):
        return {}
    present, plans = [name for name in columns if name in sheet.header], {}
    for row in sheet_rows(sheet, errors):
        values = row.read_all(columns, present)
        code = values.get("code")
        if code in plans:
            row.error("code", DUPLICATE_CODE % {"row": plans[code].row})
            continue
        plan = material_build(row, values, refs)
        if code:
            plans[code] = plan
    return plans


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
    if errors:
        raise MasterImportError(errors)
    return refs, materials, boms


# --- writing ----------------------------------------------------------------------------


def materials_write(plans):
    """Insert the new materials and update the changed ones."""
    new = [plan.instance for plan in plans if plan.status == "created"]
    changed = [plan.instance for plan in plans if plan.status == "updated"]
    fields = {name for plan in plans if plan.status == "updated" for name in plan.after}
    now = timezone.now()
    for instance in changed:
        instance.updated_at = now  # bulk_update does not apply auto_now
    Material.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Material.objects.bulk_update(changed, sorted(fields | {"updated_at"}), batch_size=BATCH_SIZE)


def boms_write(plans, materials):
    """Create the new versions and rewrite the lines of the replaced ones."""
    lines = []
    for plan in plans:
        bom = plan.existing or Bom(product=materials[plan.product], version=plan.version)
        if bom.pk:
            bom.lines.all().delete()
        bom.save()
        lines += [
            BomLine(
                bom=bom,
                material=materials[code],
                qty_per_unit=line.qty_per_unit,
                loss_pct=line.loss_pct,
            )
            for code, line in plan.lines.items()
        ]
    BomLine.objects.bulk_create(lines, batch_size=BATCH_SIZE)


def import_counts(material_plans, bom_plans):
    """``materials_created`` … ``boms_unchanged``: how many of each outcome."""
    materials = [plan.status for plan in material_plans]
    boms = [plan.status for plan in bom_plans]
    counts = {f"materials_{s}": materials.count(s) for s in ("created", "updated", "unchanged")}
    return counts | {f"boms_{s}": boms.count(s) for s in ("created", "replaced", "unchanged")}


def sheets_import(sheets, *, actor, device, name):
    """Validate everything, write, then audit once: counts plus every change's before/after."""
    refs, materials, boms = import_validate(sheets)
    counts = import_counts(materials.values(), boms)
    updated = [plan for plan in materials.values() if plan.status == "updated"]
    written = [plan for plan in boms if plan.status != "unchanged"]
    before = {
        "materials": {plan.instance.code: plan.before for plan in updated},
        "boms": {plan.key: plan.existing_values() for plan in written if plan.existing},
    }
    materials_write(materials.values())
    boms_write(written, {**refs.materials, **{c: p.instance for c, p in materials.items()}})
    after = {
        **counts,
        "created": [code for code, plan in materials.items() if plan.status == "created"],
        "materials": {plan.instance.code: plan.after for plan in updated},
        "boms": {plan.key: plan.line_values() for plan in written},
    }
    audit_record(
        actor=actor,
        device=device,
        action="master.import",
        object_type="import",
        object_id=name,
        before=before,
        after=after,
    )
    return counts


def file_name(file):
    name = getattr(file, "name", None) or (file if isinstance(file, str) else "")
    return os.path.basename(str(name))[:64] or "workbook.xlsx"


def master_import(*, file, actor, device=""):
    """Upsert materials by code and write BOM versions from an .xlsx (a path or file object).

    All or nothing: raises MasterImportError (a ValidationError) listing every bad cell and
    writes nothing, or writes everything in one transaction and returns the counts.
    """
    sheets = workbook_read(file)
    with transaction.atomic():
        return sheets_import(sheets, actor=actor, device=device, name=file_name(file))
