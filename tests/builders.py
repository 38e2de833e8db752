"""Small scenario builders on top of the factories; they call the real services."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from inventory.models import InspectionStatus
from inventory.services import stock_receive
from materials.models import TrackingMode
from tests.factories import (
    BomFactory,
    BomLineFactory,
    LocationFactory,
    MaterialFactory,
    WorkshopFactory,
)
from workorders.services.lifecycle import work_order_create, work_order_release

PASSED = {"inspection_status": InspectionStatus.PASSED}


def with_roles(user, *roles, workshops=()):
    """``user`` in the role groups (org.roles; created when a flush removed them) and a
    member of ``workshops``; permission caches are dropped so the change shows at once."""
    from org.roles import groups_apply

    if Group.objects.filter(name__in=roles).count() < len(set(roles)):
        groups_apply(group_model=Group, permission_model=Permission)
    user.groups.add(*Group.objects.filter(name__in=roles))
    for workshop in workshops:
        workshop.members.add(user)
    caches = ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_group_names", "_role_names")
    for cache in caches:
        user.__dict__.pop(cache, None)
    return user


def receive(material, location, quantity, actor, batch_no="", serials=(), **lot_fields):
    return stock_receive(
        material=material,
        location=location,
        quantity=Decimal(quantity),
        actor=actor,
        batch_no=batch_no,
        serials=serials,
        lot_fields={**PASSED, **lot_fields} if batch_no else None,
    )


def batch_material(**kwargs):
    return MaterialFactory(tracking=TrackingMode.BATCH, **kwargs)


def days_from_today(days):
    return timezone.localdate() + timedelta(days=days)


def released_work_order(actor, *, components, planned_qty=100, number="WO-1", **kwargs):
    """A released work order of a new product whose BOM holds ``components``:
    a list of (material, qty_per_unit, loss_pct)."""
    bom = BomFactory(product=MaterialFactory(), version=1)
    for material, qty_per_unit, loss_pct in components:
        BomLineFactory(
            bom=bom, material=material, qty_per_unit=Decimal(qty_per_unit), loss_pct=loss_pct
        )
    work_order = work_order_create(
        number=number,
        product=bom.product,
        bom=bom,
        planned_qty=Decimal(planned_qty),
        workshop=kwargs.pop("workshop", None) or WorkshopFactory(),
        actor=actor,
        **kwargs,
    )
    return work_order_release(work_order=work_order, actor=actor)


def location(code="WH1-A01", **kwargs):
    return LocationFactory(code=code, **kwargs)
