from rest_framework import permissions


class IsAuthenticatedModelPermission(permissions.DjangoModelPermissions):
    """Authenticated users read; writes need the model's add/change/delete permission.

    Action endpoints declare their own permission (see ``HasPerm``).
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": [],
        "OPTIONS": [],
        "HEAD": [],
    }

    def has_permission(self, request, view):
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)


def HasPerm(*perms):  # noqa: N802 - reads like a class in permission_classes
    """Permission class requiring every named Django permission (``app_label.codename``)."""

    class _HasPerm(permissions.BasePermission):
        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    _HasPerm.__name__ = f"HasPerm({', '.join(perms)})"
    return _HasPerm


def HasAnyPerm(*perms):  # noqa: N802
    """Permission class requiring at least one of the named Django permissions."""

    class _HasAnyPerm(permissions.BasePermission):
        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and any(user.has_perm(p) for p in perms))

    _HasAnyPerm.__name__ = f"HasAnyPerm({', '.join(perms)})"
    return _HasAnyPerm


class IsApprover(permissions.BasePermission):
    """Holds an approval tier, in person or by a delegation (R-A6): who may review at all.

    Which step they may decide is the service's check (``approvals.services.acting_for``).
    """

    def has_permission(self, request, view):
        from approvals.selectors import holds_any_tier  # approvals builds on core

        user = request.user
        return bool(user and user.is_authenticated) and (
            user.is_superuser or holds_any_tier(user=user)
        )


class WorkshopScoped:
    """Viewset mixin: rows outside the user's workshops are not there (404, never 403).

    ``workshop_field`` is the lookup path from the viewset's model to its workshop.
    """

    workshop_field = "workshop"

    def get_queryset(self):
        from core.access import scope_queryset

        return scope_queryset(super().get_queryset(), self.request.user, self.workshop_field)


class HidesCosts:
    """Serializer mixin: ``cost_fields`` (standard costs, amounts) are left out of the output
    for roles that may not see them (``core.access.can_see_costs``; issue #7, item 6)."""

    cost_fields = ()

    def to_representation(self, instance):
        from core.access import can_see_costs

        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not can_see_costs(request.user):
            for name in self.cost_fields:
                data.pop(name, None)
        return data
