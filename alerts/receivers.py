"""How the alerts app reacts to signals from the layers below it."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver

from alerts.services import notify, shortage_fulfilled_notify
from audit.signals import audit_chain_broken
from returns.signals import shortage_fulfilled


def admin_users():
    return (
        get_user_model()
        .objects.filter(Q(groups__name="admin") | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("pk")
    )


@receiver(audit_chain_broken, dispatch_uid="alerts.audit_chain_broken")
def audit_chain_broken_notify(sender, *, title, body, **kwargs):
    """A broken audit chain is told in the application to the users in the admin role (R-U1)."""
    with transaction.atomic():
        notify(users=list(admin_users()), title=title, body=body)


@receiver(shortage_fulfilled, dispatch_uid="alerts.shortage_fulfilled")
def shortage_fulfilled_receive(sender, *, slip, replenish_request, **kwargs):
    shortage_fulfilled_notify(slip=slip)
