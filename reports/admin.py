from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from reports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    """Export jobs are written by their task only: a read-only list with progress and link."""

    list_display = [
        "id",
        "kind",
        "requested_by",
        "state",
        "progress_percent",
        "row_count",
        "created_at",
        "finished_at",
        "download",
    ]
    list_filter = ["kind", "state"]
    search_fields = ["requested_by__username"]
    list_select_related = ["requested_by"]

    @admin.display(description=_("progress"), ordering="progress")
    def progress_percent(self, job):
        return f"{job.progress} %"

    @admin.display(description=_("download"))
    def download(self, job):
        if not job.is_done:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("export-download", args=[job.pk]), _("Download")
        )
