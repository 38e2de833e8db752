"""Admin for the approval matrix (R-A5) and who holds which tier (R-A6).

A policy version turns read-only once an approval step used it: a new version never
changes a decision already taken. Approval steps change only through the services.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from approvals.models import (
    ApprovalStep,
    Delegation,
    MatrixCell,
    OrderBand,
    PolicyVersion,
    TierAssignment,
)
from approvals.policy import policy_matrix_check
from audit.admin import AuditedModelAdmin
from audit.master_data import master_record_delete, master_record_save
from core.admin import ReadOnlyAdmin


def policy_in_use(policy):
    return policy is not None and ApprovalStep.objects.filter(policy=policy).exists()


class PolicyPartInline(admin.TabularInline):
    """Bands and cells are editable only while their version is unused."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return not policy_in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not policy_in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not policy_in_use(obj) and super().has_delete_permission(request, obj)


class OrderBandInline(PolicyPartInline):
    model = OrderBand
    fields = ["code", "upper_bound"]


class MatrixCellFormSet(BaseInlineFormSet):
    def clean(self):
        """A version saved active must hold a complete, consistent matrix (the service's rule,
        as for a version published through the API)."""
        super().clean()
        if not self.instance.is_active or any(self.errors):
            return
        cells = [
            {**form.cleaned_data, "band": form.cleaned_data["band"].code}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            policy_matrix_check(policy=self.instance, cells=cells)
        except ValidationError as error:  # a formset's errors are a plain list
            raise ValidationError(error.messages) from error


class MatrixCellInline(PolicyPartInline):
    model = MatrixCell
    formset = MatrixCellFormSet
    fields = ["approval_class", "band", "tier", "max_ratio"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("band")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "band":  # only the bands of the version being edited
            policy_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = OrderBand.objects.filter(policy_id=policy_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(AuditedModelAdmin):
    list_display = ["version", "is_active", "valuable_amount", "sla_hours", "note", "created_at"]
    list_filter = ["is_active"]
    inlines = [OrderBandInline, MatrixCellInline]

    def has_change_permission(self, request, obj=None):
        return not policy_in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not policy_in_use(obj) and super().has_delete_permission(request, obj)

    def save_formset(self, request, form, formset, change):
        """Bands and cells through the audited services, deletions first (a band removed and
        added again must not clash with itself)."""
        saved = formset.save(commit=False)
        for obj in formset.deleted_objects:
            master_record_delete(instance=obj, actor=request.user, device=request.device_id)
        for obj in saved:
            master_record_save(instance=obj, actor=request.user, device=request.device_id)


@admin.register(TierAssignment)
class TierAssignmentAdmin(AuditedModelAdmin):
    list_display = ["user", "tier", "workshop"]
    list_filter = ["tier", "workshop"]
    list_select_related = ["user", "workshop"]
    search_fields = ["user__username", "workshop__code"]
    autocomplete_fields = ["user", "workshop"]


@admin.register(Delegation)
class DelegationAdmin(AuditedModelAdmin):
    list_display = ["principal", "delegate", "starts", "ends", "note"]
    list_select_related = ["principal", "delegate"]
    search_fields = ["principal__username", "delegate__username"]
    date_hierarchy = "starts"
    autocomplete_fields = ["principal", "delegate"]


@admin.register(ApprovalStep)
class ApprovalStepAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "content_type",
        "object_id",
        "round",
        "sequence",
        "tier",
        "state",
        "workshop",
        "requester",
        "decided_by",
        "decided_at",
        "policy",
    ]
    list_filter = ["state", "tier", "content_type"]
    list_select_related = ["content_type", "workshop", "requester", "decided_by", "policy"]
    date_hierarchy = "created_at"
