"""Admin for the approval matrix (R-A5) and who holds which tier (R-A6).

A policy version is edited only as a draft (inactive, used by no step); the "Publish"
action hands it to ``approvals.policy.policy_publish``, which checks the whole matrix and
audits it. A published version is read-only: a new version never changes a decision
already taken. Approval steps change only through the services.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from approvals.models import (
    ApprovalStep,
    Delegation,
    MatrixCell,
    OrderBand,
    PolicyVersion,
    TierAssignment,
)
from approvals.policy import policy_is_draft, policy_publish
from audit.admin import AuditedModelAdmin
from audit.master_data import master_record_delete, master_record_save
from core.admin import ReadOnlyAdmin
from core.errors import StateConflict

PUBLISHED = _("Draft published as version %(version)s.")
NOT_PUBLISHED = _("Version %(version)s was not published: %(error)s")
DRAFT_HELP = _(
    "A draft routes no request. When its bands and limits are complete, publish it from the "
    "list with the action 'Publish the selected drafts'; a published version is "
    "read-only."
)


def editable(policy):
    """A version being added, or a draft."""
    return policy is None or policy_is_draft(policy)


class PolicyPartInline(admin.TabularInline):
    """Bands and cells are editable only in a draft."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return editable(obj) and super().has_delete_permission(request, obj)


class OrderBandInline(PolicyPartInline):
    model = OrderBand
    fields = ["code", "upper_bound"]


class MatrixCellInline(PolicyPartInline):
    model = MatrixCell
    fields = ["approval_class", "band", "tier", "max_ratio"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("band")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "band":  # only the bands of the version being edited
            policy_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = OrderBand.objects.filter(policy_id=policy_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


POLICY_FIELDS = ["version", "is_active", "valuable_amount", "large_quantity", "sla_hours", "note"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(AuditedModelAdmin):
    list_display = [*POLICY_FIELDS, "created_at"]
    list_filter = ["is_active"]
    fieldsets = [(None, {"fields": POLICY_FIELDS, "description": DRAFT_HELP})]
    readonly_fields = ["version", "is_active"]
    inlines = [OrderBandInline, MatrixCellInline]
    actions = ["publish"]

    def has_change_permission(self, request, obj=None):
        return editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return editable(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """A version added here is a draft; ``policy_publish`` renumbers it when published."""
        if not change:
            obj.is_active = False
            newest = PolicyVersion.objects.aggregate(newest=Max("version"))["newest"]
            obj.version = (newest or 0) + 1
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Bands and cells through the audited services, deletions first (a band removed and
        added again must not clash with itself)."""
        saved = formset.save(commit=False)
        for obj in formset.deleted_objects:
            master_record_delete(instance=obj, actor=request.user, device=request.device_id)
        for obj in saved:
            master_record_save(instance=obj, actor=request.user, device=request.device_id)

    @admin.action(description=_("Publish the selected drafts"), permissions=["change"])
    def publish(self, request, queryset):
        """Each draft through ``policy_publish`` (R-A5); a refused one stays as it was."""
        for draft in queryset.order_by("version"):
            version = draft.version
            try:
                policy = policy_publish(draft=draft, actor=request.user, device=request.device_id)
            except (ValidationError, StateConflict) as error:
                reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
                for reason in reasons:
                    params = {"version": version, "error": reason}
                    self.message_user(request, NOT_PUBLISHED % params, messages.ERROR)
            else:
                self.message_user(request, PUBLISHED % {"version": policy.version})


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
