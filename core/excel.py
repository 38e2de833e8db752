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


def value_in(target, value):
    """``value`` as it goes into the row: bare, or in its column's styled cell."""
    if target is None:
        return value
    target.value = value
    return target


def sheet_write(workbook, title, columns, rows):
    """Append a sheet; ``rows`` is any iterable of value tuples (streamed, not kept)."""
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([cell(sheet, str(c.header), bold=True) for c in columns])
    # One styled cell per formatted column, reused row after row: openpyxl serialises a row
    # while it is appended, and styling a fresh cell per value cost half the export's time.
    formatted = [
        cell(sheet, None, number_format=c.number_format) if c.number_format else None
        for c in columns
    ]
    summed = [index for index, column in enumerate(columns) if column.total]
    totals = [Decimal(0)] * len(columns)
    count = 0
    for row in rows:
        count += 1
        sheet.append([value_in(c, value) for value, c in zip(row, formatted, strict=True)])
        for index in summed:
            if row[index] is not None:
                totals[index] += Decimal(row[index])
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
