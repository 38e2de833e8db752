"""Admin view of the audit trail: read-only, as only ``audit.services`` appends to it; the
base of every audited master-data admin; the ERP outbox log, whose replay is audited.

``ChainHead`` is internal bookkeeping of the hash chain and is deliberately not registered.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.master_data import master_record_delete, master_record_save
from audit.models import AuditEvent
from audit.outbox import outbox_replay
from core.admin import ReadOnlyAdmin
from core.models import DeliveryAttempt, OutboxEvent


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin edits of master data go through the audited master-record services."""

    def save_model(self, request, obj, form, change):
        master_record_save(instance=obj, actor=request.user, device=request.device_id)

    def delete_model(self, request, obj):
        master_record_delete(instance=obj, actor=request.user, device=request.device_id)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            master_record_delete(instance=obj, actor=request.user, device=request.device_id)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "stream",
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
    search_fields = ["object_id", "actor_username", "device_id", "request_id"]
    date_hierarchy = "created_at"
    raw_id_fields = ["actor"]
    show_full_result_count = False  # the trail grows without bound: skip the extra COUNT


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempted_at", "status_code", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    """The ERP delivery log, and the tasks waiting for the broker (kind "task": they leave
    by themselves once it is back); failed or lost ERP events can be sent again."""

    list_display = [
        "id",
        "kind",
        "topic",
        "event_id",
        "created_at",
        "delivered_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["kind", "topic", ("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id", "topic"]
    inlines = [DeliveryAttemptInline]
    actions = ["replay"]

    @admin.action(description=_("Send the selected events again"), permissions=["view"])
    def replay(self, request, queryset):
        outbox_replay(events=list(queryset), actor=request.user)
