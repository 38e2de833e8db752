"""Every workbook the product exports, in English and in Chinese (issue #16): no cell shows a
number with more than 4 fraction digits, no code appears without its label, and every
header is in the file's language."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from finance.models import MonthEndState
from finance.month_end import month_end_compute
from inventory.models import MovementType
from inventory.services import Movement, ledger_post
from materials.models import LocationKind
from reports.registry import EXPORTS, export_params_clean
from reports.sheets import Progress
from returns.models import ReasonCode, RequestKind, ResponsibleParty
from workorders.models import WorkOrderStatus

pytestmark = pytest.mark.django_db
CHOICES = (
    RequestKind,
    ResponsibleParty,
    MovementType,
    WorkOrderStatus,
    LocationKind,
    MonthEndState,
)
CJK = re.compile("[\u4e00-\u9fff]")
FRACTION = re.compile(r"\.([0#?]+)")


@pytest.fixture
def exports(floor):
    """Each export kind with parameters that give it rows, a month-end included (two
    postings with reasons, so reasons and responsible parties show)."""
    for kind, reason, number, sign in (
        (MovementType.RETURN, "LEFTOVER", "RT-2", 1),
        (MovementType.REPLENISH, "OPERATOR_SCRAP", "RP-2", -1),
    ):
        ledger_post(
            movements=[Movement(floor.tube, floor.shelf, Decimal(sign), kind, lot=floor.t1)],
            doc_type=kind,
            doc_id=number,
            actor=floor.user,
            work_order=floor.wo1,
            reason_code=reason,
        )
    month_end_compute(month=timezone.localdate().replace(day=1))
    return [
        ("ledger", {}),
        ("recall", {"material": "TUBE", "lot": "T1"}),
        ("recall", {"material": "MOTOR", "serial": "SN1"}),
        ("recall", {"work_order": "WO-1"}),
        ("variance", {}),
        ("month_end", {"month": f"{timezone.localdate():%Y-%m}"}),
    ]


def built(kind, params, language):
    with translation.override(language):
        target = BytesIO()
        EXPORTS[kind].build(export_params_clean(kind, params), target, Progress())
        codes = raw_codes()
    target.seek(0)
    return load_workbook(target), codes


def raw_codes() -> set[str]:
    """Codes that would be shown raw: choice values, but those that are their own label in
    the active language (English "return"), and every reason code."""
    pairs = [(value, str(name)) for choices in CHOICES for value, name in choices.choices]
    own = {value for value, name in pairs if value == name}
    codes = {value for value, _name in pairs} - own
    return codes | set(ReasonCode.objects.values_list("code", flat=True))


def fraction_digits(number_format: str) -> int:
    found = FRACTION.search(number_format)
    return len(found.group(1)) if found else 0


def number_shown_ok(cell) -> bool:
    """At most 4 fraction digits shown: by the cell's format, or by the value itself
    where the format is General."""
    if cell.number_format == "General":
        exponent = Decimal(str(cell.value)).normalize().as_tuple().exponent
        return not isinstance(exponent, int) or -exponent <= 4
    return fraction_digits(cell.number_format) <= 4


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_export_shows_people_numbers_and_labels(exports, language):
    for kind, params in exports:
        workbook, codes = built(kind, params, language)
        for sheet in workbook.worksheets:
            header = 2 if sheet.print_title_rows == "$1:$2" else 1
            headers = [cell.value for cell in sheet[header] if cell.value]
            if language == "zh-hans":
                assert CJK.search(sheet.title), (kind, sheet.title)
                assert all(CJK.search(str(h)) for h in headers), (kind, sheet.title, headers)
            for row in sheet.iter_rows():
                for cell in row:
                    where = (kind, sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, int | float | Decimal):
                        assert number_shown_ok(cell), (*where, cell.number_format)
                    elif isinstance(cell.value, str):
                        assert cell.value not in codes, where
