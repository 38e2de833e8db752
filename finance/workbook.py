"""Finance's month-end workbook (R-J1, R-J3), built the way finance reads it (issue #16):
returns (value back) and replenishments (cost) in separate sections, each with its own
subtotal, then a net line that says what it is; quantities only added up within one unit
of measure; every kind, reason and responsible party as a label in the file's language;
printed landscape, one page wide, with the header rows repeated on every page."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from core.db import reader
from core.excel import (
    DATE_TIME_FORMAT,
    MONEY_FORMAT,
    QTY_FORMAT,
    Column,
    Workbook,
    local,
    page_break,
    row_styled,
    sheet_start,
    sheet_write,
    workbook_new,
)
from core.fields import MONEY
from core.formatting import label
from finance.models import MonthEnd, MonthEndState
from finance.scrap import scrap_sheet
from finance.selectors import (
    month_end_by_kind,
    month_end_documents_by_kind,
    month_end_entries,
    month_end_flagged,
    month_end_materials,
    reason_labels,
)
from inventory.models import MovementType
from materials.models import ApprovalClass
from returns.models import RequestKind, ResponsibleParty

ZERO = Decimal(0)
KINDS = (RequestKind.RETURN, RequestKind.REPLENISH)
# kind → (its ledger movement, the sign that shows it positive)
MOVEMENTS = {
    RequestKind.RETURN: (MovementType.RETURN, 1),
    RequestKind.REPLENISH: (MovementType.REPLENISH, -1),
}
AMOUNT = 9  # the detail sheet's amount column


def section_title(kind: str) -> str:
    return _("Returns (value back)") if kind == RequestKind.RETURN else _("Replenishments (cost)")


def subtotal_title(kind: str) -> str:
    return _("Returns subtotal") if kind == RequestKind.RETURN else _("Replenishments subtotal")


def net_title() -> str:
    return _("Net cost (replenishments − returns)")


def heading(month_end: MonthEnd) -> str:
    state = label(MonthEndState.choices, month_end.state)
    return _("Month-end %(month)s (%(state)s)") % {"month": month_end, "state": state}


def net_row(width: int, amounts: dict[str, Decimal], column: int) -> list[Any]:
    """The net line: replenishment cost less the value the returns gave back."""
    row: list[Any] = [None] * width
    row[0] = net_title()
    row[column] = amounts[RequestKind.REPLENISH] - amounts[RequestKind.RETURN]
    return row


def summary(workbook: Workbook, month_end: MonthEnd) -> None:
    """Per kind: one line per material with its unit, a quantity subtotal per unit, the
    amount subtotal; then the net line."""
    columns = [
        Column(_("Material"), 18),
        Column(_("Name"), 30),
        Column(_("Unit"), 8),
        Column(_("Quantity"), 16, QTY_FORMAT),
        Column(_("Amount"), 16, MONEY_FORMAT),
    ]
    sheet, _rows = sheet_start(workbook, _("Summary"), columns, heading(month_end))
    lines = defaultdict(list)
    for row in month_end_materials(month_end):
        lines[row["kind"]].append(row)
    amounts = {}
    for kind in KINDS:
        row_styled(sheet, columns, [section_title(kind)], bold=True)
        per_unit: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for row in lines[kind]:
            unit = row["material__uom__code"]
            values = [row["material__code"], row["material__name"], unit, row["qty"]]
            row_styled(sheet, columns, [*values, row["amount"]])
            per_unit[unit][0] += row["qty"]
            per_unit[unit][1] += row["amount"]
        for unit, (qty, amount) in sorted(per_unit.items()):
            title = _("%(subtotal)s, in %(unit)s") % {
                "subtotal": subtotal_title(kind),
                "unit": unit,
            }
            row_styled(sheet, columns, [title, None, unit, qty, amount])
        amounts[kind] = sum((amount for _qty, amount in per_unit.values()), ZERO)
        row_styled(
            sheet, columns, [subtotal_title(kind), None, None, None, amounts[kind]], bold=True
        )
        sheet.append([])
    row_styled(sheet, columns, net_row(len(columns), amounts, 4), bold=True)


def dimension_value(field: str, key: Any, reasons: dict) -> str:
    """A dimension's key as people read it: a reason with its name, a class with its
    description, a workshop by its code."""
    if field == "reason_code":
        for kind in KINDS:
            if (kind, key) in reasons:
                return reasons[(kind, key)][0]
    if field == "approval_class":
        return label(ApprovalClass.choices, key)
    return key or "—"


def amount_columns(header: str) -> list[Column]:
    return [
        Column(header, 34),
        Column(_("Returns (value back)"), 20, MONEY_FORMAT, total=True),
        Column(_("Replenishments (cost)"), 20, MONEY_FORMAT, total=True),
        Column(_("Net cost"), 20, MONEY_FORMAT, total=True),
    ]


def by_dimension(workbook: Workbook, month_end: MonthEnd, title: str, field: str, header: str):
    """Amounts only: a dimension mixes materials and so units, whose quantities do not add."""
    reasons = reason_labels(month_end._state.db)
    rows = (
        (
            dimension_value(field, row["key"], reasons),
            row["return_amount"],
            row["replenish_amount"],
            row["replenish_amount"] - row["return_amount"],
        )
        for row in month_end_by_kind(month_end, field)["rows"]
    )
    sheet_write(workbook, title, amount_columns(header), rows)


def by_responsible_party(workbook: Workbook, month_end: MonthEnd) -> None:
    columns = [
        *amount_columns(_("Responsible party")),
        Column(_("Penalty points"), 16, "#,##0", True),
    ]
    rows = (
        (
            label(ResponsibleParty.choices, row["key"]),
            row["return_amount"],
            row["replenish_amount"],
            row["replenish_amount"] - row["return_amount"],
            row["points"],
        )
        for row in month_end_documents_by_kind(month_end, "responsible_party")["rows"]
    )
    sheet_write(workbook, _("By responsible party"), columns, rows)


def flagged(workbook: Workbook, month_end: MonthEnd) -> None:
    columns = [
        Column(_("Document"), 18),
        Column(_("Workshop"), 12),
        Column(_("Reason"), 34),
        Column(_("Responsible party"), 18),
        Column(_("Amount"), 16, MONEY_FORMAT, True),
    ]
    reasons = reason_labels(month_end._state.db)
    rows = (
        (
            document.number,
            document.workshop.code if document.workshop else "—",
            reasons.get((document.kind, document.reason_code), (document.reason_code,))[0],
            label(ResponsibleParty.choices, document.responsible_party),
            document.amount,
        )
        for document in month_end_flagged(month_end)
    )
    sheet_write(workbook, _("Flagged replenishments"), columns, rows)


def detail_columns() -> list[Column]:
    return [
        Column(_("Document"), 16),
        Column(_("Posting date"), 17, DATE_TIME_FORMAT),
        Column(_("Work order"), 14),
        Column(_("Workshop"), 10),
        Column(_("Material"), 16),
        Column(_("Name"), 26),
        Column(_("Lot"), 14),
        Column(_("Quantity"), 14, QTY_FORMAT),
        Column(_("Unit"), 7),
        Column(_("Amount"), 14, MONEY_FORMAT),
        Column(_("Reason"), 30),
        Column(_("Responsible party"), 16),
    ]


def detail_rows(month_end: MonthEnd, kind: str, reasons: dict) -> Iterable[tuple]:
    """One row per posting of ``kind``, as a positive quantity with an amount at the
    material's standard cost (the month-end's own sign convention)."""
    movement, sign = MOVEMENTS[kind]
    for entry in month_end_entries(month_end, movement).iterator(chunk_size=2000):
        number, posted, work_order, workshop, code, name, lot, quantity, unit, cost, reason = entry
        reason_shown, party = reasons.get((kind, reason), (reason or "—", "—"))
        yield (
            number,
            local(posted),
            work_order or "—",
            workshop or "—",
            code,
            name,
            lot or "—",
            sign * quantity,
            unit,
            (sign * quantity * cost).quantize(MONEY),
            reason_shown,
            party,
        )


def detail(workbook: Workbook, month_end: MonthEnd) -> None:
    """Every posting, returns then replenishments, each section closed by its subtotal;
    the replenishments start on a new printed page (a section's total never lands on
    another section's page); the net line closes the sheet."""
    columns = detail_columns()
    sheet, written = sheet_start(workbook, _("Detail lines"), columns, heading(month_end))
    reasons = reason_labels(month_end._state.db)
    amounts = dict.fromkeys(KINDS, ZERO)
    for kind in KINDS:
        if kind == RequestKind.REPLENISH:
            page_break(sheet, written)
        row_styled(sheet, columns, [section_title(kind)], bold=True)
        written += 1
        for row in detail_rows(month_end, kind, reasons):
            row_styled(sheet, columns, row)
            amounts[kind] += row[AMOUNT]
            written += 1
        subtotal: list[Any] = [subtotal_title(kind), *[None] * (len(columns) - 1)]
        subtotal[AMOUNT] = amounts[kind]
        row_styled(sheet, columns, subtotal, bold=True)
        sheet.append([])
        written += 2
    row_styled(sheet, columns, net_row(len(columns), amounts, AMOUNT), bold=True)


def month_end_workbook(month_end: MonthEnd, target: str | BinaryIO) -> None:
    """Write the workbook to ``target`` (a path or a binary file), read from the replica
    when there is one (``core.db.reader``): its lines and documents follow the month-end's
    database."""
    month_end = MonthEnd.objects.using(reader()).get(pk=month_end.pk)
    workbook = workbook_new()
    summary(workbook, month_end)
    by_dimension(workbook, month_end, _("By workshop"), "workshop__code", _("Workshop"))
    by_dimension(workbook, month_end, _("By reason"), "reason_code", _("Reason"))
    by_dimension(workbook, month_end, _("By class"), "approval_class", _("Approval class"))
    by_responsible_party(workbook, month_end)
    flagged(workbook, month_end)
    scrap_sheet(workbook, month_end, heading(month_end))
    detail(workbook, month_end)
    workbook.save(target)
