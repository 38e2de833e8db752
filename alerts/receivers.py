"""How the alerts app reacts to signals from the layers below it."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver

from alerts.services import notify, shortage_fulfilled_notify
from alerts.workflow import (
    month_confirmed_tell,
    month_reopened_tell,
    request_state_tell,
    shortages_opened_tell,
    step_pending_tell,
)
from approvals.signals import step_pending
from audit.signals import audit_chain_broken
from finance.signals import month_confirmed, month_reopened
from returns.signals import request_state_changed, shortage_fulfilled, shortages_opened


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


# R-N1: the workflow's news, told inside the transaction that made it (durable with it).


@receiver(step_pending, dispatch_uid="alerts.step_pending")
def step_pending_receive(sender, *, step, request, **kwargs):
    step_pending_tell(step=step, request=request)


@receiver(request_state_changed, dispatch_uid="alerts.request_state_changed")
def request_state_changed_receive(sender, *, slip, state, action, **kwargs):
    request_state_tell(slip=slip, state=state, action=action)


@receiver(shortages_opened, dispatch_uid="alerts.shortages_opened")
def shortages_opened_receive(sender, *, slips, replenish_request, **kwargs):
    shortages_opened_tell(slips=slips, replenish_request=replenish_request)


@receiver(month_confirmed, dispatch_uid="alerts.month_confirmed")
def month_confirmed_receive(sender, *, month_end, **kwargs):
    month_confirmed_tell(month_end=month_end)


@receiver(month_reopened, dispatch_uid="alerts.month_reopened")
def month_reopened_receive(sender, *, month_end, **kwargs):
    month_reopened_tell(month_end=month_end)
