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
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField
from django.db.models.functions import Round, TruncSecond
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QTY_FORMAT = "#,##0.0000"
MONEY_FORMAT = "#,##0.00"
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
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


def local(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: show the factory's wall-clock time."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


class WallClock(TruncSecond):
    """``local`` done by the database for streamed rows: the moment in the active (site) time
    zone, to the second, naive. PostgreSQL converts with ``AT TIME ZONE`` and hands back a
    naive timestamp, so no row pays a time-zone conversion in Python (issue #17 item 4);
    SQLite converts in Django's registered function and its converter labels the result UTC,
    which is dropped here."""

    def __init__(self, expression, **extra):
        super().__init__(expression, tzinfo=timezone.get_current_timezone(), **extra)

    def convert_value(self, value, expression, connection):
        return value.replace(tzinfo=None) if value is not None and value.tzinfo else value


def money_rounded(expression) -> Round:
    """An amount rounded to the cent by the database (PostgreSQL's ROUND: half away from
    zero), not ``quantize``d row by row in Python."""
    return Round(expression, 2, output_field=DecimalField(max_digits=20, decimal_places=2))


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


def print_setup(sheet, header_rows: int = 1) -> None:
    """How finance prints (issue #16): landscape, one page wide (as many pages down as it
    takes), A4, the header rows repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{header_rows}"


def sheet_start(workbook, title, columns, heading: str | None = None):
    """A new sheet with its column widths, an optional bold title line, the bold header
    frozen under it and the print setup; returns the sheet and its number of header rows."""
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header_rows = 2 if heading else 1
    # A write-only sheet writes its properties with the first row: set them before it.
    sheet.freeze_panes = f"A{header_rows + 1}"
    print_setup(sheet, header_rows)
    if heading:
        sheet.append([cell(sheet, text_safe(heading), bold=True)])
    sheet.append([cell(sheet, text_safe(str(c.header)), bold=True) for c in columns])
    return sheet, header_rows


def page_break(sheet, after_row: int) -> None:
    """Start a new printed page after row ``after_row`` (1-based)."""
    sheet.row_breaks.append(Break(id=after_row))


def row_styled(sheet, columns, values, *, bold=False):
    """One row with its columns' number formats (for the few rows of a sectioned sheet:
    subtotals, section titles; streamed data rows reuse cells in ``sheet_write``)."""
    sheet.append(
        [
            cell(sheet, value_safe(value), number_format=c.number_format, bold=bold)
            for value, c in zip(values, columns, strict=False)
        ]
    )


def sheet_write(workbook, title, columns, rows):
    """Append a sheet; ``rows`` is any iterable of value tuples (streamed, not kept)."""
    sheet, _rows = sheet_start(workbook, title, columns)
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
