"""Production lines, work orders and their frozen material requirements (R-W1…R-W3)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import QuantityField


class ProductionLine(models.Model):
    workshop = models.ForeignKey(
        "org.Workshop", verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="lines"
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    line_side_location = models.ForeignKey(
        "materials.Location",
        verbose_name=_("line-side location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("production line")
        verbose_name_plural = _("production lines")
        ordering = ["code"]

    def __str__(self):
        return self.code


class WorkOrderStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    RELEASED = "released", _("released")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


# R-W1: the one map of allowed status changes.
WORK_ORDER_TRANSITIONS = {
    WorkOrderStatus.PLANNED: {WorkOrderStatus.RELEASED, WorkOrderStatus.CANCELLED},
    WorkOrderStatus.RELEASED: {WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.CANCELLED},
    WorkOrderStatus.IN_PROGRESS: {WorkOrderStatus.COMPLETED},
    WorkOrderStatus.COMPLETED: {WorkOrderStatus.CLOSED},
    WorkOrderStatus.CLOSED: set(),
    WorkOrderStatus.CANCELLED: set(),
}
ISSUABLE_STATUSES = {WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS}


class WorkOrder(models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True)
    product = models.ForeignKey(
        "materials.Material", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    bom = models.ForeignKey(
        "materials.Bom",
        verbose_name=_("BOM version"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    planned_qty = QuantityField(_("planned quantity"), validators=[MinValueValidator(0)])
    workshop = models.ForeignKey(
        "org.Workshop",
        verbose_name=_("workshop"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    line = models.ForeignKey(
        ProductionLine,
        verbose_name=_("line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=WorkOrderStatus.choices,
        default=WorkOrderStatus.PLANNED,
        db_index=True,
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_qty__gt=0), name="wo_planned_positive"),
        ]

    def __str__(self):
        return self.number


class WorkOrderLine(models.Model):
    """A material requirement frozen from the BOM at release (R-W2)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="lines")
    material = models.ForeignKey(
        "materials.Material", verbose_name=_("material"), on_delete=models.PROTECT, related_name="+"
    )
    qty_per_unit = models.DecimalField(_("quantity per unit"), max_digits=16, decimal_places=6)
    loss_pct = models.DecimalField(_("normal loss %"), max_digits=5, decimal_places=2)
    required_qty = QuantityField(_("required"))
    loss_allowance_qty = QuantityField(_("loss allowance"))

    class Meta:
        verbose_name = _("requirement line")
        verbose_name_plural = _("requirement lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "material"], name="uniq_wo_material")
        ]

    def __str__(self):
        return f"{self.work_order.number}: {self.material.code}"


class MaterialIssue(models.Model):
    """One issue (领料) to a work order; its ledger entries are its lines (R-W3).

    A borrowed issue (借料) must be regularised before ``due_at`` (24 h).
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="issues"
    )
    is_borrowed = models.BooleanField(_("borrowed"), default=False)
    due_at = models.DateTimeField(_("regularise by"), null=True, blank=True, db_index=True)
    regularised_at = models.DateTimeField(_("regularised"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("material issue")
        verbose_name_plural = _("material issues")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class OutputReport(models.Model):
    """Output reported against a work order; totals feed the close-out check (R-W4)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="outputs")
    good_qty = QuantityField(_("good quantity"), validators=[MinValueValidator(0)])
    scrap_qty = QuantityField(_("scrap quantity"), validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("output report")
        verbose_name_plural = _("output reports")
        ordering = ["id"]

    def __str__(self):
        return f"{self.work_order.number}: {self.good_qty} good, {self.scrap_qty} scrap"


class SignOffRole(models.TextChoices):
    """R-W4: the departments that sign a work order's close-out."""

    PRODUCTION = "production", _("production")
    QC = "qc", _("QC")
    WAREHOUSE = "warehouse", _("warehouse")
    FINANCE = "finance", _("finance")


class SignOff(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="sign_offs")
    role = models.CharField(_("role"), max_length=12, choices=SignOffRole.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)

    class Meta:
        verbose_name = _("close-out sign-off")
        verbose_name_plural = _("close-out sign-offs")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "role"], name="uniq_signoff_role"),
        ]

    def __str__(self):
        return f"{self.work_order.number}: {self.get_role_display()}"


class LeftoverDeclaration(models.Model):
    """Production declares that a material's leftover was consumed, not returned (R-W4)."""

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, related_name="leftover_declarations"
    )
    material = models.ForeignKey(
        "materials.Material", verbose_name=_("material"), on_delete=models.PROTECT, related_name="+"
    )
    # R-W6: how much of the leftover was used up; it counts as over-quota consumption.
    quantity = QuantityField(_("quantity declared consumed"))
    note = models.CharField(_("explanation"), max_length=300)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        verbose_name = _("leftover declaration")
        verbose_name_plural = _("leftover declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "material"], name="uniq_leftover_declaration"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="leftover_declaration_qty_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.work_order.number}: {self.material.code}"


class LeftoverCarryOver(models.Model):
    """A completed order's leftover registered for next use (登记下次使用, R-W6): booked to a
    later work order of the same material by a pair of ``ISSUE`` entries (doc ``carry_over``):
    a reversing one on ``work_order``, a normal one on ``to_work_order``. ``borrowed``: the
    surplus of a borrowed whole-pack issue deducted from the next order's issue (seed 003
    §5.8.2)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("from work order"),
        on_delete=models.PROTECT,
        related_name="leftover_carry_overs",
    )
    to_work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("to work order"),
        on_delete=models.PROTECT,
        related_name="leftover_carry_ins",
    )
    material = models.ForeignKey(
        "materials.Material", verbose_name=_("material"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = QuantityField(_("quantity"))
    borrowed = models.BooleanField(_("borrowed surplus"), default=False)
    carried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("carried over by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    carried_at = models.DateTimeField(_("carried over"), auto_now_add=True)

    class Meta:
        verbose_name = _("leftover carry-over")
        verbose_name_plural = _("leftover carry-overs")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="carry_over_qty_positive"),
            models.CheckConstraint(
                condition=~Q(work_order=models.F("to_work_order")), name="carry_over_other_order"
            ),
        ]

    def __str__(self):
        return self.number
