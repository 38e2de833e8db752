"""The daily check of the audit trail's hash chain (R-U1): a break is told to the admins by
e-mail (``mail_admins``) and, in the application, to the users in the admin role."""

from django.contrib.auth import get_user_model
from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.selectors import audit_chain_problems


def admin_users():
    return (
        get_user_model()
        .objects.filter(Q(groups__name="admin") | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("pk")
    )


def audit_chain_watch():
    """Verify the chain; on a break alert the admins. Returns the problems (empty: intact)."""
    problems = audit_chain_problems()
    if not problems:
        return []
    title = _("The audit trail is broken")
    body = "\n".join(str(problem) for problem in problems)
    mail_admins(title, body, fail_silently=True)
    from alerts.services import notify  # alerts builds on audit

    with transaction.atomic():
        notify(users=list(admin_users()), title=title, body=body)
    return problems
