"""The month-end workbook as finance reads it (issue #16, item 4): returns and replenishments
in their own sections with subtotals and a labelled net line, quantities added up only
within one unit, every label in the file's language, printed landscape and one page wide
(checked through LibreOffice's PDF)."""

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from finance.month_end import month_end_compute
from tests.finance.test_month_end import month  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
SHEETS = 8  # Summary, three dimensions, responsible party, flagged, scrap, detail lines


@pytest.fixture
def written(month, tmp_path):  # noqa: F811 - the imported fixture
    """The month's workbook in English and in Chinese: ``{language: path}``."""
    month_end_compute(month=month)
    paths = {}
    for language in ("en", "zh-hans"):
        paths[language] = tmp_path / f"month-{language}.xlsx"
        with translation.override(language):
            call_command("month_end", "--month", f"{month:%Y-%m}", "--xlsx", str(paths[language]))
    return paths


def rows_of(sheet):
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def row_titled(rows, title):
    (found,) = [row for row in rows if row and row[0] == title]
    return found


def test_summary_has_sections_subtotals_per_unit_and_a_net_line(written):
    rows = rows_of(load_workbook(written["en"])["Summary"])
    titles = [row[0] for row in rows if row and row[0]]
    returns, replenishments = (
        titles.index("Returns (value back)"),
        titles.index("Replenishments (cost)"),
    )
    assert returns < titles.index("Returns subtotal") < replenishments
    assert replenishments < titles.index("Replenishments subtotal")
    assert titles[-1] == "Net cost (replenishments − returns)"
    assert row_titled(rows, "Returns subtotal")[4] == Decimal("231.25")
    assert row_titled(rows, "Replenishments subtotal")[4] == Decimal("790.00")
    assert row_titled(rows, "Net cost (replenishments − returns)")[4] == Decimal("558.75")
    # metres and pieces are never added together: one quantity subtotal per unit
    assert row_titled(rows, "Replenishments subtotal, in M")[2:5] == ("M", 40, Decimal("740"))
    assert row_titled(rows, "Replenishments subtotal, in PCS")[2:5] == ("PCS", 800, 50)
    assert row_titled(rows, "Returns subtotal, in M")[3] == Decimal("12.5")
    assert row_titled(rows, "Replenishments subtotal")[3] is None  # no mixed-unit quantity


def test_detail_lines_carry_document_date_work_order_lot_unit_reason_and_party(written):
    sheet = load_workbook(written["en"])["Detail lines"]
    rows = rows_of(sheet)
    assert rows[1][:12] == (
        "Document", "Posting date", "Work order", "Workshop", "Material", "Name", "Lot",
        "Quantity", "Unit", "Amount", "Reason", "Responsible party",
    )  # fmt: skip
    (scrap,) = [row for row in rows if row[0] == "RP-1"]
    assert scrap[7:12] == (40, "M", Decimal("740"), "Operator scrap", "production")
    assert scrap[1].minute is not None and scrap[2].startswith("WO")
    assert row_titled(rows, "Returns subtotal")[9] == Decimal("231.25")
    assert row_titled(rows, "Replenishments subtotal")[9] == Decimal("790")
    assert row_titled(rows, "Net cost (replenishments − returns)")[9] == Decimal("558.75")
    # the replenishments start on a page of their own, under the repeated header
    (page_break,) = sheet.row_breaks.brk
    assert rows[page_break.id][0] == "Replenishments (cost)"


def test_every_sheet_prints_landscape_one_page_wide_with_its_header(written):
    for sheet in load_workbook(written["en"]).worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        # fitToWidth left out is 1, the schema's default (XlsxWriter writes other values only)
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows in ("$1:$1", "$1:$2"), sheet.title


CJK = re.compile("[\u4e00-\u9fff]")


def test_the_chinese_file_is_labelled_in_chinese(written):
    workbook = load_workbook(written["zh-hans"])
    assert all(CJK.search(title) for title in workbook.sheetnames), workbook.sheetnames
    for sheet in workbook.worksheets:
        header = [
            cell.value for cell in sheet[2 if sheet["A1"].value and not sheet["B1"].value else 1]
        ]
        assert all(CJK.search(str(value)) for value in header if value), (sheet.title, header)
    rows = rows_of(workbook.worksheets[-1])
    (scrap,) = [row for row in rows if row[0] == "RP-1"]
    assert scrap[10] == "工废" and CJK.search(scrap[11]), scrap
    titles = [row[0] for row in rows if row and isinstance(row[0], str) and not row[1]]
    assert all(CJK.search(title) for title in titles), titles
    reasons = [row[0] for row in rows_of(workbook.worksheets[2])[1:-1]]
    assert {"节约余料", "工废", "料废"} <= set(reasons)


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height of every page, from the page objects' MediaBox (no PDF library in
    the lock): LibreOffice writes them uncompressed."""
    pages = re.findall(rb"/Type\s*/Page\b(?!s).*?/MediaBox\s*\[([^\]]*)\]", pdf, re.S)
    sizes = []
    for box in pages:
        x0, y0, x1, y1 = (float(n) for n in box.split())
        sizes.append((x1 - x0, y1 - y0))
    return sizes


@pytest.mark.soffice
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_libreoffice_prints_it_one_page_wide(written, tmp_path, language):
    subprocess.run(
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(written[language]),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pages = pdf_pages((tmp_path / f"month-{language}.pdf").read_bytes())
    assert all(width > height for width, height in pages), pages  # landscape
    # one page per sheet (all fit one page wide) and the detail's replenishment page
    assert len(pages) == SHEETS + 1, pages


def test_dimension_sheets_split_value_back_from_cost_and_name_their_keys(written):
    workbook = load_workbook(written["en"])
    parties = {row[0]: row[1:] for row in rows_of(workbook["By responsible party"])[1:]}
    assert parties["production"] == (Decimal("231.25"), Decimal("740"), Decimal("508.75"), 2)
    assert parties["supplier"] == (0, 50, 50, 0)
    assert parties["Total"] == (Decimal("231.25"), 790, Decimal("558.75"), 2)
    reasons = [row[0] for row in rows_of(workbook["By reason"])[1:-1]]
    assert sorted(reasons) == ["Material defect", "Operator scrap", "Saving / leftover"]
