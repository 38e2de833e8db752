"""Admin for reason codes (R-R1, R-P1, R-J3): master data an administrator edits through
the audited master-record services.

Return and replenish requests and shortage slips change only through ``returns`` services
and the API; their attachments are listed read-only here.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin
from core.admin import ReadOnlyAdmin
from returns.models import NonconformingRecord, ReasonCode, RequestAttachment, ScrapDisposal


@admin.register(ReasonCode)
class ReasonCodeAdmin(AuditedModelAdmin):
    list_display = [
        "kind",
        "code",
        "name",
        "name_zh",
        "responsible_party",
        "defect_kind",
        "points_small",
        "points_large",
        "amount_band",
        "is_active",
    ]
    list_filter = ["kind", "responsible_party", "defect_kind", "is_active"]
    search_fields = ["code", "name", "name_zh"]


@admin.register(RequestAttachment)
class RequestAttachmentAdmin(ReadOnlyAdmin):
    """Files attached to requests (``returns.services.attachments``). The file field is left
    out: its storage URL is never served; the link is the scoped download view."""

    list_display = [
        "original_name",
        "request",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["content_type"]
    list_select_related = ["return_request", "replenish_request", "uploaded_by"]
    search_fields = ["original_name", "return_request__number", "replenish_request__number"]
    date_hierarchy = "uploaded_at"
    fields = [
        "download",
        "return_request",
        "replenish_request",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)


@admin.register(NonconformingRecord)
class NonconformingRecordAdmin(ReadOnlyAdmin):
    """Nonconforming-material records (R-R9) change only through their services: the
    sign-off in the approval inbox, the disposition on their page or the API."""

    list_display = ["number", "return_request", "material", "lot", "state", "disposition"]
    list_filter = ["state", "disposition"]
    list_select_related = ["return_request", "material", "lot"]
    search_fields = ["number", "return_request__number", "material__code"]


@admin.register(ScrapDisposal)
class ScrapDisposalAdmin(ReadOnlyAdmin):
    """Scrap disposals (R-D1) change only through ``returns.services.disposals``."""

    list_display = ["number", "route", "workshop", "state", "value", "applicant", "posted_at"]
    list_filter = ["state", "route"]
    list_select_related = ["workshop", "applicant"]
    search_fields = ["number"]
    date_hierarchy = "created_at"
