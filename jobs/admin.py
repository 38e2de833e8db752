from django.contrib import admin

from core.admin import ReadOnlyAdmin
from jobs.models import DeferredDispatch


@admin.register(DeferredDispatch)
class DeferredDispatchAdmin(ReadOnlyAdmin):
    """What waits for the broker; rows leave by themselves once it is reachable again."""

    list_display = ("id", "task_name", "args", "created_at", "attempts", "last_error")
    list_filter = ("task_name",)
