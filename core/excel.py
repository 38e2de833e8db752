"""The one writer of every workbook and CSV the product hands out.

Excel as finance expects it: bold frozen header, column widths, number formats, autofilter
and a totals row. Written with XlsxWriter in constant-memory mode (a row leaves memory when
the next one starts, so large exports stay flat and fast: issue #17 item 4; openpyxl only
reads uploaded workbooks). Every value goes through ``value_safe`` first (issue #12): text
that a spreadsheet would run as a formula is neutralised and characters XML 1.0 forbids are
escaped, so a hostile batch number, device id or name can neither inject a formula nor make
the file unwritable.
"""

import csv
import io
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from os import PathLike
from typing import BinaryIO

import xlsxwriter
from django.db.models import DecimalField
from django.db.models.functions import Round, TruncSecond
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QTY_FORMAT = "#,##0.0000"
MONEY_FORMAT = "#,##0.00"
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
A4 = 9  # XlsxWriter's paper code
EXCEL_ROWS = 1_048_576  # the rows of one sheet: XlsxWriter ignores a write past the last
BOOK_OPTIONS = {
    "constant_memory": True,
    # Text stays text: value_safe has neutralised it, and XlsxWriter must not turn it back
    # into a formula, a link or a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # A date or time in a column without a number format (openpyxl showed those too).
    "default_date_format": "yyyy-mm-dd hh:mm:ss",
}
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


class Workbook:
    """A workbook being written: XlsxWriter streams it into a temporary file as its sheets
    fill (constant memory), ``save`` then copies the finished file to its target (callers
    name the target only at the end)."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by save()
        self.book = xlsxwriter.Workbook(self.file, BOOK_OPTIONS)
        self.formats: dict[tuple[str | None, bool], Format | None] = {}

    def format(self, number_format: str | None = None, bold: bool = False) -> Format | None:
        """One shared format per (number format, bold), as Excel keeps them."""
        key = (number_format, bold)
        if key not in self.formats:
            properties = {"num_format": number_format} if number_format else {}
            if bold:
                properties["bold"] = True
            self.formats[key] = self.book.add_format(properties) if properties else None
        return self.formats[key]

    def create_sheet(self, title: str) -> "Sheet":
        return Sheet(self, self.book.add_worksheet(title))

    def save(self, target: str | PathLike | BinaryIO) -> None:
        self.book.close()
        self.file.seek(0)
        if isinstance(target, str | PathLike):
            with open(target, "wb") as output:
                shutil.copyfileobj(self.file, output)
        else:
            shutil.copyfileobj(self.file, target)
        self.file.close()


class Sheet:
    """One worksheet written top to bottom, a row at a time (``append``)."""

    def __init__(self, workbook: Workbook, worksheet: Worksheet) -> None:
        self.workbook = workbook
        self.worksheet = worksheet
        self.row = 0  # the next row to write, 0-based
        self.breaks: list[int] = []

    def append(self, values: Iterable, formats: Sequence[Format | None] = ()) -> None:
        """The next row: ``values`` made safe, each with its format (none past the end of
        ``formats``); an empty value writes no cell."""
        for column, value in enumerate(values):
            if value is not None:
                fmt = formats[column] if column < len(formats) else None
                self.worksheet.write(self.row, column, value_safe(value), fmt)
        self.row += 1


def workbook_new() -> Workbook:
    return Workbook()


def print_setup(sheet: Sheet, header_rows: int = 1) -> None:
    """How finance prints (issue #16): landscape, one page wide (as many pages down as it
    takes), A4, the header rows repeated on every page."""
    sheet.worksheet.set_landscape()
    sheet.worksheet.set_paper(A4)
    sheet.worksheet.fit_to_pages(1, 0)
    sheet.worksheet.repeat_rows(0, header_rows - 1)


def sheet_start(workbook: Workbook, title, columns, heading: str | None = None):
    """A new sheet with its column widths, an optional bold title line, the bold header
    frozen under it and the print setup; returns the sheet and its number of header rows."""
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns):
        sheet.worksheet.set_column(index, index, column.width)
    header_rows = 2 if heading else 1
    sheet.worksheet.freeze_panes(header_rows, 0)
    print_setup(sheet, header_rows)
    bold = [workbook.format(bold=True)] * len(columns)
    if heading:
        sheet.append([heading], bold)
    sheet.append([str(c.header) for c in columns], bold)
    return sheet, header_rows


def page_break(sheet: Sheet, after_row: int) -> None:
    """Start a new printed page after row ``after_row`` (1-based)."""
    sheet.breaks.append(after_row)
    sheet.worksheet.set_h_pagebreaks(sheet.breaks)


def row_styled(sheet: Sheet, columns, values, *, bold=False):
    """One row with its columns' number formats (for the few rows of a sectioned sheet:
    subtotals, section titles)."""
    sheet.append(values, [sheet.workbook.format(c.number_format, bold) for c in columns])


def sheet_write(workbook: Workbook, title, columns, rows):
    """Append a sheet; ``rows`` is any iterable of value tuples (streamed, not kept)."""
    sheet, _rows = sheet_start(workbook, title, columns)
    formats = [workbook.format(c.number_format) for c in columns]
    summed = [index for index, column in enumerate(columns) if column.total]
    totals = [Decimal(0)] * len(columns)
    write = sheet.worksheet.write
    number = sheet.row
    # The hot loop of every export (100,000 rows × 16 values): Sheet.append inlined.
    for row in rows:
        for column, (value, fmt) in enumerate(zip(row, formats, strict=True)):
            if value is not None:
                write(number, column, value_safe(value), fmt)
        for index in summed:
            if row[index] is not None:
                totals[index] += Decimal(row[index])
        number += 1
    if number + bool(summed) > EXCEL_ROWS:  # rows were dropped: fail rather than cut the file
        raise ValueError(
            _("%(rows)s rows do not fit one sheet (%(limit)s at most): narrow the filters.")
            % {"rows": number - sheet.row, "limit": EXCEL_ROWS - sheet.row - bool(summed)}
        )
    count = number - sheet.row
    sheet.row = number
    sheet.worksheet.autofilter(0, 0, count, len(columns) - 1)
    if summed:
        total_row = [
            totals[i] if c.total else (_("Total") if i == 0 else None)
            for i, c in enumerate(columns)
        ]
        row_styled(sheet, columns, total_row, bold=True)
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
