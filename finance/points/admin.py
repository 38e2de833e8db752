"""The points table in the admin (R-J3): an administrator copies the active version into a
new one (``point_scheme_copy``) and edits that version's cells and mappings (audited master
records); a version that point entries were written under is kept as it is."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin
from core.admin import ReadOnlyAdmin
from finance.models import PointEntry, PointRule, PointScheme, ReasonBehaviour, SpotCheckProposal
from finance.points.scheme import point_scheme_copy, scheme_active


def scheme_used(scheme_id: int | None) -> bool:
    return scheme_id is not None and PointEntry.objects.filter(scheme_id=scheme_id).exists()


@admin.action(description=_("Copy as a new version"))
def scheme_copy(modeladmin, request, queryset):
    for scheme in queryset.order_by("-version")[:1]:
        copy = point_scheme_copy(scheme=scheme, name=scheme.name, actor=request.user)
        messages.success(request, _("Version %(version)s created.") % {"version": copy.version})


@admin.register(PointScheme)
class PointSchemeAdmin(AuditedModelAdmin):
    """Adding a scheme is a new version copied from the active one (its cells and mappings
    then edited row by row); a version is never deleted."""

    list_display = ["version", "name", "is_active", "leftover_deadline_hours", "created_at"]
    readonly_fields = ["version", "created_by", "created_at"]
    actions = [scheme_copy]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "note"]
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        copy = point_scheme_copy(scheme=scheme_active(), name=obj.name, actor=request.user)
        obj.pk, obj.version, obj._state.adding = copy.pk, copy.version, False
        return None

    def has_delete_permission(self, request, obj=None):
        return False


class UnusedSchemeOnly(AuditedModelAdmin):
    """Rows of a version no entry was written under may change; the others are history."""

    list_select_related = ["scheme"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and scheme_used(obj.scheme_id):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(PointRule)
class PointRuleAdmin(UnusedSchemeOnly):
    list_display = ["scheme", "kind", "department", "behaviour", "band", "above", "up_to"]
    list_display += ["cell", "points", "source"]
    list_filter = ["scheme", "kind", "department", "cell"]


@admin.register(ReasonBehaviour)
class ReasonBehaviourAdmin(UnusedSchemeOnly):
    list_display = ["scheme", "kind", "reason_code", "trigger", "behaviour"]
    list_filter = ["scheme", "kind", "trigger"]


@admin.register(PointEntry)
class PointEntryAdmin(ReadOnlyAdmin):
    list_display = ["source_number", "behaviour", "department", "points", "month", "workshop"]
    list_display += ["person", "origin", "scheme"]
    list_filter = ["origin", "department", "month"]
    list_select_related = ["workshop", "person", "scheme"]


@admin.register(SpotCheckProposal)
class SpotCheckProposalAdmin(ReadOnlyAdmin):
    list_display = ["document_number", "month", "behaviour", "points", "state", "proposed_by"]
    list_filter = ["state", "month"]
    list_select_related = ["proposed_by"]
