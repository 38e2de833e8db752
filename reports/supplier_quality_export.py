"""The supplier quality scorecard as a workbook (#18 item 6): the same figures as the page,
one sheet each for the suppliers' totals, the materials, the lots and the claims."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.excel import MONEY_FORMAT, QTY_FORMAT, Column, workbook_new
from core.months import MonthField
from materials.models import Supplier
from reports.forms import code_field
from reports.sheets import PERCENT_FORMAT, Params, Progress, Target, sheet_add
from reports.supplier_claims import claim_columns, claim_row, claims_of
from reports.supplier_quality import SupplierTotal, lot_rows, material_rows, supplier_totals

UNKNOWN_SUPPLIER = _("Unknown supplier %(value)s.")


class SupplierQualityForm(forms.Form):
    month = MonthField(label=_("Month"), up_to_now=True)
    supplier = code_field(Supplier, "code", UNKNOWN_SUPPLIER, label=_("Supplier code"))


def figure_columns(received: str, unit_width: int = 7) -> list[Column]:
    """The figures every sheet but the claims shows, after what the row is about."""
    return [
        Column(_("Defect lines"), 10),
        Column(_("Defect quantity"), 14, QTY_FORMAT),
        Column(_("Unit"), unit_width),
        Column(_("Defect value"), 14, MONEY_FORMAT, total=True),
        Column(received, 16, QTY_FORMAT),
        Column(_("Defect % of received"), 12, PERCENT_FORMAT),
    ]


def total_columns() -> list[Column]:
    return [
        Column(_("Supplier"), 12),
        Column(_("Supplier name"), 28),
        *figure_columns(_("Received in the month"), unit_width=18),
    ]


def total_row(total: SupplierTotal) -> tuple:
    unit = total.unit or total.mixed
    return (
        total.code,
        total.name,
        total.lines,
        total.quantity,
        unit,
        total.value,
        total.received_quantity,
        total.rate,
    )


def breakdown_columns(*first: Column, received: str) -> list[Column]:
    return [
        Column(_("Supplier"), 12),
        Column(_("Material"), 18),
        Column(_("Name"), 28),
        *first,
        *figure_columns(received),
    ]


def breakdown_row(row: dict, *first) -> tuple:
    return (
        row["lot__supplier__code"],
        row["material__code"],
        row["material__name"],
        *first,
        row["lines"],
        row["quantity"],
        row["material__uom__code"],
        row["value"],
        row["received"],
        row["rate"],
    )


def scorecard_count(params: Params) -> int:
    month, supplier = params["month"], params.get("supplier")
    return len(supplier_totals(month, supplier)) + 2 * len(material_rows(month, supplier))


def scorecard_workbook(params: Params, target: Target, progress: Progress | None = None) -> int:
    progress = progress or Progress()
    month, supplier = params["month"], params.get("supplier")
    code = supplier.code if supplier else None
    workbook = workbook_new()
    sheets = [
        (_("Suppliers"), total_columns(), map(total_row, supplier_totals(month, supplier))),
        (
            _("By material"),
            breakdown_columns(received=_("Received in the month")),
            (breakdown_row(row) for row in material_rows(month, supplier)),
        ),
        (
            _("By lot"),
            breakdown_columns(Column(_("Lot"), 16), received=_("Received into the lot")),
            (breakdown_row(row, row["lot__batch_no"]) for row in lot_rows(month, supplier)),
        ),
        (_("Claims"), claim_columns(), map(claim_row, claims_of(month, code))),
    ]
    for title, columns, rows in sheets:
        sheet_add(workbook, title, columns, rows, params=params, progress=progress)
    workbook.save(target)
    return progress.done
