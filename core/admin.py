from django.contrib import admin

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
