"""Admin for production lines and work orders.

Production lines are master data edited here (audited master-record
services). Work orders, their requirement lines, issues and output reports change only
through ``workorders`` services and the API: the admin shows them read-only.
"""

from django.contrib import admin

from audit.admin import AuditedModelAdmin
from core.admin import ReadOnlyAdmin
from workorders.models import (
    MaterialIssue,
    OutputReport,
    ProductionLine,
    WorkOrder,
    WorkOrderLine,
)


@admin.register(ProductionLine)
class ProductionLineAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "workshop", "line_side_location"]
    list_filter = ["workshop"]
    list_select_related = ["workshop", "line_side_location"]
    search_fields = ["code", "name", "workshop__code"]
    autocomplete_fields = ["workshop", "line_side_location"]


class WorkOrderLineInline(admin.TabularInline):
    model = WorkOrderLine
    fields = ["material", "qty_per_unit", "loss_pct", "required_qty", "loss_allowance_qty"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        # The row header prints str(line), which reads the work order and the material.
        return super().get_queryset(request).select_related("work_order", "material")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "product",
        "bom",
        "planned_qty",
        "workshop",
        "line",
        "status",
        "planned_start",
        "planned_end",
        "completed_at",
    ]
    list_filter = ["status", "workshop"]
    list_select_related = ["product", "bom__product", "workshop", "line"]
    search_fields = ["number", "product__code", "product__name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["product", "bom", "workshop", "line"]
    inlines = [WorkOrderLineInline]


@admin.register(WorkOrderLine)
class WorkOrderLineAdmin(ReadOnlyAdmin):
    list_display = [
        "work_order",
        "material",
        "qty_per_unit",
        "loss_pct",
        "required_qty",
        "loss_allowance_qty",
    ]
    list_filter = ["work_order__status"]
    list_select_related = ["work_order", "material"]
    search_fields = ["work_order__number", "material__code", "material__name"]
    raw_id_fields = ["work_order", "material"]


@admin.register(MaterialIssue)
class MaterialIssueAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "work_order",
        "is_borrowed",
        "due_at",
        "regularised_at",
        "issued_by",
        "created_at",
    ]
    list_filter = ["is_borrowed", ("regularised_at", admin.EmptyFieldListFilter)]
    list_select_related = ["work_order", "issued_by"]
    search_fields = ["number", "work_order__number", "issued_by__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["work_order", "issued_by"]


@admin.register(OutputReport)
class OutputReportAdmin(ReadOnlyAdmin):
    list_display = ["work_order", "good_qty", "scrap_qty", "reported_by", "created_at"]
    list_filter = ["work_order__workshop"]
    list_select_related = ["work_order", "reported_by"]
    search_fields = ["work_order__number", "reported_by__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["work_order", "reported_by"]
