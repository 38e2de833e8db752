"""Lots and serials (R-M4, R-M5) and the stock ledger (R-L1, R-L2).

The places stock lies in (warehouses, locations) are master data in ``materials``.
``LedgerEntry`` is append-only; ``StockBalance`` is the running on-hand per material/lot/
location, written only by ``inventory.services.ledger_post`` in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import QuantityField, UserStampField
from core.immutable import AppendOnlyModel
from materials.models import Location


class InspectionStatus(models.TextChoices):
    PENDING = "pending", _("pending inspection")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")
    QUARANTINE = "quarantine", _("quarantine")


class Lot(models.Model):
    """A batch of one material (R-M4)."""

    material = models.ForeignKey(
        "materials.Material",
        verbose_name=_("material"),
        on_delete=models.PROTECT,
        related_name="lots",
    )
    batch_no = models.CharField(_("batch number"), max_length=64)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True, db_index=True)
    supplier = models.ForeignKey(
        "materials.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lots",
    )
    certificate_no = models.CharField(_("certificate number"), max_length=64, blank=True)
    inspection_status = models.CharField(
        _("inspection status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PENDING,
    )
    storage_conditions = models.CharField(_("storage conditions"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["material__code", "batch_no"]
        constraints = [
            models.UniqueConstraint(fields=["material", "batch_no"], name="uniq_lot_batch")
        ]

    def __str__(self):
        return f"{self.material.code}/{self.batch_no}"

    def is_expired(self, today=None):
        today = today or timezone.localdate()
        return self.expiry_date is not None and self.expiry_date < today


class SerialStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("in stock")
    ISSUED = "issued", _("issued")
    SCRAPPED = "scrapped", _("scrapped")


class Serial(models.Model):
    """One serial-tracked unit; it belongs to a lot (R-M4)."""

    material = models.ForeignKey(
        "materials.Material",
        verbose_name=_("material"),
        on_delete=models.PROTECT,
        related_name="serials",
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="serials"
    )
    serial_no = models.CharField(_("serial number"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=SerialStatus.choices, default=SerialStatus.IN_STOCK
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("serial number")
        verbose_name_plural = _("serial numbers")
        ordering = ["serial_no"]
        constraints = [
            models.UniqueConstraint(fields=["material", "serial_no"], name="uniq_serial")
        ]

    def __str__(self):
        return self.serial_no


class MovementType(models.TextChoices):
    RECEIPT = "receipt", _("receipt")
    ISSUE = "issue", _("issue")
    RETURN = "return", _("return (red issue)")
    REPLENISH = "replenish", _("replenish issue")
    SCRAP = "scrap", _("scrap")
    TRANSFER = "transfer", _("transfer")
    ADJUSTMENT = "adjustment", _("adjustment")
    SUPPLIER_RETURN = "supplier_return", _("supplier return")


class LedgerEntry(AppendOnlyModel):
    """One signed quantity change (R-L1). Never updated or deleted; corrections reverse."""

    # The (key, id) indexes in Meta serve these three keys' lookups; a single-column index
    # of each would be one more index every booking writes.
    material = models.ForeignKey(
        "materials.Material",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("material"),
        db_index=False,
    )
    lot = models.ForeignKey(
        Lot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lot"),
    )
    serial = models.ForeignKey(
        Serial,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("serial number"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("location"),
        db_index=False,
    )
    quantity = QuantityField(_("quantity"))
    movement_type = models.CharField(
        _("movement type"), max_length=16, choices=MovementType.choices, db_index=True
    )
    # The project names the model (settings.LEDGER_WORK_ORDER_MODEL): a higher app's.
    work_order = models.ForeignKey(
        settings.LEDGER_WORK_ORDER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("work order"),
        db_index=False,
    )
    doc_type = models.CharField(_("document type"), max_length=32)
    doc_id = models.CharField(_("document"), max_length=64)
    doc_line = models.PositiveIntegerField(_("document line"), null=True, blank=True)
    reason_code = models.CharField(
        _("reason code"),
        max_length=32,
        blank=True,
        help_text=_("The return/replenish reason, so month-end groups the ledger alone."),
    )
    remark = models.CharField(_("remark"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    device_id = models.CharField(_("device"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # The day the material really moved (R-L6): a keeper may date a booking back inside an
    # open month; month-end and stock as of a day follow it. Balances are running totals
    # per key, never stored on entries, so a back-dated entry rewrites no later one.
    posting_date = models.DateField(_("posting date"), default=timezone.localdate)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["material", "lot", "location"]),
            models.Index(fields=["doc_type", "doc_id"]),
            # Pages of one key, newest or oldest first, are an index range at any ledger
            # size (issue #17: a material with no entries walked the primary key).
            models.Index(fields=["material", "id"], name="ledger_material_id_idx"),
            models.Index(fields=["location", "id"], name="ledger_location_id_idx"),
            models.Index(fields=["work_order", "id"], name="ledger_work_order_id_idx"),
            # Month-end selects a month by posting date; the ledger filters by it.
            models.Index(fields=["posting_date", "id"], name="ledger_posting_date_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="ledger_qty_nonzero"),
        ]

    def __str__(self):
        return f"{self.movement_type} {self.material_id} {self.quantity:+}"


class StockBalance(models.Model):
    """On-hand per material/lot/location; always Σ ledger and never negative (R-L2)."""

    material = models.ForeignKey(
        "materials.Material",
        on_delete=models.PROTECT,
        related_name="balances",
        verbose_name=_("material"),
    )
    lot = models.ForeignKey(
        Lot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="balances",
        verbose_name=_("lot"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="balances", verbose_name=_("location")
    )
    quantity = QuantityField(_("on hand"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["material_id", "lot_id", "location_id"]
        constraints = [
            # Two partial indexes because NULL lots are distinct in a plain unique index.
            models.UniqueConstraint(
                fields=["material", "lot", "location"],
                condition=Q(lot__isnull=False),
                name="uniq_balance_lot",
            ),
            models.UniqueConstraint(
                fields=["material", "location"],
                condition=Q(lot__isnull=True),
                name="uniq_balance_nolot",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="balance_not_negative"),
        ]

    def __str__(self):
        return f"{self.material_id}/{self.lot_id}/{self.location_id}: {self.quantity}"


class PostingPeriodState(models.TextChoices):
    OPEN = "open", _("open")
    LOCKED = "locked", _("locked by finance")


class PostingPeriod(models.Model):
    """A month of the ledger and whether it still takes postings (issue #7, R-J1).

    Finance decides (its month-end confirmation, its reopening) and writes the row only
    through ``inventory.periods``; ``ledger_post`` reads it. A month without a row is open.
    """

    month = models.DateField(_("month"), unique=True, help_text=_("First day of the month."))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=PostingPeriodState.choices,
        default=PostingPeriodState.OPEN,
    )
    # Who holds the lock and since when: the refusal of a posting names them (issue #15).
    locked_by = UserStampField(_("locked by"))
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)

    class Meta:
        verbose_name = _("posting period")
        verbose_name_plural = _("posting periods")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"
