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
