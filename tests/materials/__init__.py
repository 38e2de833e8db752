"""Helpers shared by the material import tests."""

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

from materials.models import ApprovalClass
from tests.factories import MaterialCategoryFactory, UomFactory, WarehouseCategoryFactory

SAMPLE = Path(__file__).resolve().parents[2] / "materials" / "samples" / "master_sample.xlsx"

UOMS = ["PCS", "M", "KG", "SET"]
CATEGORIES = {
    "ALU": ApprovalClass.A,
    "IRON": ApprovalClass.A,
    "BOARD": ApprovalClass.A,
    "SEMI": ApprovalClass.A,
    "FABRIC": ApprovalClass.B,
    "CARTON": ApprovalClass.B,
    "CHEM": ApprovalClass.B,
    "PART": ApprovalClass.C,
    "PACK": ApprovalClass.C,
    "FG": ApprovalClass.C,
}
WAREHOUSE_CATEGORIES = ["RAW", "AUX", "PACK", "CHEM", "SEMI", "FG"]

MATERIAL_HEADER = ["code", "name", "uom", "category", "warehouse_category", "standard_cost"]
BOM_HEADER = ["product", "version", "component", "qty_per_unit", "loss_pct"]


def reference_data():
    """The units and categories the sample workbook refers to."""
    for code in UOMS:
        UomFactory(code=code, name=code.lower())
    for code, approval_class in CATEGORIES.items():
        MaterialCategoryFactory(code=code, name=code.lower(), approval_class=approval_class)
    for code in WAREHOUSE_CATEGORIES:
        WarehouseCategoryFactory(code=code, name=code.lower())


def workbook(**sheets):
    """An .xlsx in memory; each keyword is a sheet name with its rows (header first)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    content = BytesIO()
    book.save(content)
    content.seek(0)
    return content
