"""BOM writes (R-M3): a version is written whole with its lines, and frozen once a work
order uses it. Units, categories and materials go through audit.master_data.master_record_save."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.transactions import atomic_service
from materials.models import Bom, BomLine, Material

NO_LINES = _("A BOM needs at least one line.")
DUPLICATE_COMPONENT = _("%(material)s is listed more than once.")
COMPONENT_IS_PRODUCT = _("%(material)s cannot be a component of itself.")
QTY_NOT_POSITIVE = _("Quantity per unit of %(material)s must be greater than zero.")
LOSS_OUT_OF_RANGE = _("Normal loss of %(material)s must be between 0 and 100 percent.")
VERSION_TAKEN = _("Product %(product)s already has BOM version %(version)s.")
BOM_IN_USE = _(
    "BOM %(bom)s is used by work orders and cannot be changed or deleted; "
    "create a new version instead."
)


def bom_snapshot(bom: Bom, lines: Iterable[BomLine]) -> dict:
    return {
        "product": bom.product.code,
        "version": bom.version,
        "is_active": bom.is_active,
        "note": bom.note,
        "lines": [
            {
                "material": line.material.code,
                "qty_per_unit": line.qty_per_unit,
                "loss_pct": line.loss_pct,
            }
            for line in lines
        ],
    }


def bom_locked(bom: Bom) -> Bom:
    """Lock the version; one a work order froze cannot change any more (R-M3)."""
    bom = Bom.objects.select_for_update().select_related("product").get(pk=bom.pk)
    if bom.work_orders.exists():
        raise StateConflict(BOM_IN_USE, params={"bom": bom})
    return bom


def bom_lines_build(*, product: Material, lines: Sequence[Mapping]) -> list[BomLine]:
    """Unsaved BomLines from ``{"material", "qty_per_unit", "loss_pct"}`` dicts; all errors
    are reported at once under ``lines``."""
    if not lines:
        raise ValidationError({"lines": NO_LINES})
    errors, seen, built = [], set(), []
    for line in lines:
        material = line["material"]
        qty = Decimal(str(line["qty_per_unit"]))
        loss = Decimal(str(line.get("loss_pct", 0)))
        params = {"material": material.code}
        if material.pk in seen:
            errors.append(DUPLICATE_COMPONENT % params)
        if material.pk == product.pk:
            errors.append(COMPONENT_IS_PRODUCT % params)
        if qty <= 0:
            errors.append(QTY_NOT_POSITIVE % params)
        if not 0 <= loss <= 100:
            errors.append(LOSS_OUT_OF_RANGE % params)
        seen.add(material.pk)
        built.append(BomLine(material=material, qty_per_unit=qty, loss_pct=loss))
    if errors:
        raise ValidationError({"lines": errors})
    return built


@atomic_service
def bom_save(
    *,
    product: Material,
    version: int,
    lines: Sequence[Mapping],
    actor: AbstractBaseUser,
    device: str = "",
    is_active: bool = True,
    note: str = "",
    bom: Bom | None = None,
) -> Bom:
    """Create a BOM version, or replace an unused one together with all its lines (R-M3)."""
    before = None
    if bom is None:
        bom = Bom()
    else:
        bom = bom_locked(bom)
        before = bom_snapshot(bom, bom.lines.select_related("material"))
    new_lines = bom_lines_build(product=product, lines=lines)
    if Bom.objects.filter(product=product, version=version).exclude(pk=bom.pk).exists():
        raise ValidationError(
            {"version": VERSION_TAKEN % {"product": product.code, "version": version}}
        )
    bom.product, bom.version, bom.is_active, bom.note = product, version, is_active, note
    bom.full_clean(validate_constraints=False)
    bom.save()
    BomLine.objects.filter(bom=bom).delete()
    for line in new_lines:
        line.bom = bom
    BomLine.objects.bulk_create(new_lines)
    audit_record(
        actor=actor,
        device=device,
        action=f"bom.{'change' if before else 'create'}",
        obj=bom,
        before=before,
        after=bom_snapshot(bom, new_lines),
    )
    return bom


@atomic_service
def bom_delete(*, bom: Bom, actor: AbstractBaseUser, device: str = "") -> None:
    """Delete a BOM version no work order uses, with its lines."""
    bom = bom_locked(bom)
    before, pk = bom_snapshot(bom, bom.lines.select_related("material")), bom.pk
    bom.delete()
    audit_record(
        actor=actor, device=device, action="bom.delete", obj=bom, object_id=pk, before=before
    )


@atomic_service
def bom_upsert(
    *,
    product: Material,
    version: int,
    lines: Sequence[Mapping],
    actor: AbstractBaseUser,
    device: str = "",
    is_active: bool = True,
    note: str = "",
) -> tuple[Bom, bool]:
    """The ERP's BOM by product and version: created, or replaced with all its lines while
    no work order uses it. Sent again unchanged it writes nothing (no audit event either).
    Returns ``(bom, created)``."""
    bom = Bom.objects.select_for_update().filter(product=product, version=version).first()
    fields = {"is_active": is_active, "note": note}
    if bom is None:
        created = bom_save(
            product=product, version=version, lines=lines, actor=actor, device=device, **fields
        )
        return created, True
    wanted = bom_snapshot(
        Bom(product=product, version=version, **fields),
        bom_lines_build(product=product, lines=lines),
    )
    if bom_snapshot(bom, bom.lines.select_related("material").order_by("pk")) == wanted:
        return bom, False
    return bom_save(
        product=product, version=version, lines=lines, actor=actor, device=device, bom=bom, **fields
    ), False
