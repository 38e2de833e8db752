"""Admin view of the audit trail: read-only, as only ``audit.services`` appends to it.

``ChainHead`` is internal bookkeeping of the hash chain and is deliberately not registered.
"""

from django.contrib import admin

from audit.models import AuditEvent
from core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "seq",
        "created_at",
        "actor_username",
        "device_id",
        "action",
        "object_type",
        "object_id",
    ]
    list_filter = ["action", "object_type"]
    # Every column above is on the row itself; nothing to join.
    list_select_related = []
    search_fields = ["object_id", "actor_username", "device_id"]
    date_hierarchy = "created_at"
    raw_id_fields = ["actor"]
    show_full_result_count = False  # the trail grows without bound: skip the extra COUNT
