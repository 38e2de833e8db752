"""The month-end workbook's "Points and rewards" sheet (R-J3, R-J4): one row per workshop
and responsible department, as the table reads, then one row per team and person; penalties
negative, rewards positive; only entries (approved spot-check proposals included, pending
ones not) count."""

from django.utils.translation import gettext as _

from core.excel import Column, Workbook, row_styled, sheet_start
from core.formatting import label
from finance.models import MonthEnd
from finance.points.selectors import points_by_person, points_by_workshop
from returns.models import ResponsibleParty

POINTS_FORMAT = "#,##0;-#,##0"


def points_columns(first: str, second: str) -> list[Column]:
    return [
        Column(first, 14),
        Column(second, 22),
        Column(_("Penalty points"), 14, POINTS_FORMAT),
        Column(_("Reward points"), 14, POINTS_FORMAT),
        Column(_("Net points"), 14, POINTS_FORMAT),
        Column(_("Entries"), 10, "#,##0"),
        Column(_("For management to decide"), 18, "#,##0"),
    ]


NUMBERS = ("penalty", "reward", "net", "entries", "open_cells")


def section(sheet, columns, title: str, rows: list[tuple], header: list | None = None) -> None:
    """A titled block of rows (under its own column names when given) closed by its total
    line."""
    row_styled(sheet, columns, [title], bold=True)
    if header:
        row_styled(sheet, columns, header, bold=True)
    totals = [0] * len(NUMBERS)
    for row in rows:
        row_styled(sheet, columns, row)
        totals = [total + value for total, value in zip(totals, row[2:], strict=True)]
    row_styled(sheet, columns, [_("Total"), None, *totals], bold=True)
    sheet.append([])


def points_sheet(workbook: Workbook, month_end: MonthEnd) -> None:
    columns = points_columns(_("Workshop"), _("Responsible department"))
    title = _("Points and rewards %(month)s") % {"month": month_end}
    sheet, _rows = sheet_start(workbook, _("Points and rewards"), columns, title)
    by_workshop = [
        (
            row["workshop__code"] or "—",
            label(ResponsibleParty.choices, row["department"]),
            *(row[name] for name in NUMBERS),
        )
        for row in points_by_workshop(month_end.month)
    ]
    section(sheet, columns, _("By workshop and department"), by_workshop)
    by_person = [
        (
            row["workshop__code"] or "—",
            f"{row['team']} · {row['person__username']}"
            if row["team"]
            else row["person__username"],
            *(row[name] for name in NUMBERS),
        )
        for row in points_by_person(month_end.month)
    ]
    header = [_("Workshop"), _("Team · person"), *(str(c.header) for c in columns[2:])]
    section(sheet, columns, _("By team and person"), by_person, header)
