"""Writing a validated workbook in one transaction, audited once (R-M1, R-M3, R-S1)."""

import os
from typing import IO

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from materials.importing.plans import import_validate
from materials.importing.workbook import workbook_read
from materials.models import Bom, BomLine, Material, Supplier

BATCH_SIZE = 500


def records_write(model, plans):
    """Insert the new records (materials, suppliers) and update the changed ones."""
    new = [plan.instance for plan in plans if plan.status == "created"]
    changed = [plan.instance for plan in plans if plan.status == "updated"]
    fields = {name for plan in plans if plan.status == "updated" for name in plan.after}
    now = timezone.now()
    for instance in changed:
        instance.updated_at = now  # bulk_update does not apply auto_now
    model.objects.bulk_create(new, batch_size=BATCH_SIZE)
    model.objects.bulk_update(changed, sorted(fields | {"updated_at"}), batch_size=BATCH_SIZE)


def boms_write(plans, materials):
    """Create the new versions and rewrite the lines of the replaced ones."""
    lines = []
    for plan in plans:
        bom = plan.existing or Bom(product=materials[plan.product], version=plan.version)
        if bom.pk:
            bom.lines.all().delete()
        bom.save()
        lines += [
            BomLine(
                bom=bom,
                material=materials[code],
                qty_per_unit=line.qty_per_unit,
                loss_pct=line.loss_pct,
            )
            for code, line in plan.lines.items()
        ]
    BomLine.objects.bulk_create(lines, batch_size=BATCH_SIZE)


def import_counts(material_plans, bom_plans, supplier_plans):
    """``materials_created`` … ``suppliers_unchanged``: how many of each outcome."""
    counts = {}
    for kind, plans, outcomes in (
        ("materials", material_plans, ("created", "updated", "unchanged")),
        ("boms", bom_plans, ("created", "replaced", "unchanged")),
        ("suppliers", supplier_plans, ("created", "updated", "unchanged")),
    ):
        statuses = [plan.status for plan in plans]
        counts |= {f"{kind}_{outcome}": statuses.count(outcome) for outcome in outcomes}
    return counts


def created_codes(plans):
    return [code for code, plan in plans.items() if plan.status == "created"]


def changes(plans, side):
    """Code → the changed fields' ``before`` or ``after`` values of the updated records."""
    return {code: getattr(plan, side) for code, plan in plans.items() if plan.status == "updated"}


def sheets_import(sheets, *, actor: AbstractBaseUser, device: str, name: str) -> dict[str, int]:
    """Validate everything, write, then audit once: counts plus every change's before/after."""
    refs, materials, boms, suppliers = import_validate(sheets)
    counts = import_counts(materials.values(), boms, suppliers.values())
    written = [plan for plan in boms if plan.status != "unchanged"]
    before = {
        "materials": changes(materials, "before"),
        "boms": {plan.key: plan.existing_values() for plan in written if plan.existing},
        "suppliers": changes(suppliers, "before"),
    }
    records_write(Supplier, suppliers.values())
    records_write(Material, materials.values())
    boms_write(written, {**refs.materials, **{c: p.instance for c, p in materials.items()}})
    after = {
        **counts,
        "created": created_codes(materials),
        "materials": changes(materials, "after"),
        "boms": {plan.key: plan.line_values() for plan in written},
        "created_suppliers": created_codes(suppliers),
        "suppliers": changes(suppliers, "after"),
    }
    audit_record(
        actor=actor,
        device=device,
        action="master.import",
        object_type="import",
        object_id=name,
        before=before,
        after=after,
    )
    return counts


def file_name(file):
    name = getattr(file, "name", None) or (file if isinstance(file, str) else "")
    return os.path.basename(str(name))[:64] or "workbook.xlsx"


def master_import(
    *, file: str | os.PathLike[str] | IO[bytes], actor: AbstractBaseUser, device: str = ""
) -> dict[str, int]:
    """Upsert materials and suppliers by code and write BOM versions from an .xlsx (a path or
    file object).

    All or nothing: raises MasterImportError (a ValidationError) listing every bad cell and
    writes nothing, or writes everything in one transaction and returns the counts.
    """
    sheets = workbook_read(file)
    with transaction.atomic():
        return sheets_import(sheets, actor=actor, device=device, name=file_name(file))
