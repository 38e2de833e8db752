"""Lots (R-M4): found or created by batch number when stock arrives, and their inspection
status set by QC."""

from datetime import date, timedelta

from django.contrib.auth.base_user import AbstractBaseUser

from audit.services import audit_record
from core.transactions import atomic_service
from inventory.models import InspectionStatus, Lot
from materials.models import Material, Supplier


def lot_defaults(
    *, material: Material, production_date: date | None = None, expiry_date: date | None = None
) -> date | None:
    """The expiry date: as given, else the production date plus the material's shelf life."""
    if expiry_date is None and production_date and material.shelf_life_days:
        expiry_date = production_date + timedelta(days=material.shelf_life_days)
    return expiry_date


def lot_get_or_create(
    *,
    material: Material,
    batch_no: str,
    production_date: date | None = None,
    expiry_date: date | None = None,
    supplier: Supplier | None = None,
    certificate_no: str = "",
    inspection_status: str = InspectionStatus.PENDING,
    storage_conditions: str = "",
) -> Lot:
    """The material's lot by batch number, created when new. Not audited on its own: the
    receipt that brings it records it (auditing here would lock the audit chain before the
    stock rows, against the lock order)."""
    lot = Lot.objects.filter(material=material, batch_no=batch_no).first()
    if lot:
        return lot
    return Lot.objects.create(
        material=material,
        batch_no=batch_no,
        production_date=production_date,
        expiry_date=lot_defaults(
            material=material, production_date=production_date, expiry_date=expiry_date
        ),
        supplier=supplier,
        certificate_no=certificate_no,
        inspection_status=inspection_status,
        storage_conditions=storage_conditions,
    )


def lot_snapshot(lot: Lot) -> dict:
    return {
        "batch_no": lot.batch_no,
        "expiry_date": lot.expiry_date,
        "inspection_status": lot.inspection_status,
        "supplier": lot.supplier.code if lot.supplier_id else None,
    }


@atomic_service
def lot_set_inspection_status(
    *, lot: Lot, status: str, actor: AbstractBaseUser, device: str = ""
) -> Lot:
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    before = lot_snapshot(lot)
    lot.inspection_status = status
    lot.save(update_fields=["inspection_status", "updated_at"])
    audit_record(
        actor=actor,
        device=device,
        action="lot.inspection",
        obj=lot,
        before=before,
        after=lot_snapshot(lot),
    )
    return lot
