"""Month-end figures (R-J1, R-J3), each computed here once: the pages, the API, the
workbook and the month's audit and ERP event all read them from these functions."""

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.fields import MONEY, QTY, MoneyField
from finance.models import MonthEnd, MonthEndDocument, MonthEndLine
from returns.models import RequestKind, ResponsibleParty

ZERO = Decimal("0")
KIND_FIGURES = ("return_qty", "return_amount", "replenish_qty", "replenish_amount")
# The page's tables by dimension: (field, title, the dimension's column header).
DIMENSIONS = [
    ("workshop__code", _("By workshop"), _("Workshop")),
    ("reason_code", _("By reason"), _("Reason")),
    ("approval_class", _("By material class"), _("Approval class")),
]


def kind_amount(kind: str) -> Coalesce:
    return Coalesce(
        Sum("lines__amount", filter=Q(lines__kind=kind)),
        Value(ZERO),
        output_field=MoneyField(),
    )


def month_end_list() -> QuerySet[MonthEnd]:
    """Every month-end, newest first, with ``return_amount`` and ``replenish_amount``."""
    return (
        MonthEnd.objects.select_related("confirmed_by", "reopened_by")
        .annotate(
            return_amount=kind_amount(RequestKind.RETURN),
            replenish_amount=kind_amount(RequestKind.REPLENISH),
        )
        .order_by("-month")  # Meta.ordering does not apply to a GROUP BY query
    )


def month_end_grouped(month_end: MonthEnd, *fields: str) -> QuerySet[MonthEndLine, dict]:
    """The month's lines summed per ``fields``: rows ``{*fields, qty, amount}``."""
    return (
        month_end.lines.values(*fields)
        .annotate(qty=Sum("quantity"), amount=Sum("amount"))
        .order_by(*fields)
    )


def month_end_by_kind(month_end: MonthEnd, field: str) -> dict[str, Any]:
    """One row per ``field`` value with return and replenishment side by side
    (``{key, return_qty, return_amount, replenish_qty, replenish_amount}``), plus a totals
    row: ``{"rows": [...], "total": {...}}``."""
    table = {}
    total = dict.fromkeys(KIND_FIGURES, ZERO)
    for row in month_end_grouped(month_end, "kind", field):
        entry = table.setdefault(row[field], {"key": row[field], **dict.fromkeys(total, ZERO)})
        for name in ("qty", "amount"):
            entry[f"{row['kind']}_{name}"] += row[name]
            total[f"{row['kind']}_{name}"] += row[name]
    return {"rows": list(table.values()), "total": total}


def month_end_tables(month_end: MonthEnd) -> list[tuple[str, str, dict[str, Any]]]:
    """The page's ``(title, header, month_end_by_kind)`` per dimension."""
    return [
        (title, header, month_end_by_kind(month_end, field)) for field, title, header in DIMENSIONS
    ]


def month_end_responsible(month_end: MonthEnd) -> list[dict[str, Any]]:
    """Amount and penalty points per responsible party (R-J3): rows
    ``{responsible_party, label, amount, points}``."""
    labels = dict(ResponsibleParty.choices)
    rows = (
        month_end.documents.values("responsible_party")
        .annotate(amount=Sum("amount"), points=Sum("points"))
        .order_by("responsible_party")
    )
    return [{**row, "label": labels.get(row["responsible_party"], "—")} for row in rows]


def month_end_flagged(month_end: MonthEnd) -> QuerySet[MonthEndDocument]:
    """Replenishments above the spot-check amount, for the GM office (R-J1)."""
    return month_end.documents.filter(flagged=True).select_related("workshop")


def month_end_lines(month_end: MonthEnd) -> QuerySet[MonthEndLine]:
    return month_end.lines.select_related("workshop", "material").order_by("id")


def month_end_totals(month_end: MonthEnd) -> dict[str, dict[str, str]]:
    """Quantity and amount per kind as text (the audit event's and ERP event's payload)."""
    totals = month_end.lines.values("kind").annotate(qty=Sum("quantity"), amount=Sum("amount"))
    return {
        row["kind"]: {
            "quantity": str(Decimal(row["qty"]).quantize(QTY)),
            "amount": str(Decimal(row["amount"]).quantize(MONEY)),
        }
        for row in totals
    }
