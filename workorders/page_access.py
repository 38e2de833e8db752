"""Who may do what on the work-order, traceability and finance pages: which departments a
user signs off for (R-W4), and the workshop scope of what a page lists."""

from core.access import scope_queryset
from workorders.models import SignOffRole

# The permission (core/roles.py) that lets a user sign the close-out for a department.
SIGN_OFF_PERMISSIONS = {
    SignOffRole.PRODUCTION: "workorders.change_workorder",
    SignOffRole.QC: "returns.give_qc_verdict",
    SignOffRole.WAREHOUSE: "inventory.add_ledgerentry",
    SignOffRole.FINANCE: "returns.confirm_month",
}


def sign_off_roles_of(user):
    return {role for role, perm in SIGN_OFF_PERMISSIONS.items() if user.has_perm(perm)}


def scoped(queryset, user, field="workshop"):
    """Only the rows of the user's workshops (404 for the rest, like the API)."""
    return scope_queryset(queryset, user, field)
