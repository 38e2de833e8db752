"""The month-end workbook's "Scrap" sheet (R-D1, R-J1): the scrap disposals posted in the
month, by route and material, quantity with its unit and value at standard cost.

Rework moves material back to a workshop (nothing is lost), so its lines are listed under
their route but left out of the scrapped total.
"""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from core.excel import MONEY_FORMAT, QTY_FORMAT, Column, Workbook, row_styled, sheet_start
from core.formatting import label
from finance.models import MonthEnd
from returns.models import DisposalRoute, DisposalState, ScrapDisposalLine

ZERO = Decimal(0)
ROUTES = [route for route, _label in DisposalRoute.choices]


def month_scrap_rows(month_end: MonthEnd) -> list[dict[str, Any]]:
    """One row per route and material of the disposals posted in the month (by their
    posting date), quantities and values summed; routes in their fixed order."""
    month = month_end.month
    following = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    rows = (
        ScrapDisposalLine.objects.using(month_end._state.db)
        .filter(
            disposal__state=DisposalState.POSTED,
            disposal__posting_date__gte=month,
            disposal__posting_date__lt=following,
        )
        .values("disposal__route", "material__code", "material__name", "material__uom__code")
        .annotate(quantity=Sum("quantity"), value=Sum("value"))
        .order_by("material__code")
    )
    return sorted(rows, key=lambda row: ROUTES.index(row["disposal__route"]))


def scrap_rows(month_end: MonthEnd) -> Iterator[tuple[list[Any], bool]]:
    """The sheet's rows (values, bold): each route's lines and subtotal, then the total
    scrapped (the routes that destroy material)."""
    scrapped = ZERO
    route, subtotal = None, ZERO
    for row in month_scrap_rows(month_end):
        if row["disposal__route"] != route:
            if route is not None:
                yield [_("Subtotal"), None, None, None, None, subtotal], True
            route, subtotal = row["disposal__route"], ZERO
        subtotal += row["value"]
        if route != DisposalRoute.REWORK:
            scrapped += row["value"]
        yield (
            [
                label(DisposalRoute.choices, route),
                row["material__code"],
                row["material__name"],
                row["quantity"],
                row["material__uom__code"],
                row["value"],
            ],
            False,
        )
    if route is not None:
        yield [_("Subtotal"), None, None, None, None, subtotal], True
    yield [_("Scrapped in the month (without rework)"), None, None, None, None, scrapped], True


def scrap_sheet(workbook: Workbook, month_end: MonthEnd, heading: str) -> None:
    columns = [
        Column(_("Disposal route"), 34),
        Column(_("Material"), 16),
        Column(_("Name"), 28),
        Column(_("Quantity"), 14, QTY_FORMAT),
        Column(_("Unit"), 7),
        Column(_("Value"), 16, MONEY_FORMAT),
    ]
    sheet, _rows = sheet_start(workbook, _("Scrap"), columns, heading)
    for values, bold in scrap_rows(month_end):
        row_styled(sheet, columns, values, bold=bold)
