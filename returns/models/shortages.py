"""Shortage slips (欠料单, R-P4): what the warehouse could not issue."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import QuantityField, UserStampField
from returns.models.replenishments import ReplenishLine


class ShortageState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class ShortageSlip(models.Model):
    """R-P4: what the warehouse could not issue, for material control to chase."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    replenish_line = models.ForeignKey(
        ReplenishLine, on_delete=models.PROTECT, related_name="shortages"
    )
    material = models.ForeignKey(
        "materials.Material", on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    quantity = QuantityField(_("short quantity"))
    state = models.CharField(
        _("state"),
        max_length=6,
        choices=ShortageState.choices,
        default=ShortageState.OPEN,
        db_index=True,
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = UserStampField(_("closed by"))

    class Meta:
        verbose_name = _("shortage slip")
        verbose_name_plural = _("shortage slips")
        ordering = ["-id"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        """The replenishment it is short on (a slip has no page of its own)."""
        return reverse("returns:request_detail", args=["replenish", self.replenish_line.request_id])
