"""Master data editing (warehouses and locations, R-M1, R-M3) and the Excel import page.
Every save is audited."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin
from audit.master_data import master_record_delete, master_record_save
from materials.importing.master import master_import
from materials.importing.messages import TOO_LARGE, MasterImportError, import_summary
from materials.models import (
    Bom,
    BomLine,
    Location,
    Material,
    MaterialCategory,
    Supplier,
    UnitOfMeasure,
    Warehouse,
    WarehouseCategory,
)

NOT_AN_XLSX_NAME = _("Upload an Excel workbook whose name ends in .xlsx.")
IMPORT_HELP = _(
    "Sheets “Materials”, “BOM” and/or “Suppliers”; header in row 1; at most %(limit)d MB."
)


@admin.register(WarehouseCategory)
class WarehouseCategoryAdmin(AuditedModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Warehouse)
class WarehouseAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "category"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["category"]


@admin.register(Location)
class LocationAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "warehouse", "kind", "is_active"]
    list_filter = ["kind", "is_active", "warehouse"]
    list_select_related = ["warehouse"]
    search_fields = ["code", "name", "warehouse__code"]
    autocomplete_fields = ["warehouse"]


@admin.register(Supplier)
class SupplierAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "contact", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "contact"]


@admin.register(UnitOfMeasure)
class UnitOfMeasureAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "whole_units")
    search_fields = ("code", "name")


@admin.register(MaterialCategory)
class MaterialCategoryAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "approval_class")
    list_filter = ("approval_class",)
    search_fields = ("code", "name")


class MasterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = IMPORT_HELP % {"limit": settings.IMPORT_MAX_MB}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(NOT_AN_XLSX_NAME)
        if upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            raise ValidationError(TOO_LARGE % {"limit": settings.IMPORT_MAX_MB})
        return upload


@admin.register(Material)
class MaterialAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "name",
        "specification",
        "uom",
        "category",
        "approval_class",
        "warehouse_category",
        "tracking",
        "standard_cost",
        "is_active",
    )
    list_filter = (
        "category",
        "approval_class",
        "tracking",
        "warehouse_category",
        "inspect_on_return",
        "is_active",
    )
    list_select_related = ("uom", "category", "warehouse_category")
    search_fields = ("code", "name", "specification", "gtin")
    raw_id_fields = ("default_location",)
    readonly_fields = ("updated_at",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "name",
                    "specification",
                    "uom",
                    "category",
                    "approval_class",
                    "is_active",
                )
            },
        ),
        (
            _("Stock keeping"),
            {
                "fields": (
                    "warehouse_category",
                    "default_location",
                    "tracking",
                    "shelf_life_days",
                    "inspect_on_return",
                    "gtin",
                )
            },
        ),
        (
            _("Cost and safety stock"),
            {
                "fields": (
                    "standard_cost",
                    "lead_time_days",
                    "emergency_purchase_days",
                    "daily_usage",
                )
            },
        ),
        (None, {"fields": ("updated_at",)}),
    )

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="materials_material_import"), *super().get_urls()]

    def import_view(self, request):
        """Upload a workbook; show the counts, or every bad cell with nothing imported."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MasterImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                counts = master_import(
                    file=form.cleaned_data["file"], actor=request.user, device=request.device_id
                )
            except MasterImportError as exc:
                errors = exc.errors
            else:
                messages.success(request, import_summary(counts))
                return redirect("admin:materials_material_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import material master and BOMs from Excel"),
            "opts": self.opts,
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/materials/import_master.html", context)


def bom_in_use(bom):
    """A version a work order froze cannot change any more (R-M3)."""
    return bom is not None and bom.pk is not None and bom.work_orders.exists()


class BomLineInline(admin.TabularInline):
    model = BomLine
    extra = 1
    autocomplete_fields = ("material",)

    def has_add_permission(self, request, obj):
        return not bom_in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not bom_in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not bom_in_use(obj) and super().has_delete_permission(request, obj)


@admin.register(Bom)
class BomAdmin(AuditedModelAdmin):
    list_display = ("product", "version", "is_active", "note", "updated_at")
    list_filter = ("is_active",)
    list_select_related = ("product",)
    search_fields = ("product__code", "product__name")
    autocomplete_fields = ("product",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (BomLineInline,)

    def has_change_permission(self, request, obj=None):
        return not bom_in_use(obj) and super().has_change_permission(request, obj)

    def save_formset(self, request, form, formset, change):
        """Lines go through the audited master-record services, deletions first (so a
        component removed and added again does not clash)."""
        formset.save(commit=False)
        for line in formset.deleted_objects:
            master_record_delete(instance=line, actor=request.user, device=request.device_id)
        changed = [line for line, _fields in formset.changed_objects]
        for line in formset.new_objects + changed:
            master_record_save(instance=line, actor=request.user, device=request.device_id)
