"""Finance's month-end workbook (R-J1, R-J3): one sheet per view of the month."""

from django.db.models import Sum
from django.utils.translation import gettext as _

from core.db import reader
from core.excel import MONEY_FORMAT, QTY_FORMAT, Column, sheet_write, workbook_new


def grouped(month_end, *fields):
    return (
        month_end.lines.values(*fields)
        .annotate(qty=Sum("quantity"), amount=Sum("amount"))
        .order_by(*fields)
    )


def quantity_columns():
    return [
        Column(_("Quantity"), 16, QTY_FORMAT, total=True),
        Column(_("Amount"), 16, MONEY_FORMAT, total=True),
    ]


def by_dimension(workbook, month_end, title, field, header):
    columns = [Column(_("Kind"), 14), Column(header, 22), *quantity_columns()]
    rows = (
        (row["kind"], row[field] or "—", row["qty"], row["amount"])
        for row in grouped(month_end, "kind", field)
    )
    sheet_write(workbook, title, columns, rows)


def by_responsible_party(workbook, month_end):
    documents = (
        month_end.documents.values("responsible_party")
        .annotate(amount=Sum("amount"), points=Sum("points"))
        .order_by("responsible_party")
    )
    columns = [
        Column(_("Responsible party"), 22),
        Column(_("Amount"), 16, MONEY_FORMAT, True),
        Column(_("Penalty points"), 16, "#,##0", True),
    ]
    sheet_write(
        workbook,
        _("By responsible party"),
        columns,
        ((d["responsible_party"] or "—", d["amount"], d["points"]) for d in documents),
    )


def flagged(workbook, month_end):
    documents = month_end.documents.filter(flagged=True).select_related("workshop")
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
            for d in documents
        ),
    )


def detail(workbook, month_end):
    lines = month_end.lines.select_related("workshop", "material").order_by("id")
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
        for line in lines.iterator()
    )
    sheet_write(workbook, _("Detail lines"), columns, rows)


def month_end_workbook(month_end, target):
    """Write the workbook to ``target`` (a path or a binary file), read from the replica
    when there is one (``core.db.reader``): its lines and documents follow the month-end's
    database."""
    month_end = type(month_end).objects.using(reader()).get(pk=month_end.pk)
    workbook = workbook_new()
    by_dimension(workbook, month_end, _("By workshop"), "workshop__code", _("Workshop"))
    by_dimension(workbook, month_end, _("By reason"), "reason_code", _("Reason"))
    by_dimension(workbook, month_end, _("By class"), "approval_class", _("Approval class"))
    by_responsible_party(workbook, month_end)
    flagged(workbook, month_end)
    detail(workbook, month_end)
    workbook.save(target)
