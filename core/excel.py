"""Excel as finance expects it (openpyxl, write-only so large exports stay small in memory):
bold frozen header, column widths, number formats, autofilter and a totals row."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

QTY_FORMAT = "#,##0.0000"
MONEY_FORMAT = "#,##0.00"
BOLD = Font(bold=True)


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    number_format: str | None = None
    total: bool = False


def workbook_new():
    return Workbook(write_only=True)


def cell(sheet, value, *, number_format=None, bold=False):
    written = WriteOnlyCell(sheet, value=value)
    if number_format:
        written.number_format = number_format
    if bold:
        written.font = BOLD
    return written


def sheet_write(workbook, title, columns, rows):
    """Append a sheet; ``rows`` is any iterable of value tuples (streamed, not kept)."""
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([cell(sheet, str(c.header), bold=True) for c in columns])
    totals = [Decimal(0)] * len(columns)
    count = 0
    for row in rows:
        count += 1
        sheet.append(
            [
                cell(sheet, value, number_format=column.number_format)
                for value, column in zip(row, columns, strict=True)
            ]
        )
        for index, (value, column) in enumerate(zip(row, columns, strict=True)):
            if column.total and value is not None:
                totals[index] += Decimal(value)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    if any(c.total for c in columns):
        sheet.append(
            [
                cell(
                    sheet,
                    totals[i] if c.total else (_("Total") if i == 0 else None),
                    number_format=c.number_format,
                    bold=True,
                )
                for i, c in enumerate(columns)
            ]
        )
    return count
