"""Scenario builders for supplier returns (R-S2); they call the real services."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from approvals.models import StepState, Tier, TierAssignment
from approvals.services import approval_decide, steps_of
from returns.services.supplier_returns import (
    supplier_return_acknowledge,
    supplier_return_create,
    supplier_return_post,
    supplier_return_submit,
)
from tests.builders import with_roles


def signer(tier):
    """A plant-wide holder of ``tier`` (the supervisors sign supplier returns plant-wide)."""
    user, _created = get_user_model().objects.get_or_create(username=f"{tier}-signer")
    TierAssignment.objects.get_or_create(user=user, tier=tier, workshop=None)
    return user


def mc_user():
    user, _created = get_user_model().objects.get_or_create(username="mc1")
    return with_roles(user, "material_control")


def sign_all(supplier_return):
    """The warehouse supervisor, then the MC supervisor, approve."""
    tiers = []
    while step := steps_of(supplier_return).filter(state=StepState.PENDING).first():
        approval_decide(step=step, actor=signer(step.tier), approve=True)
        tiers.append(step.tier)
    supplier_return.refresh_from_db()
    assert tiers == [Tier.WAREHOUSE_SUPERVISOR, Tier.MC_SUPERVISOR]
    return supplier_return


def sr_line(material, quantity, location, lot=None, serials=()):
    return {
        "material": material,
        "lot": lot,
        "location": location,
        "quantity": Decimal(quantity),
        "serials": list(serials),
    }


def draft_supplier_return(supplier, lines, actor, reason="Burrs on the tube ends"):
    return supplier_return_create(supplier=supplier, reason=reason, lines=lines, actor=actor)


def signed_supplier_return(supplier, lines, actor):
    supplier_return = draft_supplier_return(supplier, lines, actor)
    supplier_return_submit(supplier_return=supplier_return, actor=actor)
    sign_all(supplier_return)
    return supplier_return_acknowledge(
        supplier_return=supplier_return, actor=actor, name="Chen Wei", on=timezone.localdate()
    )


def posted_supplier_return(supplier, lines, actor):
    supplier_return = signed_supplier_return(supplier, lines, actor)
    return supplier_return_post(supplier_return=supplier_return, actor=actor)
