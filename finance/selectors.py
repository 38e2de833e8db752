"""Month-end figures (R-J1, R-J3), each computed here once: the pages, the API, the
workbook and the month's audit and ERP event all read them from these functions."""

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.fields import MONEY, QTY, MoneyField
from core.formatting import label
from core.months import month_bounds
from finance.models import MonthEnd, MonthEndDocument, MonthEndLine
from inventory.models import LedgerEntry
from returns.models import ReasonCode, RequestKind, ResponsibleParty

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


def month_end_flagged(month_end: MonthEnd) -> list[MonthEndDocument]:
    """Replenishments above the spot-check amount, for the GM office (R-J1), each with its
    reason's name (``reason_label``) beside the code."""
    labels = reason_labels()
    documents = list(month_end.documents.filter(flagged=True).select_related("workshop"))
    for document in documents:
        name = labels.get((document.kind, document.reason_code), ("",))[0]
        document.reason_label = f"{document.reason_code} · {name}" if name else document.reason_code
    return documents


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


def month_end_documents_by_kind(month_end: MonthEnd, field: str) -> dict[str, Any]:
    """Like ``month_end_by_kind`` over the month's documents, with penalty points: rows
    ``{key, return_amount, replenish_amount, points}`` and their ``total``."""
    table: dict[str, dict[str, Any]] = {}
    figures = ("return_amount", "replenish_amount", "points")
    total = dict.fromkeys(figures, ZERO)
    rows = (
        month_end.documents.values(field, "kind")
        .annotate(amount=Sum("amount"), points=Sum("points"))
        .order_by(field, "kind")
    )
    for row in rows:
        entry = table.setdefault(row[field], {"key": row[field], **dict.fromkeys(figures, ZERO)})
        for name, value in ((f"{row['kind']}_amount", row["amount"]), ("points", row["points"])):
            entry[name] += value
            total[name] += value
    return {"rows": list(table.values()), "total": total}


def month_end_materials(month_end: MonthEnd) -> QuerySet[MonthEndLine, dict]:
    """Quantity and amount per kind and material, with the material's unit: quantities
    are only ever added up within one unit of measure."""
    return month_end_grouped(
        month_end, "kind", "material__uom__code", "material__code", "material__name"
    )


def month_end_entries(month_end: MonthEnd, movement_type: str) -> QuerySet[LedgerEntry, tuple]:
    """The month's postings of one movement type, in posting order, for the workbook's
    detail lines (the month's ledger is locked once finance confirms it)."""
    start, end = (moment.date() for moment in month_bounds(month_end.month))
    return (
        LedgerEntry.objects.using(month_end._state.db)
        .filter(posting_date__gte=start, posting_date__lt=end, movement_type=movement_type)
        .order_by("created_at", "id")
        .values_list(
            "doc_id",
            "created_at",
            "work_order__number",
            "work_order__workshop__code",
            "material__code",
            "material__name",
            "lot__batch_no",
            "quantity",
            "material__uom__code",
            "material__standard_cost",
            "reason_code",
        )
    )


def reason_text(reason: ReasonCode) -> str:
    """The reason's name in the active language (its Chinese name where it has one)."""
    chinese = get_language() == "zh-hans" and reason.name_zh
    return reason.name_zh if chinese else reason.name


def reason_labels(using: str = "default") -> dict[tuple[str, str], tuple[str, str]]:
    """``(kind, code) → (reason text, responsible party label)`` for every reason code."""
    return {
        (reason.kind, reason.code): (
            reason_text(reason),
            label(ResponsibleParty.choices, reason.responsible_party),
        )
        for reason in ReasonCode.objects.using(using).all()
    }
