"""Master data: warehouses and locations (R-M2, R-M5), units, categories, materials (R-M1)
and versioned BOMs (R-M3).

The places moved here from ``inventory`` (issue #13) so that a material can name its
warehouse category and default location without reaching up a layer; their tables keep
the ``inventory_`` names (materials 0002).
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import QuantityField, UnitCostField


class ApprovalClass(models.TextChoices):
    """R-A1: which column of the approval matrix a material's replenishment falls in."""

    A = "A", _("A – aluminium, iron pipe, boards, semi-finished")
    B = "B", _("B – fabric, cartons, castings, rattan, chemicals")
    C = "C", _("C – parts, plastics, packaging, auxiliary")


class TrackingMode(models.TextChoices):
    NONE = "none", _("not tracked")
    BATCH = "batch", _("by batch")
    SERIAL = "serial", _("by serial number")


class WarehouseCategory(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        db_table = "inventory_warehousecategory"
        verbose_name = _("warehouse category")
        verbose_name_plural = _("warehouse categories")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Warehouse(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        WarehouseCategory, verbose_name=_("category"), on_delete=models.PROTECT
    )

    class Meta:
        db_table = "inventory_warehouse"
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Supplier(models.Model):
    """A supplier of purchased material (R-S1): lots name theirs, supplier returns and claims
    go back to it."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    contact = models.CharField(_("contact person"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class LocationKind(models.TextChoices):
    STORAGE = "storage", _("storage")
    LINE_SIDE = "line", _("line side")
    QUARANTINE = "quarantine", _("quarantine")
    SCRAP = "scrap", _("scrap")
    SUPPLIER_RETURN = "supplier_return", _("supplier-return area")

    @classmethod
    def usable(cls):
        """Kinds whose stock may be issued to production."""
        return [cls.STORAGE, cls.LINE_SIDE]


class Location(models.Model):
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="locations"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=LocationKind.choices, default=LocationKind.STORAGE
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "inventory_location"
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["code"]

    def __str__(self):
        return self.code

    @property
    def is_usable(self):
        return self.kind in LocationKind.usable()


class UnitOfMeasure(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    whole_units = models.BooleanField(
        _("whole units only"), default=False, help_text=_("Quantities must be whole numbers.")
    )

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["code"]

    def __str__(self):
        return self.code


class MaterialCategory(models.Model):
    """A category suggests the approval class (R-A1 is data an administrator edits)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    approval_class = models.CharField(
        _("approval class"), max_length=1, choices=ApprovalClass.choices
    )

    class Meta:
        verbose_name = _("material category")
        verbose_name_plural = _("material categories")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Material(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    specification = models.CharField(_("specification / model"), max_length=200, blank=True)
    uom = models.ForeignKey(UnitOfMeasure, verbose_name=_("unit"), on_delete=models.PROTECT)
    category = models.ForeignKey(
        MaterialCategory, verbose_name=_("category"), on_delete=models.PROTECT
    )
    approval_class = models.CharField(
        _("approval class"), max_length=1, choices=ApprovalClass.choices
    )
    warehouse_category = models.ForeignKey(
        WarehouseCategory,
        verbose_name=_("warehouse category"),
        on_delete=models.PROTECT,
        help_text=_("One return slip holds materials of one warehouse category (R-M2)."),
    )
    standard_cost = UnitCostField(_("standard unit cost"), validators=[MinValueValidator(0)])
    tracking = models.CharField(
        _("tracking"), max_length=8, choices=TrackingMode.choices, default=TrackingMode.NONE
    )
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    inspect_on_return = models.BooleanField(
        _("inspect on return"),
        default=False,
        help_text=_("Returned units need a QC verdict before receipt (chemicals, food…)."),
    )
    default_location = models.ForeignKey(
        Location,
        verbose_name=_("default location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True, db_index=True)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    emergency_purchase_days = models.PositiveIntegerField(_("emergency purchase (days)"), default=0)
    daily_usage = QuantityField(_("daily usage"), validators=[MinValueValidator(0)])
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def safety_stock(self):
        """R-L4: (lead time + emergency purchase days) × daily usage."""
        return (self.lead_time_days + self.emergency_purchase_days) * self.daily_usage


class Bom(models.Model):
    """One version of a product's bill of materials (R-M3). Work orders freeze a version."""

    product = models.ForeignKey(
        Material, verbose_name=_("product"), on_delete=models.PROTECT, related_name="boms"
    )
    version = models.PositiveIntegerField(_("version"))
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("BOM")
        verbose_name_plural = _("BOMs")
        ordering = ["product__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="uniq_bom_version")
        ]

    def __str__(self):
        return f"{self.product.code} v{self.version}"


class BomLine(models.Model):
    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="lines")
    material = models.ForeignKey(
        Material, verbose_name=_("component"), on_delete=models.PROTECT, related_name="+"
    )
    qty_per_unit = models.DecimalField(
        _("quantity per unit"),
        max_digits=16,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    loss_pct = models.DecimalField(
        _("normal loss %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["bom", "material"], name="uniq_bom_component"),
            models.CheckConstraint(condition=models.Q(qty_per_unit__gt=0), name="bom_qty_positive"),
        ]

    def __str__(self):
        return f"{self.bom}: {self.material.code} × {self.qty_per_unit}"
