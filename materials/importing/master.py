"""Writing a validated workbook in one transaction, audited once (R-M1, R-M3)."""

import os
from typing import IO

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from materials.importing.plans import import_validate
from materials.importing.workbook import workbook_read
from materials.models import Bom, BomLine, Material

BATCH_SIZE = 500


def materials_write(plans):
    """Insert the new materials and update the changed ones."""
    new = [plan.instance for plan in plans if plan.status == "created"]
    changed = [plan.instance for plan in plans if plan.status == "updated"]
    fields = {name for plan in plans if plan.status == "updated" for name in plan.after}
    now = timezone.now()
    for instance in changed:
        instance.updated_at = now  # bulk_update does not apply auto_now
    Material.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Material.objects.bulk_update(changed, sorted(fields | {"updated_at"}), batch_size=BATCH_SIZE)


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


def import_counts(material_plans, bom_plans):
    """``materials_created`` … ``boms_unchanged``: how many of each outcome."""
    materials = [plan.status for plan in material_plans]
    boms = [plan.status for plan in bom_plans]
    counts = {f"materials_{s}": materials.count(s) for s in ("created", "updated", "unchanged")}
    return counts | {f"boms_{s}": boms.count(s) for s in ("created", "replaced", "unchanged")}


def sheets_import(sheets, *, actor: AbstractBaseUser, device: str, name: str) -> dict[str, int]:
    """Validate everything, write, then audit once: counts plus every change's before/after."""
    refs, materials, boms = import_validate(sheets)
    counts = import_counts(materials.values(), boms)
    updated = [plan for plan in materials.values() if plan.status == "updated"]
    written = [plan for plan in boms if plan.status != "unchanged"]
    before = {
        "materials": {plan.instance.code: plan.before for plan in updated},
        "boms": {plan.key: plan.existing_values() for plan in written if plan.existing},
    }
    materials_write(materials.values())
    boms_write(written, {**refs.materials, **{c: p.instance for c, p in materials.items()}})
    after = {
        **counts,
        "created": [code for code, plan in materials.items() if plan.status == "created"],
        "materials": {plan.instance.code: plan.after for plan in updated},
        "boms": {plan.key: plan.line_values() for plan in written},
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
    """Upsert materials by code and write BOM versions from an .xlsx (a path or file object).

    All or nothing: raises MasterImportError (a ValidationError) listing every bad cell and
    writes nothing, or writes everything in one transaction and returns the counts.
    """
    sheets = workbook_read(file)
    with transaction.atomic():
        return sheets_import(sheets, actor=actor, device=device, name=file_name(file))
