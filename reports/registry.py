"""The export kinds: for each, a form validating its parameters, a row estimate (decides
inline download or job) and a builder ``build(params, target, progress) -> rows written``."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from core.db import reader
from core.months import MonthField
from finance.models import MonthEnd
from finance.workbook import month_end_workbook
from reports.ledger import (
    LedgerExportForm,
    RecallForm,
    ledger_count,
    ledger_workbook,
    recall_count,
    recall_workbook,
)
from reports.models import ExportKind
from reports.sheets import Params, Progress, Target
from reports.supplier_quality_export import (
    SupplierQualityForm,
    scorecard_count,
    scorecard_workbook,
)
from reports.variance import VarianceForm, variance_count, variance_workbook

UNKNOWN_KIND = _("Unknown export kind %(kind)s.")
UNKNOWN_PARAMS = _("Unknown parameters: %(names)s.")
PARAMS_NOT_OBJECT = _("Parameters must be an object of names and values.")
NO_MONTH_END = _("Month %(month)s has no month-end summary yet.")


class MonthEndForm(forms.Form):
    month = MonthField(label=_("month"))

    def clean_month(self) -> MonthEnd:
        month = self.cleaned_data["month"]
        month_end = MonthEnd.objects.using(reader()).filter(month=month).first()
        if month_end is None:
            raise forms.ValidationError(NO_MONTH_END, params={"month": f"{month:%Y-%m}"})
        return month_end


def month_end_count(params: Params) -> int:
    month_end = params["month"]
    return month_end.lines.count() + month_end.documents.count()


def month_end_build(params: Params, target: Target, progress: Progress) -> int:
    """The month-end workbook is small (grouped rows): progress jumps to the end."""
    month_end_workbook(params["month"], target)
    progress.done = month_end_count(params)
    return progress.done


@dataclass(frozen=True)
class Export:
    form: type[forms.Form]
    estimate: Callable[[Params], int]
    build: Callable[[Params, Target, Progress], int]


EXPORTS = {
    ExportKind.LEDGER: Export(LedgerExportForm, ledger_count, ledger_workbook),
    ExportKind.RECALL: Export(RecallForm, recall_count, recall_workbook),
    ExportKind.VARIANCE: Export(VarianceForm, variance_count, variance_workbook),
    ExportKind.MONTH_END: Export(MonthEndForm, month_end_count, month_end_build),
    ExportKind.SUPPLIER_QUALITY: Export(SupplierQualityForm, scorecard_count, scorecard_workbook),
}


def export_for(kind: str) -> Export:
    if kind not in EXPORTS:
        raise ValidationError({"kind": ValidationError(UNKNOWN_KIND, params={"kind": kind})})
    return EXPORTS[kind]


def export_params_clean(kind: str, params: Any) -> Params:
    """Validated parameters (objects looked up) or ``ValidationError`` naming each field."""
    export = export_for(kind)
    if not isinstance(params, dict):
        raise ValidationError({"params": PARAMS_NOT_OBJECT})
    form = export.form(data=params)
    unknown = sorted(set(params) - set(form.fields))
    if unknown:
        raise ValidationError(
            {"params": ValidationError(UNKNOWN_PARAMS, params={"names": ", ".join(unknown)})}
        )
    if not form.is_valid():
        errors = form.errors.as_data()
        errors["params"] = errors.pop(NON_FIELD_ERRORS, [])
        raise ValidationError({name: found for name, found in errors.items() if found})
    return form.cleaned_data
