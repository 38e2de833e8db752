"""What the master import reports: sheet names, limits, messages and the refusal (R-M1)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MATERIALS_SHEET = "Materials"
BOM_SHEET = "BOM"
SUPPLIERS_SHEET = "Suppliers"

NOT_XLSX = _("The file is not a valid Excel workbook (.xlsx).")
TOO_MANY_ROWS = _("The file has more than %(limit)d data rows.")
TOO_LARGE = _("The file is larger than %(limit)d MB.")
NO_SHEETS = _("The workbook has none of the sheets “Materials”, “BOM” and “Suppliers”.")
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
BAD_EMAIL = _("must be an e-mail address")
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

SUPPLIERS_SUMMARY = _(
    "Suppliers: %(suppliers_created)d created, %(suppliers_updated)d updated, "
    "%(suppliers_unchanged)d unchanged."
)


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
    return f"{SUMMARY % counts} {SUPPLIERS_SUMMARY % counts}"
