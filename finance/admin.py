"""Month-end summaries are written only by ``finance.month_end`` (compute, confirm, reopen on
the month-end pages), so the admin shows them read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from finance.models import MonthEnd
from finance.points import admin as points_admin  # noqa: F401 - registers the points admin


@admin.register(MonthEnd)
class MonthEndAdmin(ReadOnlyAdmin):
    list_display = [
        "month",
        "state",
        "computed_at",
        "confirmed_by",
        "confirmed_at",
        "reopened_by",
        "reopened_at",
    ]
    list_filter = ["state"]
    list_select_related = ["confirmed_by", "reopened_by"]
    readonly_fields = ["reopen_reason"]
