"""Work-order consumption variance for finance (R-W2, R-W4): per requirement line, what the
BOM required against what the line really took from the warehouse.

consumed = issued − returned + replenished (``workorders.selectors``, the ledger alone);
variance = consumed − required, in quantity, in % of required and in money at the
material's standard cost; a line is over allowance when its variance exceeds the BOM's
normal-loss allowance. A leftover declared consumed (R-W6) is over-quota consumption: its
quantity has its own column (already inside consumed).
"""

from datetime import timedelta
from decimal import Decimal
from itertools import islice

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.db import reader
from core.excel import MONEY_FORMAT, QTY_FORMAT, Column, workbook_new
from core.fields import MONEY
from org.models import Workshop
from reports.forms import DateRangeForm, code_field, day_start
from reports.ledger import UNKNOWN_WORK_ORDER
from reports.sheets import PERCENT_FORMAT, Params, Progress, Target, sheet_add
from workorders.closeout import percent
from workorders.models import WorkOrder, WorkOrderLine, WorkOrderStatus
from workorders.selectors import declared_quantities, line_progress, material_totals

CHUNK = 1000
ZERO = Decimal("0")
UNKNOWN_WORKSHOP = _("Unknown workshop %(value)s.")


class VarianceForm(DateRangeForm):
    work_order = code_field(WorkOrder, "number", UNKNOWN_WORK_ORDER, label=_("work order"))
    workshop = code_field(Workshop, "code", UNKNOWN_WORKSHOP, label=_("workshop"))
    status = forms.ChoiceField(
        label=_("status"), choices=[("", "—"), *WorkOrderStatus.choices], required=False
    )
    completed_from = forms.DateField(label=_("completed from"), required=False)
    completed_to = forms.DateField(label=_("completed to (inclusive)"), required=False)

    date_range = ("completed_from", "completed_to")


def variance_lines(params: Params) -> QuerySet[WorkOrderLine]:
    lines = WorkOrderLine.objects.using(reader())
    for name in ("work_order", "workshop", "status"):
        if params.get(name):
            key = name if name == "work_order" else f"work_order__{name}"
            lines = lines.filter(**{key: params[name]})
    if params.get("completed_from"):
        lines = lines.filter(work_order__completed_at__gte=day_start(params["completed_from"]))
    if params.get("completed_to"):
        end = day_start(params["completed_to"] + timedelta(days=1))
        lines = lines.filter(work_order__completed_at__lt=end)
    return lines


def variance_columns():
    return [
        Column(_("Work order"), 16),
        Column(_("Workshop"), 12),
        Column(_("Status"), 14),
        Column(_("Material"), 18),
        Column(_("Name"), 28),
        # quantities of many materials: shown with their unit, never totalled
        Column(_("Unit"), 7),
        Column(_("Required"), 14, QTY_FORMAT),
        Column(_("Loss allowance"), 14, QTY_FORMAT),
        Column(_("Issued"), 14, QTY_FORMAT),
        Column(_("Returned"), 14, QTY_FORMAT),
        Column(_("Replenished"), 14, QTY_FORMAT),
        Column(_("Consumed"), 14, QTY_FORMAT),
        Column(_("Variance"), 14, QTY_FORMAT),
        Column(_("Variance %"), 12, PERCENT_FORMAT),
        Column(_("Variance amount"), 16, MONEY_FORMAT, total=True),
        Column(_("Over allowance"), 14),
        Column(_("Declared consumed (over quota)"), 16, QTY_FORMAT),
    ]


def variance_row(line, totals, declared):
    counts = line_progress(line, totals)
    variance = counts["consumed"] - line.required_qty
    return (
        line.work_order.number,
        line.work_order.workshop.code,
        line.work_order.get_status_display(),
        line.material.code,
        line.material.name,
        line.material.uom.code,
        line.required_qty,
        line.loss_allowance_qty,
        counts["issued"],
        counts["returned"],
        counts["replenished"],
        counts["consumed"],
        variance,
        percent(variance, line.required_qty),
        (variance * line.material.standard_cost).quantize(MONEY),
        str(_("yes") if variance > line.loss_allowance_qty else _("no")),
        declared.get((line.work_order_id, line.material_id), ZERO),
    )


def variance_rows(lines):
    """Streamed in chunks: one ledger aggregation per chunk of lines, not per line."""
    lines = lines.select_related("work_order__workshop", "material__uom").order_by(
        "work_order__number", "id"
    )
    stream = lines.iterator(chunk_size=CHUNK)
    while chunk := list(islice(stream, CHUNK)):
        ids = {line.work_order_id for line in chunk}
        totals = material_totals(ids, using=lines.db)
        declared = declared_quantities(ids, using=lines.db)
        yield from (variance_row(line, totals, declared) for line in chunk)


def variance_count(params: Params) -> int:
    return variance_lines(params).count()


def variance_workbook(params: Params, target: Target, progress: Progress | None = None) -> int:
    progress = progress or Progress()
    workbook = workbook_new()
    rows = variance_rows(variance_lines(params))
    title = _("Consumption variance")
    sheet_add(workbook, title, variance_columns(), rows, params=params, progress=progress)
    workbook.save(target)
    return progress.done
