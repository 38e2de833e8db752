"""Finance pages (R-J1, R-J3): month-end summaries, (re)compute, confirm, the workbook, and
the exports page whose long jobs show a progress bar (htmx polls the job every second)."""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import StateConflict
from reports import services as exports
from reports.ledger import LedgerExportForm
from reports.models import ExportJob, ExportKind
from returns.models import MonthEnd, RequestKind, ResponsibleParty
from returns.month_end import month_end_compute, month_end_confirm, previous_month
from returns.reports import grouped, month_end_workbook

VIEW_MONTH = "returns.view_monthend"
CONFIRM_MONTH = "returns.confirm_month"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZERO = Decimal("0")
# No ledger predates it; year 1 and year 9999 would also overflow the month's time bounds.
FIRST_MONTH = date(2000, 1, 1)
MONTH_RANGE = gettext_lazy("Give a month from %(first)s up to the current one.")


class MonthForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def clean_month(self):
        try:
            month = datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()
        except ValueError as error:
            raise forms.ValidationError(gettext_lazy("Give the month as YYYY-MM.")) from error
        if not FIRST_MONTH <= month <= timezone.localdate():
            raise forms.ValidationError(MONTH_RANGE, params={"first": f"{FIRST_MONTH:%Y-%m}"})
        return month


# ---------------------------------------------------------------------------- month-end


@login_required
@permission_required(VIEW_MONTH, raise_exception=True)
def month_end_list(request):
    month_ends = MonthEnd.objects.select_related("confirmed_by")
    totals = defaultdict(dict)
    rows = (
        MonthEnd.objects.values("pk", "lines__kind")
        .annotate(amount=Sum("lines__amount"))
        .order_by()
    )
    for row in rows:
        totals[row["pk"]][row["lines__kind"]] = row["amount"]
    for month_end in month_ends:
        month_end.return_amount = totals[month_end.pk].get(RequestKind.RETURN, ZERO)
        month_end.replenish_amount = totals[month_end.pk].get(RequestKind.REPLENISH, ZERO)
    form = MonthForm(initial={"month": f"{previous_month():%Y-%m}"})
    return render(
        request,
        "returns/month_end_list.html",
        {
            "month_ends": month_ends,
            "form": form,
            "can_manage": request.user.has_perm(CONFIRM_MONTH),
        },
    )


def by_kind(rows, field):
    """Group rows ``{kind, field, qty, amount}`` into one row per ``field`` value with
    return and replenishment side by side, plus a totals row."""
    table = {}
    total = {
        "return_qty": ZERO,
        "return_amount": ZERO,
        "replenish_qty": ZERO,
        "replenish_amount": ZERO,
    }
    for row in rows:
        entry = table.setdefault(row[field], {"key": row[field], **dict.fromkeys(total, ZERO)})
        for name in ("qty", "amount"):
            entry[f"{row['kind']}_{name}"] += row[name]
            total[f"{row['kind']}_{name}"] += row[name]
    return {"rows": list(table.values()), "total": total}


def responsible_rows(month_end):
    labels = dict(ResponsibleParty.choices)
    rows = (
        month_end.documents.values("responsible_party")
        .annotate(amount=Sum("amount"), points=Sum("points"))
        .order_by("responsible_party")
    )
    return [{**row, "label": labels.get(row["responsible_party"], "—")} for row in rows]


@login_required
@permission_required(VIEW_MONTH, raise_exception=True)
def month_end_detail(request, month):
    month_end = get_object_or_404(MonthEnd.objects.select_related("confirmed_by"), month=month)
    tables = [
        (
            _("By workshop"),
            _("Workshop"),
            by_kind(grouped(month_end, "kind", "workshop__code"), "workshop__code"),
        ),
        (
            _("By reason"),
            _("Reason"),
            by_kind(grouped(month_end, "kind", "reason_code"), "reason_code"),
        ),
        (
            _("By material class"),
            _("Approval class"),
            by_kind(grouped(month_end, "kind", "approval_class"), "approval_class"),
        ),
    ]
    context = {
        "month_end": month_end,
        "tables": tables,
        "responsible": responsible_rows(month_end),
        "flagged": month_end.documents.filter(flagged=True).select_related("workshop"),
        "can_manage": request.user.has_perm(CONFIRM_MONTH),
        "confirmed": month_end.state == "confirmed",
    }
    return render(request, "returns/month_end_detail.html", context)


@login_required
@permission_required(CONFIRM_MONTH, raise_exception=True)
@require_POST
def month_end_compute_view(request):
    form = MonthForm(request.POST)
    if not form.is_valid():
        for error in form.errors["month"]:
            messages.error(request, error)
        return redirect("finance:month_end")
    try:
        month_end = month_end_compute(month=form.cleaned_data["month"], actor=request.user)
    except StateConflict as error:
        messages.error(request, str(error))
        return redirect("finance:month_end")
    messages.success(request, _("Month %(month)s computed.") % {"month": month_end})
    return redirect("finance:month_end_detail", month=month_end.month)


@login_required
@permission_required(CONFIRM_MONTH, raise_exception=True)
@require_POST
def month_end_confirm_view(request, month):
    month_end = get_object_or_404(MonthEnd, month=month)
    try:
        month_end_confirm(month_end=month_end, actor=request.user, device=request.device_id)
    except StateConflict as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Month %(month)s is confirmed and locked.") % {"month": month_end}
        )
    return redirect("finance:month_end_detail", month=month_end.month)


@login_required
@permission_required(VIEW_MONTH, raise_exception=True)
def month_end_download(request, month):
    """The workbook is small (grouped rows): built at once in the user's language."""
    month_end = get_object_or_404(MonthEnd, month=month)
    content = BytesIO()
    month_end_workbook(month_end, content)
    response = HttpResponse(content.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="month-end-{month_end}.xlsx"'
    return response


# ---------------------------------------------------------------------------- exports

# The parameters a page may send per export kind (the exports API's ``params``).
PARAM_NAMES = {
    ExportKind.LEDGER: list(LedgerExportForm.base_fields),
    ExportKind.RECALL: ["material", "lot", "serial", "work_order"],
    ExportKind.VARIANCE: ["work_order", "workshop", "status", "completed_from", "completed_to"],
    ExportKind.MONTH_END: ["month"],
}


@login_required
def exports_page(request):
    jobs = ExportJob.objects.filter(requested_by=request.user).order_by("-id")[:20]
    form = LedgerExportForm(auto_id="ledger_%s")
    for name in ("date_from", "date_to"):
        form.fields[name].widget.input_type = "date"  # the browser's own date picker
    return render(request, "reports/exports.html", {"form": form, "jobs": jobs})


def export_params(kind, data):
    return {name: data[name].strip() for name in PARAM_NAMES[kind] if data.get(name, "").strip()}


@login_required
@require_POST
def export_start(request):
    """Request an export job (the same service as ``POST /api/v1/exports/``) and answer with
    its progress bar; the bar polls ``export_status`` until the file is ready."""
    kind = request.POST.get("kind", "")
    htmx = bool(request.headers.get("HX-Request"))
    if kind not in PARAM_NAMES:
        return render(
            request, "reports/export_job.html", {"errors": [_("Unknown export kind.")]}, status=400
        )
    try:
        job = exports.export_request(
            user=request.user,
            kind=kind,
            params=export_params(kind, request.POST),
            device=request.device_id,
        )
    except ValidationError as error:
        # htmx swaps only 2xx answers: it gets the messages with 200, a plain form post 400.
        status = 200 if htmx else 400
        return render(request, "reports/export_job.html", {"errors": error.messages}, status=status)
    if not htmx:
        return redirect(f"{reverse('finance:exports')}#job-{job.pk}")
    return render(request, "reports/export_job.html", {"job": job}, status=201)


@login_required
def export_status(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, requested_by=request.user)
    return render(request, "reports/export_job.html", {"job": job})
