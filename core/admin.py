from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.models import DeliveryAttempt, OutboxEvent
from core.outbox import outbox_replay
from core.services import master_record_delete, master_record_save


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin edits of master data go through the audited master-record services."""

    def save_model(self, request, obj, form, change):
        master_record_save(instance=obj, actor=request.user, device=request.device_id)

    def delete_model(self, request, obj):
        master_record_delete(instance=obj, actor=request.user, device=request.device_id)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            master_record_delete(instance=obj, actor=request.user, device=request.device_id)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only services write (ledger, balances, audit)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempted_at", "status_code", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    """The ERP delivery log; failed or lost events can be sent again."""

    list_display = [
        "id",
        "topic",
        "event_id",
        "created_at",
        "delivered_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["topic", ("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id", "topic"]
    inlines = [DeliveryAttemptInline]
    actions = ["replay"]

    @admin.action(description=_("Send the selected events again"), permissions=["view"])
    def replay(self, request, queryset):
        outbox_replay(events=list(queryset), actor=request.user)
