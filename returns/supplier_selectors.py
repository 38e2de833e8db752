"""Reads that the supplier-return pages, API and reports share (R-S2): the returns with
what a list shows, who may see them, and the stock of one supplier's lots lying in
supplier-return areas (what a new supplier return is picked from)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from approvals.models import Tier, TierAssignment
from inventory.models import StockBalance
from materials.models import LocationKind, Supplier
from org.access import is_plant_wide
from returns.models import SupplierReturn

PERMISSION = "returns.handle_supplier_return"
SIGNERS = [Tier.WAREHOUSE_SUPERVISOR, Tier.MC_SUPERVISOR]


def may_see_supplier_returns(user: AbstractBaseUser) -> bool:
    """The warehouse and material control, their two supervisors, plant-wide roles."""
    if not (user and user.is_authenticated):
        return False
    return (
        user.has_perm(PERMISSION)
        or is_plant_wide(user)
        or TierAssignment.objects.filter(user=user, tier__in=SIGNERS).exists()
    )


def may_handle_supplier_returns(user: AbstractBaseUser) -> bool:
    return bool(user and user.is_authenticated) and user.has_perm(PERMISSION)


def supplier_returns() -> QuerySet[SupplierReturn]:
    return SupplierReturn.objects.select_related("supplier", "applicant").order_by("-id")


def supplier_return_of(pk: int) -> SupplierReturn:
    return (
        supplier_returns()
        .prefetch_related("lines__material__uom", "lines__lot", "lines__location")
        .get(pk=pk)
    )


def area_stock(supplier: Supplier) -> QuerySet[StockBalance]:
    """On hand per lot of ``supplier`` in supplier-return areas."""
    return (
        StockBalance.objects.filter(
            quantity__gt=0,
            location__kind=LocationKind.SUPPLIER_RETURN,
            lot__supplier=supplier,
        )
        .select_related("material__uom", "lot", "location")
        .order_by("location__code", "material__code", "lot__batch_no")
    )


def suppliers_with_area_stock() -> QuerySet[Supplier]:
    return (
        Supplier.objects.filter(
            lots__balances__quantity__gt=0,
            lots__balances__location__kind=LocationKind.SUPPLIER_RETURN,
        )
        .distinct()
        .order_by("code")
    )
