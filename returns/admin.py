"""Admin for reason codes (R-R1, R-P1, R-J3): master data an administrator edits through
the audited master-record services.

Return and replenish requests and shortage slips change only through ``returns`` services
and the API.
"""

from django.contrib import admin

from core.admin import AuditedModelAdmin
from returns.models import ReasonCode


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
