"""Who may use the approval endpoints at all; which step they decide is the service's."""

from rest_framework import permissions

from approvals.selectors import holds_any_tier


class IsApprover(permissions.BasePermission):
    """Holds an approval tier, in person or by a delegation (R-A6): who may review at all.

    Which step they may decide is the service's check (``approvals.services.acting_for``).
    """

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated) and (
            user.is_superuser or holds_any_tier(user=user)
        )
