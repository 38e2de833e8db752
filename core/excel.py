"""The one writer of every workbook and CSV the product hands out.

Excel as finance expects it (openpyxl, write-only so large exports stay small in memory):
bold frozen header, column widths, number formats, autofilter and a totals row. Every value
goes through ``value_safe`` first (issue #12): text that a spreadsheet would run as a formula
is neutralised and characters XML 1.0 forbids are escaped, so a hostile batch number, device
id or name can neither inject a formula nor make the file unwritable.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QTY_FORMAT = "#,##0.0000"
MONEY_FORMAT = "#,##0.00"
BOLD = Font(bold=True)
# OWASP CSV injection: a cell starting with one of these is a formula to Excel, LibreOffice
# or Google Sheets (on opening a CSV, or once an xlsx cell is edited); a leading ' makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 does not allow (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF):
# wider than openpyxl's ILLEGAL_CHARACTERS_RE, which writes U+FFFE into a file that then no
# longer opens. One such character in a ledger row used to fail every export including it.
XML_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def char_escaped(match: re.Match) -> str:
    """A forbidden character shown as its escape (``\\x0b``), not dropped: auditors and
    finance still see that the stored value held it."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text_safe(text: str) -> str:
    """Text as it may go into a cell: forbidden characters escaped first (so ``\\x0b=1``
    cannot turn into a formula), then a formula start prefixed with ``'``."""
    text = XML_FORBIDDEN.sub(char_escaped, text)
    return "'" + text if text.startswith(FORMULA_START) else text


def value_safe(value):
    """Text neutralised; numbers, dates and empty cells untouched (a negative quantity
    stays a number, never a text starting with ``-``)."""
    if isinstance(value, str | Promise):
        return text_safe(str(value))
    return value


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    number_format: str | None = None
    total: bool = False


def workbook_new() -> Workbook:
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
    sheet.append([cell(sheet, text_safe(str(c.header)), bold=True) for c in columns])
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
        sheet.append(
            [value_in(c, value_safe(value)) for value, c in zip(row, formatted, strict=True)]
        )
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


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text, header first, one row at a time so large exports stream; values go
    through the same ``value_safe`` as the workbooks'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(row: Iterable) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([value_safe(value) for value in row])
        return buffer.getvalue()

    yield "\ufeff" + line(header)  # BOM: Excel then reads UTF-8 (Chinese) right
    for row in rows:
        yield line(row)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A finished workbook as a download."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
