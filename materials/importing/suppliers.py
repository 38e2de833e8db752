"""The "Suppliers" sheet (R-S1): suppliers upserted by code, like materials."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from audit.master_data import model_snapshot
from materials.importing.cells import CellError, Column, boolean_value
from materials.importing.messages import BAD_EMAIL
from materials.importing.records import coded_rows_plan, record_plan, row_clean
from materials.importing.workbook import cell_text
from materials.models import Supplier

# Sheet column → model field where the two differ (people read "e-mail" and "active").
FIELD_OF = {"e-mail": "email", "active": "is_active"}
COLUMN_OF = {field: column for column, field in FIELD_OF.items()}


def email_value(value):
    text = cell_text(value)
    try:
        validate_email(text)
    except ValidationError as exc:
        raise CellError(BAD_EMAIL) from exc
    return text


SUPPLIER_COLUMNS = {
    "code": Column(cell_text, required=True),
    "name": Column(cell_text, required=True),
    "contact": Column(cell_text, default=""),
    "phone": Column(cell_text, default=""),
    "e-mail": Column(email_value, default=""),
    "active": Column(boolean_value, default=True),
}


def supplier_build(row, values, existing):
    """The new or existing supplier with the row's values; columns not in the sheet keep
    their value, a new supplier is active unless the sheet says otherwise."""
    instance = existing.get(values.get("code")) or Supplier()
    before = model_snapshot(instance)
    for column, value in values.items():
        setattr(instance, FIELD_OF.get(column, column), value)
    exclude = {FIELD_OF.get(column, column) for column in row.bad_columns}
    row_clean(row, instance, exclude, COLUMN_OF)
    return record_plan(row, instance, before)


def suppliers_plan(sheet, errors):
    """Supplier code → RecordPlan for every row of the Suppliers sheet."""
    if sheet is None:
        return {}
    existing = Supplier.objects.select_for_update().in_bulk(sheet.texts("code"), field_name="code")
    return coded_rows_plan(
        sheet,
        SUPPLIER_COLUMNS,
        errors,
        lambda row, values: supplier_build(row, values, existing),
    )
