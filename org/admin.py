"""Admin for workshops (master data, audited master-record services), API tokens and login
lockouts."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin
from core.admin import ReadOnlyAdmin
from core.models import ApiToken, LoginLockout
from org.lockout import login_lockouts_release
from org.models import Workshop
from org.services import api_token_issue, api_token_revoke


@admin.register(Workshop)
class WorkshopAdmin(AuditedModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


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


@admin.register(LoginLockout)
class LoginLockoutAdmin(ReadOnlyAdmin):
    """Usernames locked out after failed logins (org.lockout); an administrator unlocks."""

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
