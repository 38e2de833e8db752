"""The exports page (issue #5): long jobs show a progress bar (htmx polls the job every
second)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.lists import page_of
from reports import services as exports
from reports.ledger import LedgerExportForm
from reports.models import ExportJob, ExportKind

JOBS_PER_PAGE = 20  # job cards with their progress bars: fewer than a list's rows
# The parameters a page may send per export kind (the exports API's ``params``).
PARAM_NAMES = {
    ExportKind.LEDGER: list(LedgerExportForm.base_fields),
    ExportKind.RECALL: ["material", "lot", "serial", "work_order"],
    ExportKind.VARIANCE: ["work_order", "workshop", "status", "completed_from", "completed_to"],
    ExportKind.MONTH_END: ["month"],
    ExportKind.SUPPLIER_QUALITY: ["month", "supplier"],
}


@login_required
def exports_page(request):
    # every job of the user, newest first, a page at a time (no silent cut-off at 20)
    mine = ExportJob.objects.filter(requested_by=request.user).order_by("-id")
    jobs = page_of(request, mine, per_page=JOBS_PER_PAGE)
    form = LedgerExportForm(auto_id="ledger_%s")
    for name in ("date_from", "date_to", "posted_from", "posted_to"):
        form.fields[name].widget.input_type = "date"  # the browser's own date picker
    return render(request, "reports/exports.html", {"form": form, "jobs": jobs, "page": jobs})


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
        return redirect(f"{reverse('reports:exports')}#job-{job.pk}")
    return render(request, "reports/export_job.html", {"job": job}, status=201)


@login_required
def export_status(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, requested_by=request.user)
    return render(request, "reports/export_job.html", {"job": job})
