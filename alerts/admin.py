from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert, Notification, NotificationPreference
from core.admin import ReadOnlyAdmin


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """Alerts are raised and cleared only by the checks (``alerts.checks``)."""

    list_display = ["id", "kind", "level", "object_repr", "raised_at", "cleared_at"]
    list_filter = ["kind", "level", ("cleared_at", admin.EmptyFieldListFilter)]
    search_fields = ["object_repr"]
    date_hierarchy = "raised_at"
    fields = [
        "kind",
        "level",
        "content_type",
        "object_id",
        "object_repr",
        "message",
        "params",
        "raised_at",
        "cleared_at",
        "recipients",
    ]
    readonly_fields = fields

    @admin.display(description=_("message"))
    def message(self, alert):
        return alert.message


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "kind", "title", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["title", "user__username"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    """Each user sets their own on the preferences page (``alerts:preferences``), audited."""

    list_display = ["user", "kind", "email"]
    list_filter = ["kind", "email"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
