"""Finance's month-end workbook (R-J1, R-J3): one sheet per view of the month."""

from typing import BinaryIO

from django.utils.translation import gettext as _

from core.db import reader
from core.excel import MONEY_FORMAT, QTY_FORMAT, Column, Workbook, sheet_write, workbook_new
from finance.models import MonthEnd
from finance.selectors import (
    month_end_flagged,
    month_end_grouped,
    month_end_lines,
    month_end_responsible,
)


def quantity_columns() -> list[Column]:
    return [
        Column(_("Quantity"), 16, QTY_FORMAT, total=True),
        Column(_("Amount"), 16, MONEY_FORMAT, total=True),
    ]


def by_dimension(
    workbook: Workbook, month_end: MonthEnd, title: str, field: str, header: str
) -> None:
    columns = [Column(_("Kind"), 14), Column(header, 22), *quantity_columns()]
    rows = (
        (row["kind"], row[field] or "—", row["qty"], row["amount"])
        for row in month_end_grouped(month_end, "kind", field)
    )
    sheet_write(workbook, title, columns, rows)


def by_responsible_party(workbook: Workbook, month_end: MonthEnd) -> None:
    columns = [
        Column(_("Responsible party"), 22),
        Column(_("Amount"), 16, MONEY_FORMAT, True),
        Column(_("Penalty points"), 16, "#,##0", True),
    ]
    sheet_write(
        workbook,
        _("By responsible party"),
        columns,
        (
            (row["responsible_party"] or "—", row["amount"], row["points"])
            for row in month_end_responsible(month_end)
        ),
    )


def flagged(workbook: Workbook, month_end: MonthEnd) -> None:
    columns = [
        Column(_("Number"), 18),
        Column(_("Workshop"), 14),
        Column(_("Reason"), 20),
        Column(_("Amount"), 16, MONEY_FORMAT, True),
    ]
    sheet_write(
        workbook,
        _("Flagged replenishments"),
        columns,
        (
            (d.number, d.workshop.code if d.workshop else "—", d.reason_code, d.amount)
            for d in month_end_flagged(month_end)
        ),
    )


def detail(workbook: Workbook, month_end: MonthEnd) -> None:
    columns = [
        Column(_("Kind"), 12),
        Column(_("Workshop"), 12),
        Column(_("Reason"), 20),
        Column(_("Responsible party"), 16),
        Column(_("Class"), 8),
        Column(_("Material"), 18),
        Column(_("Name"), 28),
        *quantity_columns(),
    ]
    rows = (
        (
            line.kind,
            line.workshop.code if line.workshop else "—",
            line.reason_code,
            line.responsible_party,
            line.approval_class,
            line.material.code,
            line.material.name,
            line.quantity,
            line.amount,
        )
        for line in month_end_lines(month_end).iterator()
    )
    sheet_write(workbook, _("Detail lines"), columns, rows)


def month_end_workbook(month_end: MonthEnd, target: str | BinaryIO) -> None:
    """Write the workbook to ``target`` (a path or a binary file), read from the replica
    when there is one (``core.db.reader``): its lines and documents follow the month-end's
    database."""
    month_end = MonthEnd.objects.using(reader()).get(pk=month_end.pk)
    workbook = workbook_new()
    by_dimension(workbook, month_end, _("By workshop"), "workshop__code", _("Workshop"))
    by_dimension(workbook, month_end, _("By reason"), "reason_code", _("Reason"))
    by_dimension(workbook, month_end, _("By class"), "approval_class", _("Approval class"))
    by_responsible_party(workbook, month_end)
    flagged(workbook, month_end)
    detail(workbook, month_end)
    workbook.save(target)
