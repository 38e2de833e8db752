"""Reading an uploaded workbook: size and row limits, the Materials, BOM and Suppliers
sheets."""

import os
import zipfile
from dataclasses import dataclass

import openpyxl
from django.conf import settings
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from materials.importing.messages import (
    BOM_SHEET,
    MATERIALS_SHEET,
    NO_SHEETS,
    NOT_XLSX,
    SUPPLIERS_SHEET,
    TOO_LARGE,
    TOO_MANY_ROWS,
    file_error,
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
    """The Materials, BOM and Suppliers sheets (names match case-insensitively)."""
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
        for name in (MATERIALS_SHEET, BOM_SHEET, SUPPLIERS_SHEET):
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
