from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.lockout import login_lockouts_release
from core.models import ApiToken, DeliveryAttempt, LoginLockout, OutboxEvent
from core.outbox import outbox_replay
from core.services import (
    api_token_issue,
    api_token_revoke,
    master_record_delete,
    master_record_save,
)


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Issue tokens (the key is shown once) and revoke them; keys are never stored."""

    list_display = [
        "name",
        "kind",
        "user",
        "device_id",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["kind", "revoked_at"]
    search_fields = ["name", "prefix", "device_id", "user__username"]
    list_select_related = ["user"]
    fields = ["name", "kind", "user", "device_id"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        token, raw_key = api_token_issue(
            name=obj.name, kind=obj.kind, user=obj.user, device_id=obj.device_id, actor=request.user
        )
        obj.pk = token.pk
        messages.warning(
            request, _("Copy the key now, it is not shown again: %(key)s") % {"key": raw_key}
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)


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


@admin.register(LoginLockout)
class LoginLockoutAdmin(ReadOnlyAdmin):
    """Usernames locked out after failed logins (core.lockout); an administrator unlocks."""

    list_display = ["username", "ip_address", "attempts", "last_attempt_at", "locked_at"]
    list_filter = [("locked_at", admin.EmptyFieldListFilter)]
    search_fields = ["username", "ip_address"]
    actions = ["unlock"]

    def has_unlock_permission(self, request):
        return request.user.has_perm("core.delete_loginlockout")

    @admin.action(description=_("Unlock the selected logins"), permissions=["unlock"])
    def unlock(self, request, queryset):
        released = login_lockouts_release(lockouts=queryset, actor=request.user)
        messages.success(request, _("%(count)s logins unlocked.") % {"count": released})
